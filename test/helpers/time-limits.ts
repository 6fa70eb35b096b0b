/**
 * Time limits for tests that wait on real processes. A limit is only there to turn a hang into a
 * failure with a reason; each base value is several times what the wait takes on an idle two-core
 * machine, and it is multiplied by the slowdown measured when the run started
 * (test/setup/slowdown.ts), so a busier or slower machine gets proportionally longer.
 */
const SLOWDOWN = Number(process.env.VBUILD_TEST_SLOWDOWN) || 1;

export const scaled = (ms: number): number => Math.round(ms * SLOWDOWN);
