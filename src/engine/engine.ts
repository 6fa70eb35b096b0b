import { statSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { runBuild } from './build.ts';
import type { EngineEvent, EventListener, RunSummary } from './events.ts';
import { type Executor, inProcessExecutor } from './executor.ts';
import { buildKey, type Fingerprint, ITEM_INPUT, staleReasons } from './fingerprint.ts';
import { type BuildNode, buildGraph, type Target } from './graph.ts';
import { brokenPublished, type Editable, publishFiles, unpublish } from './publish.ts';
import type { Artifact, Config, FailedInput, Item, ParamValue, Rule } from './rule.ts';
import type { Capacities } from './scheduler.ts';
import { ResourcePools } from './scheduler.ts';
import { CacheState, type Outputs, type Trace } from './state.ts';

export interface EngineOptions {
  config: Config;
  /** Rules in dependency order (from validateConfig). */
  rules: readonly Rule[];
  state: CacheState;
  /** Absolute output folder for published files. */
  outputDir: string;
  items: readonly Item[];
  /** Resolved values of every declared param. */
  params: Record<string, ParamValue>;
  jobs?: number;
  capacities?: Partial<Capacities>;
  executor?: Executor;
  onEvent?: EventListener;
  signal?: AbortSignal;
  /**
   * Set when `items` are a selection of the inputs (--only, --skip, --from): batch builds, over
   * the selection alone, are then published under `<outputDir>/<selectionDir>/` and traced apart,
   * so the whole folder's batch outputs stay as they are (a batch rule's `ctx.batchDir`).
   */
  selectionDir?: string;
}

/** Inputs built before and no longer selected (see Engine.goneItems). */
export interface GoneItems {
  items: { item: string; published: string[] }[];
  /** Files published by builds of per-video rules, over every input the cache has traces of. */
  publishedTotal: number;
}

/** One entry of a dry run: the `--dry-run --json` contract. */
export interface BuildStatus {
  rule: string;
  item: string | null;
  stale: boolean;
  reasons: string[];
  /**
   * What a build would do: `restore` takes the outputs from the run cache without running;
   * `unknown`: decided once its stale dependencies have built (early cutoff may still spare it).
   */
  action: 'fresh' | 'run' | 'restore' | 'unknown';
}

/** A build that failed: its id (`rule@item`) and error. */
type BuildFailure = Omit<FailedInput, 'item'>;

type Outcome =
  | { status: 'fresh' | 'built' | 'restored'; outputs: Outputs }
  /** Dry run: would run; outputs unknown. */
  | { status: 'stale' }
  /** `cause`: the failure this one comes from, its own for a failed build. */
  | { status: 'failed' | 'skipped'; cause: BuildFailure };

interface Decision {
  fingerprint: Fingerprint;
  key: string;
  trace: Trace | undefined;
  reasons: string[];
  action: 'fresh' | 'restore' | 'run';
  outputs?: Outputs;
}

/**
 * Decides, build by build in dependency order, what is fresh, what can be restored from the run
 * cache and what must run; runs the rest through the executor under the resource pools.
 * Each build is evaluated once (memoised), after the builds it depends on.
 */
export class Engine {
  readonly #opts: EngineOptions;
  readonly #pools: ResourcePools;
  readonly #itemHashes = new Map<string, Promise<string | undefined>>();
  #sizeShares: Map<string, number> | undefined;
  readonly #emit: EventListener;
  /** The batch builds of the last build() that ended fresh, built or restored. */
  #batchesDone: BuildNode[] = [];

  constructor(opts: EngineOptions) {
    this.#opts = opts;
    const cores = availableParallelism();
    const jobs = opts.jobs ?? cores;
    this.#pools = new ResourcePools({ cpu: cores, gpu: 1, io: 4, ...opts.capacities }, jobs);
    this.#emit = opts.onEvent ?? (() => undefined);
  }

  graph(targets: readonly Target[]): BuildNode[] {
    return buildGraph(this.#opts.rules, this.#opts.items, targets);
  }

  /** What a build of `targets` would do, without running or writing anything. */
  async dryRun(targets: readonly Target[]): Promise<BuildStatus[]> {
    const nodes = this.graph(targets);
    const statuses = new Map<string, BuildStatus>();
    const evaluate = memoised((node) => this.#dryEvaluate(node, evaluate, statuses));
    await Promise.all(nodes.map(evaluate));
    return nodes.map((node) => statuses.get(node.id)!);
  }

  async #dryEvaluate(
    node: BuildNode,
    evaluate: (node: BuildNode) => Promise<Outcome>,
    statuses: Map<string, BuildStatus>,
  ): Promise<Outcome> {
    const depOutcomes = await Promise.all(node.deps.map(evaluate));
    const report = (action: BuildStatus['action'], reasons: string[]) =>
      statuses.set(node.id, { rule: node.rule.name, item: node.item?.id ?? null, stale: action !== 'fresh', reasons, action });
    const staleDeps = node.deps.filter((_, i) => depOutcomes[i]!.status === 'stale').map((dep) => dep.id);
    if (staleDeps.length > 0) {
      const trace = this.#opts.state.traces.get(this.#traceKey(node));
      const reasons = trace ? [] : ['never built'];
      for (const dep of new Set(staleDeps.map((id) => id.split('@')[0]!))) reasons.push(`dependency stale: ${dep}`);
      report('unknown', reasons);
      return { status: 'stale' };
    }
    const decision = await this.#decide(node, depOutcomes as { outputs: Outputs }[]);
    report(decision.action, decision.reasons);
    if (decision.action === 'fresh') return { status: 'fresh', outputs: decision.outputs! };
    return decision.action === 'restore' ? { status: 'restored', outputs: decision.outputs! } : { status: 'stale' };
  }

  /** Builds `targets`: keep-going, every failure reported, independent builds unaffected. */
  async build(targets: readonly Target[]): Promise<RunSummary> {
    const started = Date.now();
    const nodes = this.graph(targets);
    this.#emit({
      type: 'run-start',
      builds: nodes.map((n) => ({ rule: n.rule.name, item: n.item?.id ?? null })),
      jobs: this.#opts.jobs ?? availableParallelism(),
    });
    const evaluate = memoised((node) => this.#evaluate(node, evaluate));
    const results = await Promise.all(nodes.map(evaluate));
    this.#batchesDone = nodes.filter((node, i) => node.item === null && !didNotBuild(results[i]!));
    const summary: RunSummary = { fresh: 0, ran: 0, restored: 0, failed: 0, skipped: 0 };
    for (const result of results) {
      if (result.status === 'fresh') summary.fresh++;
      else if (result.status === 'built') summary.ran++;
      else if (result.status === 'restored') summary.restored++;
      else if (result.status === 'failed') summary.failed++;
      else if (result.status === 'skipped') summary.skipped++;
    }
    this.#emit({ type: 'run-end', ms: Date.now() - started, summary });
    return summary;
  }

  async #evaluate(whole: BuildNode, evaluate: (node: BuildNode) => Promise<Outcome>): Promise<Outcome> {
    const { node, depOutcomes, items, failed } = withoutFailedItems(whole, await Promise.all(whole.deps.map(evaluate)), this.#opts.items);
    const id = { rule: node.rule.name, item: node.item?.id ?? null };
    const failedIndex = depOutcomes.findIndex(didNotBuild);
    if (failedIndex >= 0) {
      this.#emit({ type: 'build-skipped', ...id, failedDep: node.deps[failedIndex]!.id });
      return { status: 'skipped', cause: (depOutcomes[failedIndex] as { cause: BuildFailure }).cause };
    }
    if (failed.length > 0) {
      const left = failed.map((input) => input.item).join(', ');
      this.#emit({ type: 'build-log', ...id, message: `over ${items.length} of ${this.#opts.items.length} inputs; left out after a failure: ${left}` });
    }
    const fail = (error: string): Outcome => {
      this.#emit({ type: 'build-failed', ...id, error });
      return { status: 'failed', cause: { build: node.id, error } };
    };
    let decision: Decision;
    try {
      decision = await this.#decide(node, depOutcomes as { outputs: Outputs }[], failed);
    } catch (error) {
      return fail(describe(error));
    }
    if (decision.action === 'fresh') {
      this.#emit({ type: 'build-fresh', ...id });
      return { status: 'fresh', outputs: decision.outputs! };
    }
    if (decision.action === 'restore') {
      try {
        // Publishing can fail like any build (a full output disk): it must fail this build, not the run.
        await this.#record(node, decision, decision.outputs!);
      } catch (error) {
        return fail(describe(error));
      }
      this.#emit({ type: 'build-restored', ...id, reasons: decision.reasons });
      return { status: 'restored', outputs: decision.outputs! };
    }
    const { resources = { cpu: 1 } } = node.rule;
    const claim = typeof resources === 'function' ? resources(this.#ruleParams(node.rule)) : resources;
    return this.#pools.run(claim, async (): Promise<Outcome> => {
      if (this.#opts.signal?.aborted) return fail('interrupted before it started');
      this.#emit({ type: 'build-start', ...id, reasons: decision.reasons });
      const began = Date.now();
      let failure: string | undefined;
      try {
        const outputs = await runBuild({
          node,
          key: decision.key,
          itemHash: node.item ? ((await this.#itemHash(node.item)) ?? null) : null,
          params: this.#ruleParams(node.rule),
          deps: this.#artifacts(node, depOutcomes as { outputs: Outputs }[]),
          items,
          failed,
          batchDir: this.#batchDir(node),
          state: this.#opts.state,
          executor: this.#opts.executor ?? inProcessExecutor,
          signal: this.#opts.signal ?? new AbortController().signal,
          emit: (event: EngineEvent) => this.#emit(event),
        });
        failure = await this.#inputChangedDuring(node);
        if (failure === undefined) {
          await this.#record(node, decision, outputs);
          const unchanged = decision.trace !== undefined && isDeepStrictEqual(decision.trace.outputs, outputs);
          this.#emit({ type: 'build-done', ...id, ms: Date.now() - began, unchanged });
          return { status: 'built', outputs };
        }
      } catch (error) {
        // A half-copied video fails in ffprobe; the cause worth reporting is that it was still being written.
        failure = (await this.#inputChangedDuring(node)) ?? describe(error);
      }
      return fail(failure);
    }, this.#priority(node));
  }

  /**
   * Which waiting build starts first. Builds further down the pipeline: each video's chain
   * finishes early (its clips appear while others are still analysed, a killed run leaves more
   * videos done, and cuts and thumbnails fill the gaps of the heavy builds instead of all waiting
   * for the last detection). Then bigger inputs: started last, a long chain would end the run
   * alone while the other cores idle.
   */
  #priority(node: BuildNode): number {
    this.#sizeShares ??= sizeShares(this.#opts.items);
    return depth(node) + (node.item ? (this.#sizeShares.get(node.item.id) ?? 0) : 0);
  }

  /**
   * Unpublishes and forgets the builds of inputs that are no longer among the items (removed or
   * renamed videos), so their clips leave the output folder. Their run-cache entries stay: a video
   * that comes back is restored, not rebuilt. Only meaningful after a run over every input.
   */
  /**
   * Inputs that earlier runs built but that are not among this run's items, with the files their
   * builds published; and how many files builds of per-video rules have published in all, so a
   * caller can tell a deleted video from a wrong or empty input folder before removing anything.
   */
  goneItems(): GoneItems {
    const gone = new Map<string, string[]>();
    let publishedTotal = 0;
    for (const { item, trace, present } of this.#videoTraces()) {
      const published = Object.keys(trace.published);
      publishedTotal += published.length;
      if (!present) gone.set(item, [...(gone.get(item) ?? []), ...published]);
    }
    const items = [...gone.keys()].sort().map((item) => ({ item, published: gone.get(item)!.sort() }));
    return { items, publishedTotal };
  }

  /** Removes what the builds of gone inputs published and forgets their traces; returns their ids. */
  async forgetGoneItems(): Promise<string[]> {
    const { state, outputDir } = this.#opts;
    const gone = new Set<string>();
    for (const { key, item, trace, present } of this.#videoTraces()) {
      if (present) continue;
      await unpublish(outputDir, trace.published);
      state.traces.delete(key);
      gone.add(item);
    }
    return [...gone].sort();
  }

  /** What the batch builds of the last build() publish (those that did not fail), relative to the output folder. */
  batchPublished(): string[] {
    return this.#batchesDone
      .flatMap((node) => Object.keys(this.#opts.state.traces.get(this.#traceKey(node))?.published ?? {}).map((rel) => path.join(this.#batchDir(node), rel)))
      .sort();
  }

  /**
   * After a run over every input: removes what a filtered run's batch builds published under
   * `selectionDir` (and forgets them) for each batch rule this run built over every input, whose
   * outputs supersede them; a selection's page would otherwise link to clips since re-cut.
   */
  async forgetSelection(selectionDir: string): Promise<void> {
    const { state, outputDir } = this.#opts;
    for (const node of this.#batchesDone) {
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
  *#videoTraces(): Generator<{ key: string; item: string; trace: Trace; present: boolean }> {
    const present = new Set(this.#opts.items.map((item) => item.id));
    const rules = new Set(this.#opts.rules.filter((rule) => rule.per === 'video').map((rule) => rule.name));
    for (const [key, trace] of [...this.#opts.state.traces.entries()]) {
      const { rule, item } = CacheState.parseTraceKey(key);
      if (item !== null && rules.has(rule)) yield { key, item, trace, present: present.has(item) };
    }
  }

  /** Stores the run-cache entry and the trace (last: a trace only ever names outputs in place), then publishes. */
  async #record(node: BuildNode, decision: Decision, outputs: Outputs): Promise<void> {
    const { state } = this.#opts;
    const item = node.item?.id ?? null;
    state.runs.set(decision.key, { rule: node.rule.name, item, outputs, usedAt: new Date().toISOString() });
    let published = decision.trace?.published ?? {};
    if (node.rule.publish) {
      const shown = node.rule.publishes ?? (() => true);
      const files = Object.fromEntries(
        Object.entries(outputs)
          .filter(([name]) => shown(name))
          .map(([name, hash]) => [name, state.store.path(hash)]),
      );
      published = await publishFiles(this.#publishRoot(node), node.rule.publish(node.item), files, published, editable(node));
    }
    state.traces.set(this.#traceKey(node), {
      key: decision.key,
      fingerprint: decision.fingerprint,
      outputs,
      published,
      builtAt: new Date().toISOString(),
    });
  }

  /** A batch build's folder under the output folder: the selection's in a filtered run. */
  #batchDir(node: BuildNode): string {
    return node.item === null ? (this.#opts.selectionDir ?? '') : '';
  }

  #publishRoot(node: BuildNode): string {
    return path.join(this.#opts.outputDir, this.#batchDir(node));
  }

  /** A filtered run's batch builds are traced apart from the whole folder's. */
  #traceKey(node: BuildNode): string {
    return CacheState.traceKey(node.rule.name, node.item?.id ?? null, this.#batchDir(node));
  }

  #ruleParams(rule: Rule): Record<string, ParamValue> {
    const values: Record<string, ParamValue> = {};
    for (const name of Object.keys(rule.params ?? {})) values[name] = this.#opts.params[name]!;
    return values;
  }

  #itemHash(item: Item): Promise<string | undefined> {
    let hash = this.#itemHashes.get(item.id);
    if (!hash) {
      hash = this.#opts.state.statCache.hash(item.path);
      this.#itemHashes.set(item.id, hash);
    }
    return hash;
  }

  /**
   * Why a build that read its input must not be recorded: the file changed while it ran (replaced,
   * edited, or a copy still in progress). What it built from the new bytes would sit under the old content's key.
   */
  async #inputChangedDuring(node: BuildNode): Promise<string | undefined> {
    const { item } = node;
    if (!item || node.rule.readsItem === false) return undefined;
    const now = await this.#opts.state.statCache.hash(item.path).catch(() => 'still changing');
    if (now === (await this.#itemHash(item))) return undefined;
    return `input ${item.path} changed while it was being built (is it still being written?); run again`;
  }

  async #fingerprint(node: BuildNode, depOutputs: { outputs: Outputs }[], failed: readonly FailedInput[]): Promise<Fingerprint> {
    const { rule, item } = node;
    const inputs: Record<string, string> = {};
    if (item && rule.readsItem !== false) {
      const hash = await this.#itemHash(item);
      if (hash === undefined) throw new Error(`input ${item.path} is missing or not a regular file`);
      inputs[ITEM_INPUT] = hash;
    }
    node.deps.forEach((dep, i) => {
      const prefix = dep.item && !item ? `${dep.rule.name}@${dep.item.id}` : dep.rule.name;
      for (const [name, hash] of Object.entries(readOutputs(rule, dep.rule.name, depOutputs[i]!.outputs))) {
        inputs[`${prefix}/${name}`] = hash;
      }
    });
    const params = this.#ruleParams(rule);
    const keyed = Object.fromEntries(Object.entries(params).filter(([name]) => rule.params?.[name]?.inKey !== false));
    for (const file of (await rule.extraInputs?.(params, { cacheDir: this.#opts.state.root })) ?? []) {
      const hash = await this.#opts.state.statCache.hash(path.resolve(file));
      if (hash === undefined) throw new Error(`rule ${rule.name}: input file ${file} is missing`);
      let label = `extra ${path.basename(file)}`;
      for (let n = 2; label in inputs; n++) label = `extra ${path.basename(file)} #${n}`;
      inputs[label] = hash;
    }
    const batchDir = this.#batchDir(node);
    const namesItem = typeof rule.readsItemId === 'function' ? rule.readsItemId(params) : rule.readsItemId === true;
    return {
      rule: rule.name,
      version: rule.version,
      params: keyed,
      inputs,
      ...(item && namesItem && { itemId: item.id }),
      ...(batchDir !== '' && { batchDir }),
      ...(failed.length > 0 && { failed: Object.fromEntries(failed.map((input) => [input.item, `${input.build}: ${input.error}`])) }),
    };
  }

  async #decide(node: BuildNode, depOutputs: { outputs: Outputs }[], failed: readonly FailedInput[] = []): Promise<Decision> {
    const { state } = this.#opts;
    const fingerprint = await this.#fingerprint(node, depOutputs, failed);
    const key = await buildKey(fingerprint);
    const trace = state.traces.get(this.#traceKey(node));
    const decision = { fingerprint, key, trace };
    if (trace?.key === key) {
      const broken = await this.#brokenOutputs(trace.outputs);
      if (broken.length > 0) return { ...decision, action: 'run', reasons: broken.map((p) => `output missing: ${p}`) };
      const root = this.#publishRoot(node);
      const unpublished = await brokenPublished(root, trace.published, editable(node));
      if (unpublished.length > 0) {
        const reasons = unpublished.map((p) => `output missing: ${path.join(root, p)}`);
        return { ...decision, action: 'restore', reasons, outputs: trace.outputs };
      }
      return { ...decision, action: 'fresh', reasons: [], outputs: trace.outputs };
    }
    const reasons = trace ? staleReasons(trace.fingerprint, fingerprint, node.item?.id) : ['never built'];
    const cached = state.runs.get(key);
    if (cached && (await this.#brokenOutputs(cached.outputs)).length === 0) {
      return { ...decision, action: 'restore', reasons, outputs: cached.outputs };
    }
    return { ...decision, action: 'run', reasons };
  }

  /** Stored outputs that are gone or whose content no longer matches their hash. */
  async #brokenOutputs(outputs: Outputs): Promise<string[]> {
    const { store, statCache } = this.#opts.state;
    const broken: string[] = [];
    for (const hash of Object.values(outputs)) {
      const file = store.path(hash);
      if ((await statCache.hash(file)) !== hash) broken.push(file);
    }
    return broken;
  }

  #artifacts(node: BuildNode, depOutputs: { outputs: Outputs }[]) {
    const { store } = this.#opts.state;
    const toArtifact = (outputs: Outputs): Artifact => ({
      hashes: { ...outputs },
      files: Object.fromEntries(Object.entries(outputs).map(([name, hash]) => [name, store.path(hash)])),
    });
    const deps: Record<string, Artifact> = {};
    const batch: Record<string, Record<string, Artifact>> = {};
    node.deps.forEach((dep, i) => {
      const artifact = toArtifact(readOutputs(node.rule, dep.rule.name, depOutputs[i]!.outputs));
      if (dep.item && !node.item) (batch[dep.rule.name] ??= {})[dep.item.id] = artifact;
      else deps[dep.rule.name] = artifact;
    });
    return { deps, batch };
  }
}

/** The published paths of a build (relative to its publish root) that are the rule's editable outputs. */
function editable(node: BuildNode): Editable {
  const { rule } = node;
  if (!rule.editable || !rule.publish) return () => false;
  const dir = rule.publish(node.item);
  return (rel) => rule.editable!(path.relative(dir, rel).split(path.sep).join('/'));
}

function didNotBuild(outcome: Outcome): boolean {
  return outcome.status === 'failed' || outcome.status === 'skipped';
}

/** Evaluates each build once, however many dependents ask for it. */
function memoised(evaluate: (node: BuildNode) => Promise<Outcome>): (node: BuildNode) => Promise<Outcome> {
  const outcomes = new Map<string, Promise<Outcome>>();
  return (node) => {
    let outcome = outcomes.get(node.id);
    if (!outcome) {
      outcome = evaluate(node);
      outcomes.set(node.id, outcome);
    }
    return outcome;
  };
}

/**
 * A batch build goes on over the inputs whose own builds succeeded: one broken video must not
 * cost the report of all the others. (A failed batch dependency still skips it.)
 */
function withoutFailedItems(node: BuildNode, depOutcomes: Outcome[], items: readonly Item[]) {
  const failed: FailedInput[] = [];
  if (node.item !== null) return { node, depOutcomes, items, failed };
  const broken = new Map<string, BuildFailure>();
  node.deps.forEach((dep, i) => {
    const outcome = depOutcomes[i]!;
    if (dep.item !== null && (outcome.status === 'failed' || outcome.status === 'skipped') && !broken.has(dep.item.id)) {
      broken.set(dep.item.id, outcome.cause);
    }
  });
  if (broken.size === 0) return { node, depOutcomes, items, failed };
  const keep = node.deps.map((dep) => dep.item === null || !broken.has(dep.item.id));
  for (const [item, cause] of [...broken].sort(([a], [b]) => (a < b ? -1 : 1))) failed.push({ item, ...cause });
  return {
    node: { ...node, deps: node.deps.filter((_, i) => keep[i]) },
    depOutcomes: depOutcomes.filter((_, i) => keep[i]),
    items: items.filter((item) => !broken.has(item.id)),
    failed,
  };
}

/** The outputs of dependency `dep` that `rule` reads: those its `reads` names, else all. */
function readOutputs(rule: Rule, dep: string, outputs: Outputs): Outputs {
  const names = rule.reads?.[dep];
  if (!names) return outputs;
  return Object.fromEntries(Object.entries(outputs).filter(([name]) => names.includes(name)));
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const depths = new WeakMap<BuildNode, number>();

/** How many builds deep a node is: 0 with no dependencies, else one more than its deepest. */
function depth(node: BuildNode): number {
  let known = depths.get(node);
  if (known === undefined) {
    known = node.deps.reduce((deepest, dep) => Math.max(deepest, depth(dep) + 1), 0);
    depths.set(node, known);
  }
  return known;
}

/** Each item's share of the biggest item's size, in [0, 1): bigger inputs take longer. */
function sizeShares(items: readonly Item[]): Map<string, number> {
  const sizes = items.map((item) => statSync(item.path, { throwIfNoEntry: false })?.size ?? 0);
  const biggest = sizes.reduce((most, size) => Math.max(most, size), 0) + 1;
  return new Map(items.map((item, i) => [item.id, sizes[i]! / biggest]));
}
