import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { runBuild } from './build.ts';
import { type Decision, decide, dependencyArtifacts } from './decide.ts';
import type { EngineEvent, EventListener, RunSummary } from './events.ts';
import { type Executor, inProcessExecutor } from './executor.ts';
import { forgetGoneItems, forgetSelection, goneItems, type GoneItems } from './gc.ts';
import { type BuildNode, buildGraph, type Target } from './graph.ts';
import { Rendezvous } from './rendezvous.ts';
import { buildPriority } from './priority.ts';
import { inputChangedDuring, publishedBy, record } from './record.ts';
import type { FailedInput, Item } from './rule.ts';
import { RunScope, type RunScopeOptions } from './run-scope.ts';
import type { Capacities } from './scheduler.ts';
import { ResourcePools, type Together } from './scheduler.ts';
import type { CacheState, Outputs } from './state.ts';

export interface EngineOptions extends RunScopeOptions {
  /** How many builds run at once (default: the cores). */
  jobs?: number;
  /** Sizes of the resource pools (default: cpu = cores, gpu = 1, io = 4). */
  capacities?: Partial<Capacities>;
  /** Where a build's rule runs (default: in this process); see executor.ts. */
  executor?: Executor;
  onEvent?: EventListener;
  signal?: AbortSignal;
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
  /** `failure`: the build that failed and why: this one's own, or for a skipped build the one it waited on. */
  | { status: 'failed' | 'skipped'; failure: BuildFailure };

/**
 * Evaluates the build graph: each build once (memoised), after the builds it depends on. What to
 * do with a build is decided in decide.ts, what a finished one leaves in record.ts; builds that
 * must run go through the executor under the resource pools. What a run leaves behind for inputs
 * no longer there is gc.ts's.
 */
export class Engine {
  readonly #opts: EngineOptions;
  readonly #scope: RunScope;
  readonly #pools: ResourcePools;
  readonly #priority: (node: BuildNode) => number;
  readonly #emit: EventListener;
  /** The meeting point of each cohort of builds the pools started together. */
  readonly #rendezvous = new WeakMap<readonly string[], Rendezvous>();
  /** The batch builds of the last build() that ended fresh, built or restored. */
  #batchesDone: BuildNode[] = [];

