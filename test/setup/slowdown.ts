/**
 * How much slower than usual this machine runs right now, measured once when the run starts: a
 * fixed single-threaded workload (hashing 640 MB) against the time it takes on one free core of
 * the two-core machine the tests' time limits were set on. A slower CPU or other jobs beside the
 * suite raise it; a faster machine does not lower it below 1. The time limits are multiplied by
 * it (test/helpers/time-limits.ts), so a test that only waits longer on a busy machine does not
 * fail there. `VBUILD_TEST_SLOWDOWN` overrides the measurement.
 */
import { createHash } from 'node:crypto';

/** The workload's wall time on one free core of the reference machine (2 cores, load below 1). */
const REFERENCE_MS = 450;

export function measureSlowdown(): number {
  const block = Buffer.alloc(16 << 20, 7);
  const started = performance.now();
  for (let i = 0; i < 40; i++) createHash('sha256').update(block).digest();
  return Math.max(1, (performance.now() - started) / REFERENCE_MS);
}
