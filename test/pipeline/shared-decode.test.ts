/**
 * scene_scores and detect of one video started together decode in one ffmpeg (issue 16 decision 1)
 * and store exactly what they store when each decodes alone. shared-decode-kill.sweep.test.ts
 * kills such a run.
 */
import { describe, expect, it } from 'vitest';
import { corpusProjects } from '../detect/fixtures.ts';
import { ARGS, runSeparately, SHARED, storedHashes, VIDEO } from './shared-decode-fixtures.ts';

const project = corpusProjects(VIDEO);

describe('scene_scores and detect started together', () => {
  it('share one decode, even one build at a time, and store the same outputs as separate decodes', async () => {
    const separate = project();
    await runSeparately(separate);

    const fused = project();
    const together = await fused.run([...ARGS, '--jobs', '1']);
    expect(together.code, together.stderr).toBe(0);
    expect(together.stderr).toMatch(SHARED);
    expect(storedHashes(fused)).toEqual(storedHashes(separate));
  });
});
