import { configDefaults, defineConfig } from 'vitest/config';
import { measureSlowdown } from './test/setup/slowdown.ts';

/**
 * The long sweeps: test/reliability (SIGKILL loops, the signal sweep, the hostile-input folder,
 * the other multi-run cases) and any `*.sweep.test.ts` (a check run over many more sources or
 * kills than the default run needs to cover each code path once). `npm run test:reliability`
 * (vitest.reliability.config.ts) runs them; CI runs it beside `npm test`, which leaves them out.
 */
export const LONG_SWEEPS = ['test/reliability/**/*.test.ts', 'test/**/*.sweep.test.ts'];

// Measured here, in the main process, so that the workers inherit it (test/helpers/time-limits.ts).
process.env.VBUILD_TEST_SLOWDOWN ||= measureSlowdown().toFixed(2);
const slowdown = Number(process.env.VBUILD_TEST_SLOWDOWN);

/** What both runs share. */
export const common = {
  globalSetup: ['test/setup/run-folder.ts'],
  // A limit only names a hang: several times the slowest test's idle time, scaled to this machine now.
  testTimeout: Math.round(120_000 * slowdown),
  hookTimeout: Math.round(120_000 * slowdown),
  // Integration tests spawn ffmpeg and real child processes; two cores.
  maxWorkers: 2,
};

export default defineConfig({
  test: { ...common, include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...LONG_SWEEPS] },
});
