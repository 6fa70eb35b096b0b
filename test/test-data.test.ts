/**
 * Where the optional test data is required (CI sets VBUILD_REQUIRE_TEST_DATA=1 for its run beside
 * the shared data), none of the tests that need it may be skipped: it must be there.
 */
import { describe, expect, it } from 'vitest';
import { missingTestData } from './helpers/test-data.ts';

describe('optional test data', () => {
  it('is present where VBUILD_REQUIRE_TEST_DATA=1 requires it', () => {
    const required = process.env.VBUILD_REQUIRE_TEST_DATA === '1';
    const missing = missingTestData().map((data) => `${data.what} (${data.envVar})`);
    expect(required ? missing : []).toEqual([]);
  });
});
