import { removeAbandonedStaging } from '../../distributed/staging.ts';
import { collectGarbage } from '../../engine/gc.ts';
import { acquireLock } from '../../engine/lock.ts';
import { CacheState } from '../../engine/state.ts';
import type { CommandContext } from '../context.ts';

/**
 * `vbuild gc`: the engine's collectGarbage under the lock, with --older-than and --journals, and
 * the staging folders that queue workers left and no coordinator will collect; in one line.
 */
export async function gcCommand(ctx: CommandContext): Promise<number> {
  const lock = await acquireLock(CacheState.lockFileOf(ctx.cacheDir), { wait: ctx.options.wait });
  const state = CacheState.open(ctx.cacheDir);
  try {
    const { olderThan, journals } = ctx.options;
    const result = await collectGarbage(state, { olderThan, journals });
    const abandoned = await removeAbandonedStaging(ctx.cacheDir);
    ctx.stdout.write(
      'vbuild gc: ' +
        (result.cutoff === undefined ? '' : `forgot ${result.forgottenRuns} run-cache entries unused since ${result.cutoff.toISOString()}; `) +
        `removed ${result.removedObjects} objects (${(result.removedBytes / 1e6).toFixed(1)} MB), kept ${result.keptObjects}` +
        (journals || result.cutoff !== undefined ? `; removed ${result.removedJournals} journals of interrupted builds` : '') +
        (abandoned > 0 ? `; removed ${abandoned} staging folders queue workers left` : '') +
        '\n',
    );
    return 0;
  } finally {
    state.close();
    await lock.release();
  }
}
