/**
 * A run killed with SIGKILL while scene_scores and detect share one decode resumes both: detect
 * from its journal (decoding alone from there), scene_scores from the start; what they store is
 * what separate decodes store. A sweep (`npm run test:reliability`): three real runs.
 */
import { describe, expect, it } from 'vitest';
import { done, until } from '../helpers/rig.ts';
import { scaled } from '../helpers/time-limits.ts';
import { corpusProjects, journalLines } from '../detect/fixtures.ts';
import { ARGS, runSeparately, SHARED, storedHashes, VIDEO } from './shared-decode-fixtures.ts';

const project = corpusProjects(VIDEO);
/** Dense sampling, small batches: long enough to be killed midway. */
const DENSE = ['--sample-fps', '5', '--batch', '2'];
const KILLABLE = [...ARGS, ...DENSE];

describe('a killed run of scene_scores and detect sharing a decode', () => {
  it('resumes both to the outputs of separate decodes', async () => {
    const separate = project();
    await runSeparately(separate, DENSE);

    const killed = project();
    const child = killed.start([...KILLABLE, '--jobs', '2']);
    const finished = done(child);
    await until(() => journalLines(killed) >= 8, scaled(60_000));
    child.kill('SIGKILL');
    expect((await finished).stderr).toMatch(SHARED);
    const kept = journalLines(killed);

    const resumed = await killed.run([...KILLABLE, '--jobs', '2']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(new RegExp(`\\(resumed after ${kept}\\)`));
    expect(resumed.stderr).not.toMatch(SHARED);
    expect(storedHashes(killed)).toEqual(storedHashes(separate));
  });
});
