/**
 * score through the real `vbuild` executable and the repository's pipeline.config.ts: a scoring
 * threshold re-runs score (and what depends on it), never detect, scenes or track; going back to
 * the earlier value is restored from the run cache.
 */
import { describe, expect, it } from 'vitest';
import type { BuildStatus } from '../../src/engine/engine.ts';
import { corpusProjects, scrfdPack } from '../detect/fixtures.ts';
import { lacks, TEST_CORPUS, TEST_MODELS } from '../helpers/test-data.ts';
import type { SegmentsFile } from '../../src/artifacts/score.ts';

const VIDEO = 'woman_interview_threequarter_720p.mp4';
const UPSTREAM = ['detect', 'scene_scores', 'scenes', 'track'];

const project = corpusProjects(VIDEO);

describe.skipIf(lacks([TEST_MODELS, TEST_CORPUS], 'score in vbuild'))('score in vbuild', () => {
  it('--max-yaw re-runs score only, and going back is restored from the run cache', async () => {
    const rig = project();
    const common = ['--models', scrfdPack(), '--device', 'cpu', '--threads', '1'];
    const run = async (args: readonly string[]) => {
      const result = await rig.run([...args, ...common]);
      expect(result.code, result.stderr).toBe(0);
      return result;
    };
    const dryRun = async (args: readonly string[]) => (JSON.parse((await run(['-n', '--json', ...args])).stdout) as { builds: BuildStatus[] }).builds;
    const segments = async () => JSON.parse((await run(['cat', 'score', VIDEO, 'segments.json'])).stdout) as SegmentsFile;

    await run(['score']);
    const lenient = await segments();

    // 20°: the limit that drops the first samples of her 3/4 view (corpus.test.ts).
    const strict = await dryRun(['score', '--max-yaw', '20']);
    expect(strict.filter((b) => b.stale)).toEqual([expect.objectContaining({ rule: 'score', reasons: ['param max_yaw: 75 -> 20'] })]);
    // Over the whole pipeline, whatever follows score may be stale; nothing it reads is.
    const everything = await dryRun(['all', '--max-yaw', '20']);
    for (const build of everything.filter((b) => UPSTREAM.includes(b.rule))) expect(build.stale, build.rule).toBe(false);

    await run(['score', '--max-yaw', '20']);
    expect((await segments()).segments[0]!.start).toBeGreaterThan(lenient.segments[0]!.start);

    const back = await dryRun(['score']);
    expect(back.filter((b) => b.stale)).toEqual([expect.objectContaining({ rule: 'score', reasons: ['param max_yaw: 20 -> 75'] })]);
    const restored = await run(['score']);
    expect(restored.stderr).toMatch(/0 ran, 1 restored from cache/);
    expect(await segments()).toEqual(lenient);
  });
});
