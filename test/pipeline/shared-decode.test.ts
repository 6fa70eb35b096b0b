/**
 * scene_scores and detect of one video started together decode in one ffmpeg (issue 16 decision 1)
 * and store exactly what they store when each decodes alone. shared-decode-kill.sweep.test.ts
 * kills such a run.
 */
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { corpusProjects } from '../detect/fixtures.ts';
import { ARGS, SHARED, storedHashes, VIDEO } from './shared-decode-fixtures.ts';

const project = corpusProjects(VIDEO);

// Both builds claim a core each: one core has no room to start them together.
describe.skipIf(availableParallelism() < 2)('scene_scores and detect started together', () => {
  it('share one decode and store the same outputs as separate decodes', async () => {
    const separate = project();
    const alone = await separate.run([...ARGS, '--jobs', '1']);
    expect(alone.code, alone.stderr).toBe(0);
    expect(alone.stderr).not.toMatch(SHARED);

    const fused = project();
    const together = await fused.run([...ARGS, '--jobs', '2']);
    expect(together.code, together.stderr).toBe(0);
    expect(together.stderr).toMatch(SHARED);
    expect(storedHashes(fused)).toEqual(storedHashes(separate));
  });
});
