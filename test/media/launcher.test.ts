import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { LAZY_BINDING_PROFILE, locate, runTool, toolEnvironment } from '../../src/media/ffmpeg.ts';
import { closeLauncher, launch, type ToolProcess } from '../../src/media/launcher.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function closed(tool: ToolProcess): Promise<[number | null, NodeJS.Signals | null]> {
  return new Promise((resolve) => tool.on('close', (code, signal) => resolve([code, signal])));
}

/** The first line of a stream; the rest is not read (leaving the loop destroys the stream). */
async function firstLine(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!;
}

/** Whether `pid` still runs: not gone, and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

describe.skipIf(process.platform !== 'linux')('launch: tools started from the helper process', () => {
  afterAll(closeLauncher);

  it('starts a tool as the helper’s child, not this process’s', async () => {
    const tool = await launch('sh', ['-c', 'echo $PPID']);
    const [out] = await Promise.all([readAll(tool.stdout), readAll(tool.stderr)]);
    const parent = Number(out.toString().trim());
    expect(parent).toBeGreaterThan(0);
    expect(parent).not.toBe(process.pid);
    expect(await closed(tool)).toEqual([0, null]);
  });

  it('gives every byte of ffmpeg’s output, as a direct spawn does', async () => {
    const args = ['-hide_banner', '-nostdin', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '3', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
    const direct = spawnSync(locate('ffmpeg').path, args, { maxBuffer: 64 << 20 }).stdout;
    const tool = await launch(locate('ffmpeg').path, args);
    const [out] = await Promise.all([readAll(tool.stdout), readAll(tool.stderr), closed(tool)]);
    expect(out.length).toBe(320 * 240 * 3 * 75);
    expect(createHash('sha256').update(out).digest('hex')).toBe(createHash('sha256').update(direct).digest('hex'));
  });

  it('pipes stderr and extra outputs from fd 3 on, and reports the exit code', async () => {
    const tool = await launch('sh', ['-c', 'printf out; printf err >&2; printf three >&3; printf four >&4; exit 3'], 2);
    const [out, err, three, four, end] = await Promise.all([
      readAll(tool.stdout),
      readAll(tool.stderr),
      readAll(tool.stdio[3]!),
      readAll(tool.stdio[4]!),
      closed(tool),
    ]);
    expect([out, err, three, four].map(String)).toEqual(['out', 'err', 'three', 'four']);
    expect(end).toEqual([3, null]);
    expect(tool.exitCode).toBe(3);
  });

  it('kills a tool with the signal asked for', async () => {
    const tool = await launch('sleep', ['30']);
    const end = closed(tool);
    void readAll(tool.stdout);
    void readAll(tool.stderr);
    expect(tool.kill('SIGKILL')).toBe(true);
    expect(await end).toEqual([null, 'SIGKILL']);
    expect(tool.signalCode).toBe('SIGKILL');
  });

  it('reports a tool that cannot start as an error, as spawn does', async () => {
    const tool = await launch('/nonexistent/vbuild-tool', []);
    const error = new Promise<Error>((resolve) => tool.on('error', resolve));
    const end = closed(tool);
    expect(await error).toMatchObject({ code: 'ENOENT' });
    await end;
  });

  it('fails the tools of a helper that dies, and starts a new helper for the next one', async () => {
    const tool = await launch('sh', ['-c', 'echo $PPID $$; exec sleep 30']);
    const error = new Promise<Error>((resolve) => tool.on('error', resolve));
    const [helper, orphan] = (await firstLine(tool.stdout)).split(' ').map(Number) as [number, number];
    process.kill(helper, 'SIGKILL');
    expect((await error).message).toMatch(/exited/);
    process.kill(orphan, 'SIGKILL');
    const next = await launch('sh', ['-c', 'echo $PPID']);
    const [out] = await Promise.all([readAll(next.stdout), readAll(next.stderr), closed(next)]);
    expect(Number(out.toString().trim())).not.toBe(helper);
  });

  it('kills the tools still running when it is closed', async () => {
    const tool = await launch('sh', ['-c', 'echo $$; exec sleep 30']);
    const pid = Number(await firstLine(tool.stdout));
    const end = closed(tool);
    void readAll(tool.stderr);
    await closeLauncher();
    expect(await end).toEqual([null, 'SIGKILL']);
    // SIGKILL is delivered when the process next runs: the test's own limit bounds the wait.
    while (running(pid)) await sleep(20);
    expect(running(pid)).toBe(false);
  });
});

describe.skipIf(process.platform !== 'linux')('tools start with lazy binding', () => {
  afterAll(closeLauncher);

  it('starts a tool in the environment it is given', async () => {
    const tool = await launch('sh', ['-c', 'echo "$VBUILD_TEST_VALUE"'], 0, { ...process.env, VBUILD_TEST_VALUE: 'given' });
    const [out] = await Promise.all([readAll(tool.stdout), readAll(tool.stderr), closed(tool)]);
    expect(out.toString().trim()).toBe('given');
  });

  /** glibc's dynamic loader's count of the symbol relocations it made at start, from `LD_DEBUG=statistics`. */
  const relocations = (stderr: string) => Number(/final number of relocations: (\d+)/.exec(stderr)?.[1] ?? NaN);

  it('binds fewer symbols at start than the tool alone, and prints the same', async () => {
    const tool = locate('ffprobe').path;
    const alone = spawnSync(tool, ['-version'], { env: { ...process.env, LD_DEBUG: 'statistics' }, encoding: 'utf8' });
    process.env.LD_DEBUG = 'statistics';
    try {
      const started = await runTool('ffprobe', ['-version'], tool);
      expect(started.stdout).toBe(alone.stdout);
      // A static build (the npm-shipped fallback) has no dynamic loader to count anything.
      if (Number.isNaN(relocations(alone.stderr))) return;
      expect(relocations(started.stderr)).toBeLessThan(relocations(alone.stderr));
    } finally {
      delete process.env.LD_DEBUG;
    }
  });

  it('keeps an LD_PROFILE the user set', () => {
    process.env.LD_PROFILE = 'libexample.so';
    try {
      expect(toolEnvironment().LD_PROFILE).toBe('libexample.so');
    } finally {
      delete process.env.LD_PROFILE;
    }
    expect(toolEnvironment().LD_PROFILE).toBe(LAZY_BINDING_PROFILE);
  });
});
