/**
 * The embedded models converted once per run (test/setup/run-folder.ts). A test cache starts from a
 * copy of them, as a user's cache does after the first run; the conversion itself is tested on its
 * own (test/embedded/pack.test.ts). Outside a test run (the benchmarks) the working directory's
 * ./cache is the shared cache, as it is for vbuild.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { embeddedPack, type EmbeddedPack } from '../../src/faces/embedded/pack.ts';

/** A cache folder whose `models/` holds the converted pack; tests read it and never write it. */
export const sharedCache = (): string => process.env.VBUILD_TEST_SHARED_CACHE || path.join(process.cwd(), 'cache');

/** The converted pack, found in the shared cache. */
export const sharedPack = (): Promise<EmbeddedPack> => embeddedPack(path.join(sharedCache(), 'models'));

/** Puts a copy of the converted models into `cacheDir`, a cache folder of the test's own. */
export function seedModels(cacheDir: string): void {
  cpSync(path.join(sharedCache(), 'models'), path.join(cacheDir, 'models'), { recursive: true });
}
