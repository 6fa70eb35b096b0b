/**
 * Locating ffmpeg/ffprobe and running them. Arguments are always passed as an array to
 * `spawn` (no shell), so any file name is safe; errors carry the file and ffmpeg's own words.
 */
import { accessSync, chmodSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { launch, type ToolProcess } from './launcher.ts';

export type Tool = 'ffmpeg' | 'ffprobe';

export interface ToolLocation {
  tool: Tool;
  path: string;
  /** Why this binary was chosen: an env override, the first on PATH, or the npm-shipped fallback. */
  source: 'env' | 'path' | 'npm';
}

const ENV_OVERRIDE: Record<Tool, string> = { ffmpeg: 'FFMPEG_PATH', ffprobe: 'FFPROBE_PATH' };
const NPM_FALLBACK: Record<Tool, string> = {
  ffmpeg: '@ffmpeg-installer/ffmpeg',
  ffprobe: '@ffprobe-installer/ffprobe',
};

const located = new Map<Tool, ToolLocation>();

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(tool: Tool): string | undefined {
  const names = process.platform === 'win32' ? [`${tool}.exe`, tool] : [tool];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

function npmFallback(tool: Tool): string {
  const require = createRequire(import.meta.url);
  let binary: string;
  try {
    binary = (require(NPM_FALLBACK[tool]) as { path: string }).path;
  } catch (cause) {
    throw new Error(
      `${tool} not found: set ${ENV_OVERRIDE[tool]}, put ${tool} on PATH, or install ${NPM_FALLBACK[tool]}`,
      { cause },
    );
  }
  // The installer's own `chmod u+x` is an install script, which .npmrc keeps from running.
  if (!isExecutable(binary)) chmodSync(binary, statSync(binary).mode | 0o100);
  return binary;
}

/** Env override, else PATH, else the npm-shipped binary. Resolved once per process. */
export function locate(tool: Tool): ToolLocation {
  const known = located.get(tool);
  if (known) return known;
  const override = process.env[ENV_OVERRIDE[tool]];
  const fromPath = override ? undefined : findOnPath(tool);
  const location: ToolLocation = override
    ? { tool, path: override, source: 'env' }
    : fromPath
      ? { tool, path: fromPath, source: 'path' }
      : { tool, path: npmFallback(tool), source: 'npm' };
  located.set(tool, location);
  return location;
}

/** A failed ffmpeg/ffprobe run, or a file they cannot use. The message names the file. */
export class MediaError extends Error {
  override name = 'MediaError';
  constructor(
    message: string,
    readonly file: string,
    /** The last lines ffmpeg wrote to stderr, if it ran. */
    readonly stderr = '',
    options?: ErrorOptions,
  ) {
    super(stderr ? `${message}\n${indent(stderr)}` : message, options);
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Splits a text stream into lines; `\r` counts as a line end too (ffmpeg's progress lines). */
export class LineSplitter {
  private partial = '';

  /** Adds text; returns the non-empty lines it completed. */
  push(text: string): string[] {
    const parts = (this.partial + text).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? '';
    return parts.filter((line) => line.trim() !== '');
  }

  /** The unterminated last line, if any. */
  rest(): string {
    return this.partial;
  }
}

/** Keeps the last lines ffmpeg wrote to stderr, for error messages. */
export class StderrTail {
  private lines: string[] = [];
  constructor(private readonly maxLines = 20) {}

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

export type { ToolProcess };

/**
 * The environment tools run in: vbuild's, plus `LD_PROFILE` naming no library, which makes glibc's
 * dynamic loader bind every library's functions lazily (profiling needs the lazy binding, and a
 * name that matches nothing profiles nothing). Debian's ffmpeg is linked with `-z now` against 215
 * libraries: binding all of their functions at each start was 45 % of the start's CPU (81 -> 44 ms
 * for `ffprobe -version`, docs/analysis/pipeline.md, session 11), and vbuild starts several tools per
 * video. The price: calls between the libraries then pass through the loader's profiling
 * trampoline, about 1.5 % of a decode's or an x264 encode's CPU (perf), far less than the starts
 * save on a short video. The tools compute exactly what they would otherwise; a static or non-glibc
 * build ignores the variable, and one the user set is kept.
 */
export function toolEnvironment(): NodeJS.ProcessEnv {
  return process.env.LD_PROFILE === undefined ? { ...process.env, LD_PROFILE: LAZY_BINDING_PROFILE } : process.env;
}

/** A shared-object name no library has (see toolEnvironment). */
export const LAZY_BINDING_PROFILE = 'vbuild-lazy-binding';

/** Starts a tool with stdin closed and stdout/stderr piped, and `extraPipes` more outputs from fd 3 on (`pipe:3`, ...). */
export function spawnTool(tool: Tool, args: readonly string[], extraPipes = 0): Promise<ToolProcess> {
  return launch(locate(tool).path, args, extraPipes, toolEnvironment());
}

export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Runs a tool to completion, collecting stdout. Rejects with a MediaError naming `file`
 * when it exits non-zero, cannot start, or `signal` aborts it (then with the abort reason).
 */
export async function runTool(
  tool: Tool,
  args: readonly string[],
  file: string,
  opts: { signal?: AbortSignal; what?: string } = {},
): Promise<RunResult> {
  const { signal, what = `${tool} failed on "${file}"` } = opts;
  signal?.throwIfAborted();
  const child = await spawnTool(tool, args);
  return new Promise((resolve, reject) => {
    const stdout: Buffer[] = [];
    const lines = new LineSplitter();
    const tail = new StderrTail();
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    // Aborted while it was being started: the listener came too late to hear it.
    if (signal?.aborted) onAbort();
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.setEncoding('utf8').on('data', (text: string) => lines.push(text).forEach((line) => tail.add(line)));
    child.on('error', (cause) => {
      signal?.removeEventListener('abort', onAbort);
      reject(new MediaError(`${what}: cannot run ${locate(tool).path}`, file, '', { cause }));
    });
    child.on('close', (code, killedBy) => {
      signal?.removeEventListener('abort', onAbort);
      if (lines.rest().trim()) tail.add(lines.rest());
      if (signal?.aborted) reject(signal.reason);
      else if (code === 0) resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: tail.toString() });
      else reject(new MediaError(`${what} (${killedBy ?? `exit ${code}`})`, file, tail.toString()));
    });
  });
}

/** Arguments every ffmpeg run starts with: quiet banner, no interactive stdin, no progress lines. */
export const FFMPEG_BASE_ARGS = ['-hide_banner', '-nostdin', '-nostats'] as const;

/**
 * Decodes for analysis, checks and thumbnails run on one thread: vbuild already runs one build per
 * core, so ffmpeg's frame and slice threads only compete with the other builds for the same cores.
 * On the corpus a decode alone then takes 20-30 % less CPU (a whole run 1-6 %), and its frames are
 * the same bytes (docs/analysis/pipeline.md, session 7). The price: one decode on otherwise idle
 * cores takes longer (docs/analysis/scenes.md, session 7). `DECODER_THREAD` is an input option (before each `-i`; ffprobe
 * takes it too), `FILTER_THREAD` a global one. Encoders keep their threads: x264's output depends
 * on its thread count, and a clip's bytes must not change.
 */
export const DECODER_THREAD = ['-threads', '1'] as const;
export const FILTER_THREAD = ['-filter_threads', '1', '-filter_complex_threads', '1'] as const;

export interface FfmpegCapabilities {
  /** libavutil version as [major, minor]. */
  libavutil: [number, number];
  /** `-fps_mode` exists (ffmpeg >= 5.1); older builds only know `-vsync`. */
  hasFpsMode: boolean;
}

let capabilities: Promise<FfmpegCapabilities> | undefined;

/** What the located ffmpeg supports, read once from `ffmpeg -version`. */
export function ffmpegCapabilities(): Promise<FfmpegCapabilities> {
  capabilities ??= runTool('ffmpeg', ['-hide_banner', '-version'], locate('ffmpeg').path).then(
    ({ stdout }) => {
      const match = /libavutil\s+(\d+)\.\s*(\d+)/.exec(stdout);
      const libavutil: [number, number] = match ? [Number(match[1]), Number(match[2])] : [0, 0];
      const [major, minor] = libavutil;
      return { libavutil, hasFpsMode: major > 57 || (major === 57 && minor >= 28) };
    },
  );
  return capabilities;
}

let encoders: Promise<Set<string>> | undefined;

/** The names of the encoders the located ffmpeg has (`libx264`, `libvpx-vp9`, ...), read once. */
export function ffmpegEncoders(): Promise<Set<string>> {
  encoders ??= runTool('ffmpeg', ['-hide_banner', '-encoders'], locate('ffmpeg').path).then(
    ({ stdout }) => new Set([...stdout.matchAll(/^\s*[A-Z.]{6}\s+(\S+)/gm)].map((match) => match[1]!)),
  );
  return encoders;
}

/**
 * Stretches non-square pixels (anamorphic video: SAR 64:45, DV) to the picture's display shape, so
 * faces are measured and shown as a viewer sees them; square pixels pass unchanged. An unknown
 * SAR (0) counts as square.
 */
export const SQUARE_PIXELS_FILTER = "scale=w='if(gt(sar,0)*not(eq(sar,1)),trunc(iw*sar/2)*2,iw)':h=ih,setsar=1";

/** Output option that keeps every frame with its own timestamp (no duplication or dropping). */
export async function passthroughTimingArgs(): Promise<string[]> {
  return (await ffmpegCapabilities()).hasFpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough'];
}

/** Seconds as an ffmpeg time argument: plain decimal with microsecond precision. */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(6);
}
