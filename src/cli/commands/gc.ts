import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { acquireLock } from '../../engine/lock.ts';
import { CacheState } from '../../engine/state.ts';
import type { CommandContext } from '../context.ts';

/**
 * `vbuild gc`: deletes stored objects that no trace and no run-cache entry names, and staging
 * left by killed runs. Journals of interrupted builds are resume points: kept unless --journals.
 */
export async function gcCommand(ctx: CommandContext): Promise<number> {
  const lock = await acquireLock(CacheState.lockFileOf(ctx.cacheDir), { wait: ctx.options.wait });
  const state = CacheState.open(ctx.cacheDir);
  try {
    await state.clearStaging();
    const live = new Set<string>();
    for (const [, trace] of state.traces.entries()) for (const hash of Object.values(trace.outputs)) live.add(hash);
    for (const [, run] of state.runs.entries()) for (const hash of Object.values(run.outputs)) live.add(hash);
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
    }
    ctx.stdout.write(
      `vbuild gc: removed ${removed} objects (${(bytes / 1e6).toFixed(1)} MB), kept ${live.size}` +
        (ctx.options.journals ? `; removed ${journals} journals of interrupted builds` : '') +
        '\n',
    );
    return 0;
  } finally {
    state.close();
    await lock.release();
  }
}
