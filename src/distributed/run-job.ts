import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { paramFlag } from '../cli/parse.ts';
import { checkOutputName } from '../engine/build.ts';
import { openJournal } from '../engine/journal.ts';
import { buildContext, type ContextFields } from '../engine/context-readers.ts';
import { type Artifact, type Item, type Journal, type ParamValue, type Rule, runRule } from '../engine/rule.ts';
import { LocalStore } from '../engine/store.ts';
import { type Compatibility, incompatibility } from './compat.ts';
import { keepFresh, STAGING_FOLDER } from './staging.ts';
import type { BuildJob, HashedOutputs, JobReport, JobResult } from './job.ts';
import { readStoreId } from './store-id.ts';
import { pathsIn, resolverInside, type PathMapping } from './path-map.ts';

/** What a worker brings to every job: its own rules, versions, folders and how-it-runs params. */
export interface WorkerSetup {
  host: string;
  rules: ReadonlyMap<string, Rule>;
  vbuild: string;
  configHash: string;
  /** The shared cache as this machine mounts it. */
  cacheDir: string;
  /**
   * Folders a job's paths may lie in (after the path map, links followed): the worker's --input,
   * every map's TO, and what its own path params name (its --models, --identity).
   */
  roots: readonly string[];
  pathMap: readonly PathMapping[];
  /** This worker's param values: those that change how a rule runs, not what it writes (`inKey: false`, not `paths`), replace the job's. */
  params: Readonly<Record<string, ParamValue>>;
}

/**
 * A job this worker will not run. `retry`: another worker may (a version or config that differs
 * here); otherwise the job itself is wrong (crafted, or from a broken coordinator) and fails.
 */
export class JobRefusal extends Error {
  constructor(
    message: string,
    readonly retry: boolean,
  ) {
    super(message);
  }
}

/**
 * Runs a checked job's rule here, the way the engine's runBuild would: an empty staging folder
 * in the shared cache's staged/ for its outputs, its journals under work/<key> (where a build
 * interrupted on another machine left them). The coordinator moves the staged files into the
 * build's own staging folder and stores them; nothing here touches traces or the store.
 */
export async function runJob(job: BuildJob, setup: WorkerSetup, signal: AbortSignal, report: (report: JobReport) => void): Promise<JobResult> {
  const rule = setup.rules.get(job.rule);
  if (!rule) throw new JobRefusal(`no rule ${JSON.stringify(job.rule)} in this worker's config`, false);
  const own: Compatibility = { vbuild: setup.vbuild, ruleVersion: rule.version, configHash: setup.configHash };
  const mismatch = incompatibility(job, own);
  if (mismatch) throw new JobRefusal(mismatch, true);
  // Read per job: the first coordinator may name a new shared folder after this worker started.
  if (job.storeId !== (await readStoreId(setup.cacheDir))) {
    throw new JobRefusal(`--cache ${setup.cacheDir} is not the coordinator's shared cache (its store-id differs or is missing)`, true);
  }
  const store = new LocalStore(path.join(setup.cacheDir, 'objects'));
  const resolveInside = await resolverInside(setup.pathMap, setup.roots);
  const mapPath = async (file: string, what: string): Promise<string> => {
    const local = await resolveInside(file);
    if (local === undefined) {
      throw new JobRefusal(`${what} ${JSON.stringify(file)} lies outside the folders this worker serves (${setup.roots.join(', ')}; add one with --path-map FROM=TO)`, false);
    }
    return local;
  };
  const mapItem = async (item: Item): Promise<Item> => ({ id: item.id, path: await mapPath(item.path, 'input path') });
  const artifact = (outputs: HashedOutputs): Artifact => ({
    hashes: { ...outputs },
    files: Object.fromEntries(Object.entries(outputs).map(([name, hash]) => [name, store.path(hash)])),
  });
  const params = { ...job.params };
  for (const [name, spec] of Object.entries(rule.params ?? {})) {
    const value = params[name];
    if (spec.paths && typeof value === 'string') {
      params[name] = (await Promise.all(pathsIn(value).map((file) => mapPath(file, paramFlag(name))))).join(',');
    } else if (spec.inKey === false && name in setup.params) params[name] = setup.params[name]!;
  }
  const item = job.item && (await mapItem(job.item));
  const items = await Promise.all(job.items.map(mapItem));
  const staged = `worker-${setup.host}-${process.pid}-${randomUUID()}`;
  const outDir = path.join(setup.cacheDir, STAGING_FOLDER, staged);
  await mkdir(outDir, { recursive: true });
  const stopTouching = keepFresh(outDir);
  const journals = new Map<string, Journal<unknown>>();
  try {
    const fields: ContextFields = {
      rule: rule.name,
      items,
      failed: job.failed,
      batchDir: job.batchDir,
      params,
      deps: Object.fromEntries(Object.entries(job.deps).map(([dep, outputs]) => [dep, artifact(outputs)])),
      batch: Object.fromEntries(
        Object.entries(job.batch).map(([dep, byItem]) => [dep, Object.fromEntries(Object.entries(byItem).map(([id, outputs]) => [id, artifact(outputs)]))]),
      ),
      cacheDir: setup.cacheDir,
      outDir,
      signal,
      async journal<T>(name: string) {
        checkOutputName(name);
        if (journals.has(name)) throw new Error(`journal ${name} is already open`);
        const journal = await openJournal<T>(path.join(setup.cacheDir, 'work', job.key, name));
        journals.set(name, journal as Journal<unknown>);
        return journal;
      },
      progress: (done, total, unit = 'items') => report({ progress: [done, total, unit], host: setup.host }),
      log: (message) => report({ log: message, host: setup.host }),
    };
    await runRule(rule, buildContext(rule, fields, item, job.itemHash));
    if (signal.aborted) throw new Error('interrupted');
    for (const journal of journals.values()) await journal.close();
    return { staged, journals: [...journals.keys()], host: setup.host };
  } catch (error) {
    await rm(outDir, { recursive: true, force: true });
    throw error;
  } finally {
    stopTouching();
    for (const journal of journals.values()) await journal.close();
  }
}