  constructor(opts: EngineOptions) {
    this.#opts = opts;
    this.#scope = new RunScope(opts);
    const cores = availableParallelism();
    this.#pools = new ResourcePools({ cpu: cores, gpu: 1, io: 4, ...opts.capacities }, opts.jobs ?? cores);
    this.#priority = buildPriority(opts.items);
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
      const trace = this.#opts.state.traces.get(this.#scope.traceKey(node));
      const reasons = trace ? [] : ['never built'];
      for (const dep of new Set(staleDeps.map((id) => id.split('@')[0]!))) reasons.push(`dependency stale: ${dep}`);
      report('unknown', reasons);
      return { status: 'stale' };
    }
    const decision = await decide(this.#scope, node, outputsOf(depOutcomes));
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
    const notBuilt = depOutcomes.find(didNotBuild) as { failure: BuildFailure } | undefined;
    if (notBuilt) {
      this.#emit({ type: 'build-skipped', ...id, failedBuild: notBuilt.failure.build });
      return { status: 'skipped', failure: notBuilt.failure };
    }
    if (failed.length > 0) {
      const left = failed.map((input) => input.item).join(', ');
      this.#emit({ type: 'build-log', ...id, message: `over ${items.length} of ${this.#opts.items.length} inputs; left out after a failure: ${left}` });
    }
    const fail = (error: string): Outcome => {
      this.#emit({ type: 'build-failed', ...id, error });
      return { status: 'failed', failure: { build: node.id, error } };
    };
    const depOutputs = outputsOf(depOutcomes);
    const { resources = { cpu: 1 } } = node.rule;
    const params = this.#scope.ruleParams(node.rule);
    const claim = typeof resources === 'function' ? resources(params) : resources;
    const executor = this.#opts.executor ?? inProcessExecutor;
    const together = sharing(node, executor);
    // Ready now: the builds it may start together with wait until it is queued or known not to run.
    if (together) this.#pools.expect(together.key);
    const withdraw = () => together && this.#pools.withdraw(together.key);
    let decision: Decision;
    try {
      decision = await decide(this.#scope, node, depOutputs, failed);
    } catch (error) {
      withdraw();
      return fail(describe(error));
    }
    if (decision.action !== 'run') withdraw();
    if (decision.action === 'fresh') {
      this.#emit({ type: 'build-fresh', ...id });
      return { status: 'fresh', outputs: decision.outputs! };
    }
    if (decision.action === 'restore') {
      try {
        // Publishing can fail like any build (a full output disk): it must fail this build, not the run.
        await record(this.#scope, node, decision, decision.outputs!);
      } catch (error) {
        return fail(describe(error));
      }
      this.#emit({ type: 'build-restored', ...id, reasons: decision.reasons });
      return { status: 'restored', outputs: decision.outputs! };
    }
    return this.#pools.run(claim, async (cohort): Promise<Outcome> => {
      const sharedSource = cohort.length > 1 ? this.#meetingPoint(cohort).member(node.rule.name) : undefined;
      if (this.#opts.signal?.aborted) {
        sharedSource?.leave();
        return fail('interrupted before it started');
      }
      this.#emit({ type: 'build-start', ...id, reasons: decision.reasons });
      const began = Date.now();
      let failure: string | undefined;
      try {
        const outputs = await runBuild({
          node,
          key: decision.key,
          claim,
          itemHash: node.item ? ((await this.#scope.itemHash(node.item)) ?? null) : null,
          params,
          deps: dependencyArtifacts(this.#scope, node, depOutputs),
          items,
          failed,
          batchDir: this.#scope.batchDir(node),
          state: this.#opts.state,
          executor,
          ...(sharedSource && { sharedSource }),
          ...(decision.trace && { previous: storedPaths(this.#opts.state, decision.trace.outputs) }),
          signal: this.#opts.signal ?? new AbortController().signal,
          emit: (event: EngineEvent) => this.#emit(event),
        });
        failure = await inputChangedDuring(this.#scope, node);
        if (failure === undefined) {
          await record(this.#scope, node, decision, outputs);
          const unchanged = decision.trace !== undefined && isDeepStrictEqual(decision.trace.outputs, outputs);
          this.#emit({ type: 'build-done', ...id, ms: Date.now() - began, unchanged });
          return { status: 'built', outputs };
        }
      } catch (error) {
        // A half-copied video fails in ffprobe; the cause worth reporting is that it was still being written.
        failure = (await inputChangedDuring(this.#scope, node)) ?? describe(error);
      }
      return fail(failure);
    }, this.#priority(node), together);
  }

  #meetingPoint(cohort: readonly string[]): Rendezvous {
    let meeting = this.#rendezvous.get(cohort);
    if (!meeting) {
      meeting = new Rendezvous(cohort);
      this.#rendezvous.set(cohort, meeting);
    }
    return meeting;
  }

  /** Inputs earlier runs built that this run's items no longer hold; see gc.ts. */
  goneItems(): GoneItems {
    return goneItems(this.#scope);
  }

  /** Unpublishes and forgets the builds of gone inputs; returns their ids. */
  forgetGoneItems(): Promise<string[]> {
    return forgetGoneItems(this.#scope);
  }

  /** What the batch builds of the last build() publish (those that did not fail), relative to the output folder. */
  batchPublished(): string[] {
    return publishedBy(this.#scope, this.#batchesDone);
  }

  /** After a run over every input: drops a filtered run's batch outputs that the last build() superseded. */
  forgetSelection(selectionDir: string): Promise<void> {
    return forgetSelection(this.#scope, this.#batchesDone, selectionDir);
  }
}

/** Which builds `node` may start together with: those of its item naming its rule's shared source. */
function sharing(node: BuildNode, executor: Executor): Together | undefined {
  const source = node.rule.sharedSource;
  if (source === undefined || node.item === null || !executor.sharesSources) return undefined;
  return { key: `${source}\0${node.item.id}`, member: node.rule.name };
}

/** A trace's outputs as the paths of their stored files. */
function storedPaths(state: CacheState, outputs: Outputs): Record<string, string> {
  return Object.fromEntries(Object.entries(outputs).map(([name, hash]) => [name, state.store.path(hash)]));
}

function didNotBuild(outcome: Outcome): boolean {
  return outcome.status === 'failed' || outcome.status === 'skipped';
}

/** The outputs of dependencies that all built (or, in a dry run, are known without building). */
function outputsOf(depOutcomes: readonly Outcome[]): Outputs[] {
  return depOutcomes.map((outcome) => (outcome as { outputs: Outputs }).outputs);
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
      broken.set(dep.item.id, outcome.failure);
    }
  });
  if (broken.size === 0) return { node, depOutcomes, items, failed };
  const keep = node.deps.map((dep) => dep.item === null || !broken.has(dep.item.id));
  for (const [item, failure] of [...broken].sort(([a], [b]) => (a < b ? -1 : 1))) failed.push({ item, ...failure });
  return {
    node: { ...node, deps: node.deps.filter((_, i) => keep[i]) },
    depOutcomes: depOutcomes.filter((_, i) => keep[i]),
    items: items.filter((item) => !broken.has(item.id)),
    failed,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
