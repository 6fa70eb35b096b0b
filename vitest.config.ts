import { defineConfig } from 'vitest/config';
import { measureSlowdown } from './test/setup/slowdown.ts';

// Measured here, in the main process, so that the workers inherit it (test/helpers/time-limits.ts).
process.env.VBUILD_TEST_SLOWDOWN ||= measureSlowdown().toFixed(2);
const slowdown = Number(process.env.VBUILD_TEST_SLOWDOWN);

/**
 * Every test. `npm test` leaves out the long sweeps, test/reliability and `*.sweep.test.ts` (kill
 * loops, signals, hostile inputs, a check over many more sources than covering each code path
 * takes); `npm run test:reliability` runs those. See the README's testing section.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/setup/run-folder.ts'],
    // A limit only names a hang: several times the slowest test's idle time, scaled to this machine now.
    testTimeout: Math.round(120_000 * slowdown),
    hookTimeout: Math.round(120_000 * slowdown),
    // One more worker than the two cores: a file mostly waits on the processes it starts (vbuild,
    // ffmpeg, Chromium), so two workers kept an idle two-core machine only ~60 % busy
    // (docs/analysis/test-suite.md).
    maxWorkers: 3,
  },
});
