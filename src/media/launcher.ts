/**
 * Starts ffmpeg and ffprobe from a small helper process instead of from vbuild's own.
 *
 * Why: Node starts a child with fork() and exec(), and fork() marks every page of the parent
 * copy-on-write. While detect runs, vbuild's process is large (onnxruntime's arenas, the analysis
 * threads' heaps, frames in flight), and after each start its next write to each of those pages
 * takes a page fault. A fresh corpus run starts about 130 tools: 1.3 million faults, a quarter of
 * the run's CPU on this project's 2-core VM (docs/analysis/pipeline.md, session 8). The helper is a
 * bare Node process (launcher-process.mjs), forked once while vbuild is still small; the tools are
 * forked from it.
 *
 * The tools' output never passes through the helper. Each pipe is a connected pair of Unix
 * sockets, which is what Node's own `stdio: 'pipe'` gives a child on Linux: vbuild makes the pair,
 * keeps the reading end, and hands the other end to the helper, which gives it to the tool as its
 * fd 1, 2, 3, ... So bytes go from ffmpeg to vbuild as directly as before. vbuild makes the pairs
 * rather than the helper so that no byte can ever be read on the wrong side: the helper only ever
 * holds writing ends.
 *
 * Linux only (the address is an abstract socket name, and macOS and Windows do not fork to start a
 * process); elsewhere `launch` spawns directly.
 */

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { once, EventEmitter } from 'node:events';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';

/** A started tool: what vbuild's callers use of a ChildProcess. */
export interface ToolProcess {
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** By fd: stdin (null, it reads /dev/null), stdout, stderr, then the extra pipes from fd 3 on. */
  readonly stdio: readonly (Readable | null)[];
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal: NodeJS.Signals): boolean;
  /** After the tool exited and all its pipes closed, as ChildProcess's `close`. */
  on(event: 'close', listener: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  /** It could not be started (ENOENT, EACCES, ...), or the helper died under it. */
  on(event: 'error', listener: (error: Error) => void): this;
}

/** Messages to the helper; each `pipe` carries one socket end as its handle. */
type LauncherRequest =
  | { type: 'pipe'; id: number; fd: number }
  | { type: 'spawn'; id: number; file: string; args: readonly string[]; env: NodeJS.ProcessEnv; cwd: string }
  | { type: 'kill'; id: number; signal: NodeJS.Signals };

/** Messages from the helper. */
type LauncherReport =
  | { type: 'error'; id: number; message: string; code?: string }
  | { type: 'exit'; id: number; code: number | null; signal: NodeJS.Signals | null };

interface Launcher {
  helper: ChildProcess;
  server: net.Server;
  address: string;
  /** Tools started and not yet reported exited, by request id. */
  running: Map<number, LaunchedTool>;
  nextId: number;
  /** Socket pairs are made one after another: the next connection accepted is the one just made. */
  pairing: Promise<unknown>;
  /** Resolves when the helper has exited. */
  exited: Promise<void>;
  /** Set as it exits, before `exited`'s reactions run: a tool registered later would never hear. */
  ended: boolean;
}

/**
 * One launcher per process, not per copy of this module: vbuild's CLI and the config it loads hold
 * separate copies of the media modules (tsx loads the config under a namespace of its own).
 */
const state = ((globalThis as Record<symbol, { launcher?: Launcher } | undefined>)[Symbol.for('vbuild.launcher')] ??= {});

/**
 * Starts `file` with stdin on /dev/null, stdout and stderr piped, and `extraPipes` more pipes from
 * fd 3 on, in `env` (vbuild's own environment by default).
 */
export async function launch(file: string, args: readonly string[], extraPipes = 0, env: NodeJS.ProcessEnv = process.env): Promise<ToolProcess> {
  const pipes = 2 + extraPipes;
  if (process.platform !== 'linux') {
    const stdio: ('ignore' | 'pipe')[] = ['ignore', ...Array.from({ length: pipes }, () => 'pipe' as const)];
    return spawn(file, args, { stdio, env, windowsHide: true }) as unknown as ToolProcess;
  }
  if (state.launcher?.ended) state.launcher = undefined;
  const launcher = (state.launcher ??= startLauncher());
  const id = launcher.nextId++;
  const ends = await Promise.all(Array.from({ length: pipes }, () => socketPair(launcher)));
  // The helper died while the pipes were being made: its reports are over, so a new one starts it.
  if (launcher.ended) {
    for (const pair of ends) pair.forEach((end) => end.destroy());
    return launch(file, args, extraPipes, env);
  }
  const tool = new LaunchedTool(launcher, id, ends.map(([reading]) => reading));
  launcher.running.set(id, tool);
  holdOpen(launcher);
  ends.forEach(([, writing], i) => send(launcher, { type: 'pipe', id, fd: i + 1 }, writing));
  send(launcher, { type: 'spawn', id, file, args, env, cwd: process.cwd() });
  return tool;
}

