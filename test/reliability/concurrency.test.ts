/**
 * Issue 8, part 3 on the real pipeline: a second vbuild on a cache in use is refused with the
 * holder's pid, and `--wait` waits and then succeeds. With it, the concurrency users meet most: a
 * video still being copied into the folder while a run reads it.
 */
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BuildStatus } from '../../src/engine/engine.ts';
import { defaultPipelineRig, done, type Result, type Rig, until } from '../helpers/rig.ts';
import { fixtureVideo } from '../helpers/test-data.ts';
import { faceClip, retitled } from './inputs.ts';
import { scaled } from '../helpers/time-limits.ts';

const ARGS = ['all', '--device', 'cpu'];

let rig: Rig;
const video = (file: string) => path.join(rig.dir, 'videos', file);

/** A started vbuild whose stderr can be watched while it runs. */
function watched(child: ChildProcess): { stderr: () => string; finished: Promise<Result> } {
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { stderr: () => stderr, finished: done(child) };
}

async function staleBuilds(extra: readonly string[] = []): Promise<BuildStatus[]> {
  const result = await rig.run(['--dry-run', '--json', '--device', 'cpu', ...extra]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { builds: BuildStatus[] }).builds.filter((each) => each.stale);
}

const clipsOf = (plan: string, source: string): unknown[] =>
  (JSON.parse(plan) as { clips: { source: string }[] }).clips.filter((clip) => clip.source === source);

beforeAll(async () => {
  rig = defaultPipelineRig();
  await faceClip(video('a.mp4'));
  // Converts the embedded models once, so that the runs below spend their time on the videos.
  const first = await rig.run(ARGS);
  expect(first.code, first.stderr).toBe(0);
}, scaled(180_000));

afterAll(() => rig?.cleanup());

describe('a second vbuild on the same cache', () => {
  it('is refused with a message naming the holder; --wait waits, then finds everything built', async () => {
    // 31 s of eight shots: a run long enough to meet while it holds the cache.
    copyFileSync(fixtureVideo('multishot_8shots_640x360_25fps.mp4'), video('b.mp4'));
    const holder = rig.start(ARGS);
    const first = watched(holder);
    await until(() => first.stderr().includes('[detect] b.mp4: running'), 60_000);

    const refused = await rig.run(ARGS);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`is in use by vbuild pid ${holder.pid}`);
    expect(refused.stderr).toContain('pass --wait');
    const status = await rig.run(['status']);
    expect(status.stdout).toContain(`vbuild pid ${holder.pid} is building`);

    const waiting = watched(rig.start([...ARGS, '--wait']));
    await until(() => waiting.stderr().includes(`waiting for pid ${holder.pid}`), 20_000);
    const firstResult = await first.finished;
    expect(firstResult.code, first.stderr()).toBe(0);
    const waited = await waiting.finished;
    expect(waited.code, waiting.stderr()).toBe(0);
    // The waiting run starts after the first one ends, so it has nothing left to build.
    expect(waiting.stderr()).not.toMatch(/: running/);
    expect(waiting.stderr()).toContain('0 ran');
    expect(clipsOf(rig.read('out/plan.json'), 'b.mp4').length).toBeGreaterThan(0);
    expect(await staleBuilds()).toEqual([]);
  }, scaled(120_000));
});

describe('a video still being copied in when the run starts', () => {
  it('fails that video with "changed while it was being …" and caches nothing of it; the run after the copy builds it', async () => {
    const source = await retitled(await faceClip(path.join(rig.dir, 'copy-source.mp4'), 0.4), path.join(rig.dir, 'copy-source-titled.mp4'), 'copied');
    const bytes = readFileSync(source);
    const target = video('copied.mp4');
    let written = Math.floor(bytes.length / 2);
    writeFileSync(target, bytes.subarray(0, written));
    // The copy goes on, 512 bytes every 10 ms, for as long as the run lasts.
    const trickle = setInterval(() => {
      const next = Math.min(written + 512, bytes.length - 1);
      appendFileSync(target, bytes.subarray(written, next));
      written = next;
    }, scaled(10));
    const during = await rig.run(ARGS);
    clearInterval(trickle);
    appendFileSync(target, bytes.subarray(written));

    expect(during.code, during.stderr).toBe(1);
    const failures = during.stderr.split('\n').filter((line) => line.includes('FAILED'));
    expect(failures, during.stderr).toHaveLength(1);
    expect(failures[0]).toMatch(/^\[\w+\] copied\.mp4: FAILED: .*copied\.mp4 changed while it was being (hashed|built)/);
    // The other videos are untouched and still in the plan.
    expect(during.stderr).not.toMatch(/\[\w+\] [ab]\.mp4: running/);
    expect(clipsOf(rig.read('out/plan.json'), 'a.mp4').length).toBeGreaterThan(0);
    expect(clipsOf(rig.read('out/plan.json'), 'copied.mp4')).toEqual([]);

    const after = await rig.run(ARGS);
    expect(after.code, after.stderr).toBe(0);
    expect(await staleBuilds()).toEqual([]);
    const plan = rig.read('out/plan.json');
    expect(clipsOf(plan, 'copied.mp4').length).toBeGreaterThan(0);

    // Nothing built from the half-copied bytes leaked into the result: a clean cache gives the same plan.
    rmSync(path.join(rig.dir, 'out'), { recursive: true, force: true });
    const cleanCache = path.join(rig.dir, 'clean-cache');
    cpSync(path.join(rig.dir, 'cache/models'), path.join(cleanCache, 'models'), { recursive: true });
    const clean = await rig.run([...ARGS, '--cache', cleanCache]);
    expect(clean.code, clean.stderr).toBe(0);
    expect(rig.read('out/plan.json')).toBe(plan);
    console.log(`concurrency: the half-copied video failed once: ${failures[0]}`);
  }, scaled(240_000));
});
