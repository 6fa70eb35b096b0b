import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { acquireLock } from '../../engine/lock.ts';
import { CacheState } from '../../engine/state.ts';
import type { CommandContext } from '../context.ts';

/**
 * `vbuild gc`: deletes stored objects that no trace and no run-cache entry names, and staging
 * left by killed runs. Journals of interrupted builds are resume points: kept unless --journals.
 * The run cache is what makes going back to earlier params free, so it is kept whole unless
 * `--older-than` says how long an entry may go unused (the entries of the current builds always
 * stay); journals not written to for that long go with them.
 */
export async function gcCommand(ctx: CommandContext): Promise<number> {
  const lock = await acquireLock(CacheState.lockFileOf(ctx.cacheDir), { wait: ctx.options.wait });
  const state = CacheState.open(ctx.cacheDir);
  try {
    await state.clearStaging();
    const live = new Set<string>();
    const current = new Set<string>();
    for (const [, trace] of state.traces.entries()) {
      current.add(trace.key);
      for (const hash of Object.values(trace.outputs)) live.add(hash);
    }
    const { olderThan } = ctx.options;
    const cutoff = olderThan === undefined ? undefined : Date.now() - olderThan;
    let forgotten = 0;
    for (const [key, run] of [...state.runs.entries()]) {
      // An entry without a use time predates them: it counts as unused.
      if (cutoff !== undefined && !current.has(key) && !(Date.parse(run.usedAt ?? '') >= cutoff)) {
        state.runs.delete(key);
        forgotten++;
        continue;
      }
      for (const hash of Object.values(run.outputs)) live.add(hash);
    }
    let removed = 0;
    let bytes = 0;
    for (const shard of await readdir(state.objectsDir).catch(() => [] as string[])) {
      for (const hash of await readdir(path.join(state.objectsDir, shard))) {
        if (live.has(hash)) continue;
        const file = path.join(state.objectsDir, shard, hash);
        bytes += (await stat(file)).size;
        await rm(file);
        state.statCache.forget(file);
        removed++;
      }
    }
    let journals = 0;
    if (ctx.options.journals) {
      journals = (await readdir(state.workRoot).catch(() => [])).length;
      await rm(state.workRoot, { recursive: true, force: true });
    } else if (cutoff !== undefined) {
      // A journal nobody resumed in that long is as unused as a run-cache entry.
      for (const key of await readdir(state.workRoot).catch(() => [] as string[])) {
        const dir = state.workDir(key);
        if ((await lastWritten(dir)) >= cutoff) continue;
        await rm(dir, { recursive: true, force: true });
        journals++;
      }
    }
    ctx.stdout.write(
      'vbuild gc: ' +
        (cutoff === undefined ? '' : `forgot ${forgotten} run-cache entries unused since ${new Date(cutoff).toISOString()}; `) +
        `removed ${removed} objects (${(bytes / 1e6).toFixed(1)} MB), kept ${live.size}` +
        (ctx.options.journals || cutoff !== undefined ? `; removed ${journals} journals of interrupted builds` : '') +
        '\n',
    );
    return 0;
  } finally {
    state.close();
    await lock.release();
  }
}

/** The newest mtime of a journal folder and the files in it (ms). */
async function lastWritten(dir: string): Promise<number> {
  let newest = (await stat(dir)).mtimeMs;
  for (const name of await readdir(dir)) newest = Math.max(newest, (await stat(path.join(dir, name))).mtimeMs);
  return newest;
}

