import { readdir, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where workers stage a build's outputs in the shared cache, until its coordinator collects them.
 * Not under tmp/, which every coordinator empties at its start: a build a worker finished, or is
 * running, for a coordinator that was killed is collected by the next one.
 */
export const STAGING_FOLDER = 'staged';

/**
 * A worker refreshes the time of the staged folder of a build it is running this often, so that
 * `vbuild gc` can tell a long build's folder from one nobody will collect.
 */
const TOUCH_EVERY_MS = 10 * 60_000;

/**
 * A staged folder untouched this long is abandoned: its worker stopped refreshing it (died or
 * finished) and a finished job's result, which names it, is kept in Redis for an hour.
 */
export const ABANDONED_AFTER_MS = 2 * 3600_000;

/** Keeps `dir`'s time fresh while a build runs; call the result when it ends. */
export function keepFresh(dir: string): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    utimes(dir, now, now).catch(() => undefined);
  }, TOUCH_EVERY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Removes the staged folders under `cacheDir` untouched for ABANDONED_AFTER_MS; returns how many. */
export async function removeAbandonedStaging(cacheDir: string, now = Date.now()): Promise<number> {
  const root = path.join(cacheDir, STAGING_FOLDER);
  let removed = 0;
  for (const name of await readdir(root).catch(() => [] as string[])) {
    const dir = path.join(root, name);
    const touched = (await stat(dir).catch(() => undefined))?.mtimeMs;
    if (touched === undefined || now - touched < ABANDONED_AFTER_MS) continue;
    await rm(dir, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
