import { inOrder } from './in-order.ts';
import type { Item } from './rule.ts';
import type { StatCache } from './stat-cache.ts';

/** Files hashed at once: enough to keep a disk busy, few enough not to thrash it. */
const CONCURRENT_READS = 4;

/**
 * Inputs whose content equals an earlier input's (in the given order), each mapped to that
 * earlier input's id. A copy, a hard link or a symlink of a video would otherwise be built twice
 * into the same clips under two names. Inputs that cannot be hashed are left to their builds,
 * which say why. The hashes land in the stat cache, so builds do not read the files again.
 */
export async function sameContentItems(items: readonly Item[], statCache: StatCache, signal?: AbortSignal): Promise<Map<string, string>> {
  // Interrupted, it stops reading: the files not hashed yet count as unique, and the run stops anyway.
  // A file that cannot be hashed (still being copied in, unreadable) fails its own builds, which say why.
  const hashes = await inOrder(items, CONCURRENT_READS, async (item) =>
    signal?.aborted ? undefined : statCache.hash(item.path).catch(() => undefined),
  );
  const firstWith = new Map<string, string>();
  const copies = new Map<string, string>();
  items.forEach((item, i) => {
    const hash = hashes[i];
    if (hash === undefined) return;
    const first = firstWith.get(hash);
    if (first === undefined) firstWith.set(hash, item.id);
    else copies.set(item.id, first);
  });
  return copies;
}
