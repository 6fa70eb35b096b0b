/**
 * detect through the real `vbuild` executable and the real pipeline.config.ts: the key holds the
 * model pack and sampling, nothing else. A run killed with SIGKILL resuming to the same bytes is
 * detect-resume.sweep.test.ts (`npm run test:reliability`).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Rig } from '../helpers/rig.ts';
import type { BuildStatus } from '../../src/engine/engine.ts';
import { lacks, TEST_MODELS } from '../helpers/test-data.ts';
import { corpusProjects, editedScrfdPack, removePacks, scrfdPack } from './fixtures.ts';

/** A project folder with one corpus video and the repository's pipeline. */
const project = corpusProjects('hamilton_whitehouse_cuts_640x360.mp4');

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