/**
 * Ends the helper, killing the tools still running, and waits for it: so that it, and the CPU it
 * and its tools used, end with vbuild's process (a benchmark's `/usr/bin/time` counts them). A
 * later `launch` starts a new one.
 */
export async function closeLauncher(): Promise<void> {
  const launcher = state.launcher;
  if (!launcher) return;
  state.launcher = undefined;
  launcher.server.close();
  // Referenced again: an idle helper does not keep vbuild alive, but vbuild must live to reap it.
  launcher.helper.ref();
  if (launcher.helper.connected) launcher.helper.disconnect();
  await launcher.exited;
}

function startLauncher(): Launcher {
  const helper = fork(fileURLToPath(new URL('./launcher-process.mjs', import.meta.url)), [], {
    // The helper needs neither tsx nor vbuild's flags; its own errors go to vbuild's stderr.
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const address = `\0vbuild-launcher-${process.pid}-${Math.random().toString(36).slice(2)}`;
  const server = net.createServer().listen(address);
  server.unref();
  const launcher: Launcher = {
    helper,
    server,
    address,
    running: new Map(),
    nextId: 0,
    pairing: once(server, 'listening'),
    exited: new Promise((resolve) => {
      const end = () => {
        launcher.ended = true;
        resolve();
      };
      helper.once('exit', end);
      // Not started at all (no pid, so no exit to come): its tools fail as a dead helper's do.
      helper.on('error', () => helper.pid === undefined && end());
    }),
    ended: false,
  };
  helper.on('message', (report: LauncherReport) => {
    const tool = launcher.running.get(report.id);
    if (!tool) return;
    launcher.running.delete(report.id);
    if (report.type === 'exit') tool.exited(report.code, report.signal);
    else tool.failed(Object.assign(new Error(report.message), { code: report.code }));
    holdOpen(launcher);
  });
  // A helper that exits takes its tools' reports with it: their callers must not wait forever.
  // Closed, it killed them; died, it left them without anyone to report them.
  void launcher.exited.then(() => {
    const closed = state.launcher !== launcher;
    if (!closed) state.launcher = undefined;
    server.close();
    for (const tool of launcher.running.values()) {
      if (closed) tool.exited(null, 'SIGKILL');
      else tool.failed(new Error('the process that started this tool exited'));
    }
    launcher.running.clear();
  });
  return launcher;
}

/** The helper keeps vbuild alive only while one of its tools runs. */
function holdOpen(launcher: Launcher): void {
  const busy = launcher.running.size > 0;
  const channel = launcher.helper.channel;
  if (busy) {
    launcher.helper.ref();
    channel?.ref();
  } else {
    launcher.helper.unref();
    channel?.unref();
  }
}

function send(launcher: Launcher, request: LauncherRequest, handle?: net.Socket): void {
  // A helper that has exited fails the tool through `exited`; the send's own error says nothing more.
  launcher.helper.send(request, handle, () => undefined);
}

/** A connected pair of Unix sockets: the end vbuild reads, and the end the tool writes. */
function socketPair(launcher: Launcher): Promise<[reading: net.Socket, writing: net.Socket]> {
  const pair = launcher.pairing.then(async () => {
    const accepted = once(launcher.server, 'connection') as Promise<[net.Socket]>;
    const reading = net.connect(launcher.address);
    const [[writing]] = await Promise.all([accepted, once(reading, 'connect')]);
    return [reading, writing] as [net.Socket, net.Socket];
  });
  launcher.pairing = pair.catch(() => undefined);
  return pair;
}

/** A tool the helper started, seen from vbuild: the reading ends of its pipes and its reports. */
class LaunchedTool extends EventEmitter implements ToolProcess {
  readonly stdio: readonly (Readable | null)[];
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  #reported = false;

  constructor(
    private readonly launcher: Launcher,
    private readonly id: number,
    pipes: readonly net.Socket[],
  ) {
    super();
    this.stdio = [null, ...pipes];
  }

  get stdout(): Readable {
    return this.stdio[1]!;
  }

  get stderr(): Readable {
    return this.stdio[2]!;
  }

  kill(signal: NodeJS.Signals): boolean {
    if (this.#reported) return false;
    send(this.launcher, { type: 'kill', id: this.id, signal });
    return true;
  }

  /** The tool exited: `close` follows once every pipe has closed, as a ChildProcess's does. */
  exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.#reported = true;
    this.exitCode = code;
    this.signalCode = signal;
    const open = this.stdio.filter((pipe): pipe is Readable => pipe !== null && !pipe.closed);
    let left = open.length;
    if (left === 0) this.emit('close', code, signal);
    for (const pipe of open) pipe.once('close', () => --left === 0 && this.emit('close', code, signal));
  }

  /** Not started, or lost with the helper: its pipes are closed, so readers end too. */
  failed(error: Error): void {
    this.#reported = true;
    this.emit('error', error);
    for (const pipe of this.stdio) pipe?.destroy();
    this.emit('close', null, null);
  }
}
