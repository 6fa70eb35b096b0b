/**
 * detect through the real `vbuild` executable and the real pipeline.config.ts: a run killed with
 * SIGKILL resumes to the same bytes, and the key holds the model pack and sampling, nothing else.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Rig, done, until } from '../helpers/rig.ts';
import type { BuildStatus } from '../../src/engine/engine.ts';
import { lacks, TEST_MODELS } from '../helpers/test-data.ts';
import { corpusProjects, editedScrfdPack, removePacks, scrfdPack } from './fixtures.ts';
import { scaled } from '../helpers/time-limits.ts';

const VIDEO = 'hamilton_whitehouse_cuts_640x360.mp4';
const ITEM = 'hamilton_whitehouse_cuts_640x360';
/** Its frames at 5 samples/s: pts 0.852 to 10.03 s. */
const SAMPLES = 46;

/** A project folder with one corpus video and the repository's pipeline. */
const project = corpusProjects(VIDEO);

/** detect's journal of an unfinished build (cache/work/<key>/detections.jsonl), if there is one. */
function journalFile(rig: Rig): string | undefined {
  const work = path.join(rig.dir, 'cache/work');
  if (!existsSync(work)) return undefined;
  return readdirSync(work)
    .map((key) => path.join(work, key, 'detections.jsonl'))
    .find((file) => existsSync(file));
}

function journalLines(rig: Rig): number {
  const file = journalFile(rig);
  return file === undefined ? 0 : readFileSync(file, 'utf8').split('\n').length - 1;
}

/** A project whose `vbuild <args>` was killed with SIGKILL once its journal held `lines` lines. */
async function killedAfter(args: readonly string[], lines: number): Promise<Rig> {
  const rig = project();
  const child = rig.start(args);
  const finished = done(child);
  await until(() => journalLines(rig) >= lines, 60_000);
  child.kill('SIGKILL');
  await finished;
  return rig;
}

async function dryRun(rig: Rig, args: readonly string[]): Promise<BuildStatus[]> {
  const result = await rig.run(['-n', '--json', ...args]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { builds: BuildStatus[] }).builds;
}

const staleRules = (builds: readonly BuildStatus[]) => builds.filter((b) => b.stale).map((b) => b.rule).sort();

/** Rules stale for a reason of their own, not only because a rule they read is. */
const staleOnTheirOwn = (builds: readonly BuildStatus[]) =>
  builds.filter((b) => b.reasons.some((r) => !r.startsWith('dependency stale:'))).map((b) => b.rule).sort();

/** Rules that do not read detect's output, directly or not. */
const BESIDE_DETECT = ['scan', 'scene_scores', 'scenes'];
const fresh = (builds: readonly BuildStatus[], rules: readonly string[]) => builds.filter((b) => rules.includes(b.rule) && !b.stale).map((b) => b.rule).sort();

describe.skipIf(lacks(TEST_MODELS, 'detect in vbuild with SCRFD-500M'))('detect in vbuild', () => {
  afterAll(removePacks);

  it('resumes a run killed with SIGKILL to a journal byte-identical to an uninterrupted one', async () => {
    const pack = scrfdPack();
    // Dense sampling, small batches: long enough to be killed mid-run, short on two cores.
    const args = ['detect', '--models', pack, '--sample-fps', '5', '--device', 'cpu', '--threads', '1', '--batch', '2'];

    const reference = project();
    const whole = await reference.run(args);
    expect(whole.code, whole.stderr).toBe(0);
    const expected = await reference.run(['cat', 'detect', ITEM, 'detections.jsonl']);
    expect(expected.stdout.split('\n').length - 1).toBe(SAMPLES);

    const killed = await killedAfter(args, 8);
    const kept = journalLines(killed);
    expect(kept).toBeLessThan(SAMPLES);

    const resumed = await killed.run(args);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`${SAMPLES} frames, \\d+ faces, 0 frame errors \\(resumed after ${kept}\\)`));
    const actual = await killed.run(['cat', 'detect', ITEM, 'detections.jsonl']);
    expect(actual.stdout).toBe(expected.stdout);

    // A journal whose last frame the decoder cannot land on (here: its time moved off every
    // frame's pts) is not continued, and does not keep the video failing: detect starts over.
    const stuck = await killedAfter(args, 4);
    const file = journalFile(stuck)!;
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    const last = JSON.parse(lines.at(-1)!) as { t: number };
    lines[lines.length - 1] = JSON.stringify({ ...last, t: last.t + 0.0123 });
    writeFileSync(file, `${lines.join('\n')}\n`);
    const restarted = await stuck.run(args);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stderr).toMatch(/cannot resume detections: .*; starting over/);
    expect(restarted.stderr).toMatch(new RegExp(`${SAMPLES} frames, \\d+ faces, 0 frame errors;`));
    expect((await stuck.run(['cat', 'detect', ITEM, 'detections.jsonl'])).stdout).toBe(expected.stdout);
    // Four real runs of detect: 103 s alone on two cores, past 120 s beside the rest of the suite.
  }, scaled(600_000));

  it('re-runs for another pack or sample rate, and never for another rule’s params or how it runs', async () => {
    const rig = project();
    const pack = scrfdPack();
    const built = await rig.run(['all', '--models', pack, '--sample-fps', '0.5', '--device', 'cpu']);
    expect(built.code, built.stderr).toBe(0);
    expect(staleRules(await dryRun(rig, ['all', '--models', pack, '--sample-fps', '0.5']))).toEqual([]);

    // The same pack spelled another way: nothing to do.
    expect(staleRules(await dryRun(rig, ['all', '--models', path.relative(rig.dir, pack), '--sample-fps', '0.5']))).toEqual([]);
    // How detect runs is not what it finds.
    expect(staleRules(await dryRun(rig, ['all', '--models', pack, '--sample-fps', '0.5', '--threads', '2', '--batch', '3', '--device', 'auto']))).toEqual([]);

    // A detector file of other content re-runs detect (and what reads it), nothing else.
    const switched = await dryRun(rig, ['all', '--models', editedScrfdPack(), '--sample-fps', '0.5']);
    expect(staleOnTheirOwn(switched)).toEqual(['detect']);
    expect(fresh(switched, BESIDE_DETECT)).toEqual([...BESIDE_DETECT].sort());
    // Extra inputs count by content and base name, so the reason names the model file.
    expect(switched.find((b) => b.rule === 'detect')!.reasons).toEqual(['input changed: extra det_500m.onnx']);

    const resampled = await dryRun(rig, ['all', '--models', pack, '--sample-fps', '1']);
    expect(staleOnTheirOwn(resampled)).toEqual(['detect']);
    expect(fresh(resampled, BESIDE_DETECT)).toEqual([...BESIDE_DETECT].sort());
    expect(resampled.find((b) => b.rule === 'detect')!.reasons).toEqual(['param sample_fps: 0.5 -> 1']);

    // Shot detection's params never touch detect.
    const rescened = await dryRun(rig, ['all', '--models', pack, '--sample-fps', '0.5', '--adaptive-threshold', '2.5']);
    expect(staleOnTheirOwn(rescened)).toEqual(['scenes']);
    expect(fresh(rescened, ['detect'])).toEqual(['detect']);
  });
});
