import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { BuildNode } from './graph.ts';
import { unpublish } from './publish.ts';
import { editable, type RunScope } from './run-scope.ts';
import { CacheState, type Trace } from './state.ts';

/** Inputs built before and no longer selected (see goneItems). */
export interface GoneItems {
  items: { item: string; published: string[] }[];
  /** Files published by builds of per-video rules, over every input the cache has traces of. */
  publishedTotal: number;
}

/**
 * Inputs that earlier runs built but that are not among this run's items, with the files their
 * builds published; and how many files builds of per-video rules have published in all, so a
 * caller can tell a deleted video from a wrong or empty input folder before removing anything.
 */
export function goneItems(scope: RunScope): GoneItems {
  const gone = new Map<string, string[]>();
  let publishedTotal = 0;
  for (const { item, trace, present } of videoTraces(scope)) {
    const published = Object.keys(trace.published);
    publishedTotal += published.length;
    if (!present) gone.set(item, [...(gone.get(item) ?? []), ...published]);
  }
  const items = [...gone.keys()].sort().map((item) => ({ item, published: gone.get(item)!.sort() }));
  return { items, publishedTotal };
}

/**
 * Unpublishes and forgets the builds of inputs that are no longer among the items (removed or
 * renamed videos), so their clips leave the output folder; returns their ids. Their run-cache
 * entries stay: a video that comes back is restored, not rebuilt. Only meaningful after a run
 * over every input.
 */
export async function forgetGoneItems(scope: RunScope): Promise<string[]> {
  const { state, outputDir } = scope.options;
  const gone = new Set<string>();
  for (const { key, item, trace, present } of videoTraces(scope)) {
    if (present) continue;
    await unpublish(outputDir, trace.published);
    state.traces.delete(key);
    gone.add(item);
  }
  return [...gone].sort();
}

/**
 * After a run over every input: removes what a filtered run's batch builds published under
 * `selectionDir` (and forgets them) for each of `batches`, the batch builds this run built over
 * every input, whose outputs supersede them; a selection's page would otherwise link to clips since re-cut.
 */
export async function forgetSelection(scope: RunScope, batches: readonly BuildNode[], selectionDir: string): Promise<void> {
  const { state, outputDir } = scope.options;
  for (const node of batches) {
    const key = CacheState.traceKey(node.rule.name, null, selectionDir);
    const trace = state.traces.get(key);
    if (!trace) continue;
    await unpublish(path.join(outputDir, selectionDir), trace.published, editable(node));
    // unpublish removes the folders under the selection's that it emptied; this is the last.
    await rmdir(path.join(outputDir, selectionDir)).catch(() => undefined);
    state.traces.delete(key);
  }
}

/** The traces of per-video rules (a snapshot: callers may delete while iterating). */
function* videoTraces(scope: RunScope): Generator<{ key: string; item: string; trace: Trace; present: boolean }> {
  const { items, rules, state } = scope.options;
  const present = new Set(items.map((item) => item.id));
  const videoRules = new Set(rules.filter((rule) => rule.per === 'video').map((rule) => rule.name));
  for (const [key, trace] of [...state.traces.entries()]) {
    const { rule, item } = CacheState.parseTraceKey(key);
    if (item !== null && videoRules.has(rule)) yield { key, item, trace, present: present.has(item) };
  }
}

export interface GcPolicy {
  /**
   * Forget run-cache entries not used for this long (ms), and journals not written to for as
   * long; the entries of current traces always stay. Undefined: keep the run cache whole.
   */
  olderThan?: number;
  /** Remove every journal of an interrupted build (resume points) as well. */
  journals: boolean;
}

export interface GcResult {
  /** The use time before which run-cache entries were forgotten, with `olderThan`. */
  cutoff?: Date;
  forgottenRuns: number;
  removedObjects: number;
  removedBytes: number;
  keptObjects: number;
  removedJournals: number;
}

/**
 * Deletes stored objects that no trace and no run-cache entry names, and staging left by killed
 * runs. Journals of interrupted builds are resume points: kept unless the policy says otherwise.
 * The run cache is what makes going back to earlier params free, so it is kept whole unless
 * `olderThan` says how long an entry may go unused. Only call while holding the lock.
 */
export async function collectGarbage(state: CacheState, policy: GcPolicy, now = Date.now()): Promise<GcResult> {
  await state.clearStaging();
  const live = new Set<string>();
  const current = new Set<string>();
  for (const [, trace] of state.traces.entries()) {
    current.add(trace.key);
    for (const hash of Object.values(trace.outputs)) live.add(hash);
  }
  const cutoff = policy.olderThan === undefined ? undefined : now - policy.olderThan;
  let forgottenRuns = 0;
  for (const [key, run] of [...state.runs.entries()]) {
    // An entry without a use time predates them: it counts as unused.
    if (cutoff !== undefined && !current.has(key) && !(Date.parse(run.usedAt ?? '') >= cutoff)) {
      state.runs.delete(key);
      forgottenRuns++;
      continue;
    }
    for (const hash of Object.values(run.outputs)) live.add(hash);
  }
  let removedObjects = 0;
  let removedBytes = 0;
  for (const shard of await readdir(state.objectsDir).catch(() => [] as string[])) {
    for (const hash of await readdir(path.join(state.objectsDir, shard))) {
      if (live.has(hash)) continue;
      const file = path.join(state.objectsDir, shard, hash);
      removedBytes += (await stat(file)).size;
      await rm(file);
      state.statCache.forget(file);
      removedObjects++;
    }
  }
  let removedJournals = 0;
  if (policy.journals) {
    removedJournals = (await readdir(state.workRoot).catch(() => [])).length;
    await rm(state.workRoot, { recursive: true, force: true });
  } else if (cutoff !== undefined) {
    // A journal nobody resumed in that long is as unused as a run-cache entry.
    for (const key of await readdir(state.workRoot).catch(() => [] as string[])) {
      const dir = state.workDir(key);
      if ((await lastWritten(dir)) >= cutoff) continue;
      await rm(dir, { recursive: true, force: true });
      removedJournals++;
    }
  }
  return {
    ...(cutoff !== undefined && { cutoff: new Date(cutoff) }),
    forgottenRuns,
    removedObjects,
    removedBytes,
    keptObjects: live.size,
    removedJournals,
  };
}

/** The newest mtime of a journal folder and the files in it (ms). */
async function lastWritten(dir: string): Promise<number> {
  let newest = (await stat(dir)).mtimeMs;
  for (const name of await readdir(dir)) newest = Math.max(newest, (await stat(path.join(dir, name))).mtimeMs);
  return newest;
}
