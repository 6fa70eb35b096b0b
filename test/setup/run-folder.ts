/**
 * Vitest's global setup, once per run in the main process. Everything the run writes to the temp
 * folder goes into one folder of its own: TMPDIR points there before the test workers start, so
 * the tests, the vbuild, ffmpeg and Chromium processes they start, and their leftovers after a
 * kill or a failed assertion all land in it, and the run removes it at the end. The embedded
 * models are converted once into it, and each test's cache starts from that copy
 * (test/helpers/shared-models.ts) instead of converting them again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { embeddedPack } from '../../src/faces/embedded/pack.ts';

/** Set before the workers start, so that they and every process they start inherit both. */
export default async function setup(): Promise<() => void> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'vbuild-tests-'));
  process.env.TMPDIR = root;
  const sharedCache = path.join(root, 'shared-cache');
  await embeddedPack(path.join(sharedCache, 'models'));
  process.env.VBUILD_TEST_SHARED_CACHE = sharedCache;
  return () => rmSync(root, { recursive: true, force: true });
}
