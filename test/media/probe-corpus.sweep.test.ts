/**
 * probe's keyframe list over every video of the shared corpus (probe.test.ts checks the fixtures):
 * one of the long sweeps, `npm run test:reliability`.
 */
import { describe, it } from 'vitest';
import { lacks, TEST_CORPUS } from '../helpers/test-data.ts';
import { expectKeyframeLists } from './keyframe-lists.ts';
import { CORPUS } from './media-fixtures.ts';

describe.skipIf(lacks(TEST_CORPUS, 'probe over every corpus video'))('probe on the corpus', () => {
  it('gives every corpus video an ascending keyframe list that starts at its first frame', () => expectKeyframeLists(CORPUS, 10));
});
