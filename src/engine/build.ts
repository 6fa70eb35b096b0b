import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { EngineEvent } from './events.ts';
import type { Executor } from './executor.ts';
import type { BuildNode } from './graph.ts';
import { buildContext } from './context-readers.ts';
import { openJournal } from './journal.ts';
import type { Artifact, FailedInput, Item, Journal, ParamValue, ResourceClaim, SharedSource } from './rule.ts';
import type { CacheState, Outputs } from './state.ts';

export interface BuildRequest {
  node: BuildNode;
  key: string;
  /** The resources the build holds while it runs (the executor may route on them). */
  claim: ResourceClaim;
  itemHash: string | null;
  params: Record<string, ParamValue>;
  deps: { deps: Record<string, Artifact>; batch: Record<string, Record<string, Artifact>> };
  items: readonly Item[];
  failed: readonly FailedInput[];
  batchDir: string;
  state: CacheState;
  executor: Executor;
  /** Where it meets the builds started with it (see SharedSource); absent when it runs alone. */
  sharedSource?: SharedSource;
  /** The outputs of the node's last build, by name: stored paths (ctx.previous). */
  previous?: Readonly<Record<string, string>>;
  signal: AbortSignal;
  emit: (event: EngineEvent) => void;
}

/**
 * Runs one build in a private staging folder and moves every file it wrote into the store.
 * Nothing reaches the store unless the rule finished; a failed or killed build leaves only its
 * staging folder (removed at the next start) and its journals (kept, so it can resume).
 */
export async function runBuild(request: BuildRequest): Promise<Outputs> {
  const { node, key, state, signal, emit } = request;
  const id = { rule: node.rule.name, item: node.item?.id ?? null };
  const staging = path.join(state.tmpDir, `${process.pid}-${randomUUID()}`);
  await mkdir(staging, { recursive: true });
  const journals = new Map<string, Journal<unknown>>();
  try {
    const base = {
      rule: node.rule.name,
      items: request.items,
      failed: request.failed,
      batchDir: request.batchDir,
      params: request.params,
      deps: request.deps.deps,
      batch: request.deps.batch,
      outDir: staging,
      cacheDir: state.root,
      ...(request.sharedSource && { sharedSource: request.sharedSource }),
      ...(request.previous && { previous: request.previous }),
      signal,
      async journal<T>(name: string) {
        checkOutputName(name);
        if (journals.has(name)) throw new Error(`journal ${name} is already open`);
        const journal = await openJournal<T>(path.join(state.workDir(key), name));
        journals.set(name, journal as Journal<unknown>);
        return journal;
      },
      progress: (done: number, total: number, unit = 'items') => emit({ type: 'build-progress', ...id, done, total, unit }),
      log: (message: string) => emit({ type: 'build-log', ...id, message }),
    };
    const ctx = buildContext(node.rule, base, node.item, request.itemHash);
    try {
      await request.executor.execute(node.rule, ctx, { key, claim: request.claim });
    } finally {
      // A build that ended without meeting (it failed first, or had no part to offer) releases the others.
      request.sharedSource?.leave();
    }
    if (signal.aborted) throw new Error('interrupted');
    for (const journal of journals.values()) await journal.close();

    const files = await listFiles(staging);
    for (const name of journals.keys()) {
      if (files.has(name)) throw new Error(`output ${name} was written both as a file and as a journal`);
      files.set(name, path.join(state.workDir(key), name));
    }
    const outputs: Outputs = {};
    for (const [name, file] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
      const hash = await state.store.put(file);
      await state.statCache.remember(state.store.path(hash), hash);
      outputs[name] = hash;
    }
    if (journals.size > 0) await rm(state.workDir(key), { recursive: true, force: true });
    return outputs;
  } finally {
    for (const journal of journals.values()) await journal.close();
    await rm(staging, { recursive: true, force: true });
  }
}

export function checkOutputName(name: string): void {
  if (!isOutputName(name)) throw new Error(`output name ${JSON.stringify(name)} must be a relative path inside the build`);
}

/** `a/b.txt`; never `../x`, `/x`, `./x` or `a//b`. */
export function isOutputName(name: string): boolean {
  return name !== '' && !name.startsWith('/') && name.split('/').every((part) => part !== '' && part !== '.' && part !== '..');
}

/** Every regular file under `dir`, by its path relative to `dir` with forward slashes. */
async function listFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), full);
  }
  return files;
}
