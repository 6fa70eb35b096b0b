import { copyFile, link, mkdir, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Job, Queue, QueueEvents } from 'bullmq';
import type { BuildTicket, Executor } from '../engine/executor.ts';
import type { Artifact, BuildContext, ParamValue, Rule } from '../engine/rule.ts';
import { configHash } from './compat.ts';
import { checkQueue, KEY_PREFIX, LOCK_MS, QUEUES, type QueueKind, redisOptions } from './connection.ts';
import { STAGING_FOLDER } from './staging.ts';
import { type BuildJob, JOB_FORMAT, type JobReport, type JobResult } from './job.ts';
import { pathsIn } from './path-map.ts';
import { ensureStoreId } from './store-id.ts';

const JOB_OPTIONS = {
  /** Retries of a job that a worker refused (another version) or handed back (it stopped); a build failure is not retried. */
  attempts: 10,
  backoff: { type: 'exponential', delay: 500 },
  removeOnComplete: { age: 3600 },
  removeOnFail: { age: 24 * 3600 },
};
const STATE_CHECK_MS = 3_000;

/**
 * Runs each build's rule on a worker through BullMQ: the job names the rule and carries its
 * params, key, input paths and dependency hashes; the worker runs its own copy of the rule on the
 * shared cache and stages the outputs there; this moves them into the build's staging folder,
 * where the engine stores them as if the rule had run here. Everything else (keys, decisions,
 * traces, publishing) stays with the engine in this process.
 */
export class QueueExecutor implements Executor {
  readonly #queues: Record<QueueKind, Queue>;
  readonly #events: Record<QueueKind, QueueEvents>;
  readonly #compat: { vbuild: string; configHash: string; storeId: string };
  /** Job id -> the build's context, for the progress and refusals its worker reports. */
  readonly #watching = new Map<string, BuildContext>();
  /** Staged folders whose outputs this run took (see #collect). */
  readonly #collected = new Set<string>();

  private constructor(url: string, compat: { vbuild: string; configHash: string; storeId: string }) {
    const connection = redisOptions(url);
    const open = <T>(make: (name: string) => T) => ({ cpu: make(QUEUES.cpu), gpu: make(QUEUES.gpu) });
    this.#queues = open((name) => new Queue(name, { connection, prefix: KEY_PREFIX }));
    this.#events = open((name) => new QueueEvents(name, { connection, prefix: KEY_PREFIX }));
    this.#compat = compat;
    // While Redis is away its clients reconnect and every command waits: the run waits with them.
    for (const queue of Object.values(this.#queues)) queue.on('error', () => undefined);
    for (const events of Object.values(this.#events)) events.on('error', () => undefined);
    for (const events of Object.values(this.#events)) {
      events.on('progress', ({ jobId, data }) => this.#onReport(jobId, data as JobReport));
    }
  }

  static async open(url: string, { rules, cacheDir, vbuild }: { rules: readonly Rule[]; cacheDir: string; vbuild: string }): Promise<QueueExecutor> {
    await checkQueue(url);
    const executor = new QueueExecutor(url, { vbuild, configHash: await configHash(rules), storeId: await ensureStoreId(cacheDir) });
    await Promise.all([...Object.values(executor.#queues), ...Object.values(executor.#events)].map((client) => client.waitUntilReady()));
    return executor;
  }

  async execute(rule: Rule, ctx: BuildContext, { key, claim }: BuildTicket): Promise<void> {
    const kind: QueueKind = (claim.gpu ?? 0) > 0 ? 'gpu' : 'cpu';
    const data = this.#jobOf(rule, ctx, key);
    let delay = 0;
    for (;;) {
      const queue = this.#queues[kind];
      const job = await this.#jobFor(queue, data, ctx, delay);
      this.#watching.set(job.id!, ctx);
      const settled = new AbortController();
      try {
        const outcome = await Promise.race([
          job.waitUntilFinished(this.#events[kind]).then((result: JobResult) => ({ result })),
          lostOrFinished(queue, job.id!, AbortSignal.any([ctx.signal, settled.signal])),
          aborted(ctx.signal),
        ]);
        if ('result' in outcome) return await this.#collect(outcome.result, ctx);
      } finally {
        settled.abort();
        this.#watching.delete(job.id!);
        // A build this run gave up on (interrupted) must not run later for nobody: take it off the queue if it waits there.
        if (ctx.signal.aborted) await job.remove().catch(() => undefined);
      }
      ctx.log('its job was lost from the queue (Redis restarted without its data?): queued again');
      // A worker may still be running the lost job until it finds its lease gone: the new job
      // starts once that lease has expired, so two never append to one journal.
      delay = LOCK_MS;
    }
  }

  /**
   * The build's job, by its key: one that an earlier coordinator (killed) queued and a worker is
   * running or has finished is taken over, its outputs still staged, instead of building again;
   * otherwise a new one.
   */
  async #jobFor(queue: Queue, data: BuildJob, ctx: BuildContext, delay: number): Promise<Job> {
    const jobId = `build-${data.key}`;
    const earlier = await Job.fromId(queue, jobId);
    if (earlier) {
      const state = await earlier.getState();
      const staged = (earlier.returnvalue as JobResult | null)?.staged;
      if (state === 'completed' && staged !== undefined && (await stat(path.join(ctx.cacheDir, STAGING_FOLDER, staged)).catch(() => undefined))) {
        ctx.log('finished on a worker for an earlier run: its outputs are taken');
        return earlier;
      }
      if (state === 'waiting' || state === 'active' || state === 'delayed' || state === 'prioritized') {
        ctx.log('queued by an earlier run and not finished: waiting for it');
        return earlier;
      }
      await earlier.remove().catch(() => undefined);
    }
    return queue.add(data.rule, data, { ...JOB_OPTIONS, jobId, delay });
  }

  #jobOf(rule: Rule, ctx: BuildContext, key: string): BuildJob {
    const hashes = (artifact: Artifact) => ({ ...artifact.hashes });
    return {
      format: JOB_FORMAT,
      ...this.#compat,
      ruleVersion: rule.version,
      coordinator: os.hostname(),
      rule: rule.name,
      key,
      item: ctx.item,
      itemHash: ctx.itemHash,
      items: [...ctx.items],
      failed: [...ctx.failed],
      batchDir: ctx.batchDir,
      params: absolutePaths(rule, ctx.params),
      deps: Object.fromEntries(Object.entries(ctx.deps).map(([dep, artifact]) => [dep, hashes(artifact)])),
      batch: Object.fromEntries(
        Object.entries(ctx.batch).map(([dep, byItem]) => [dep, Object.fromEntries(Object.entries(byItem).map(([id, artifact]) => [id, hashes(artifact)]))]),
      ),
    };
  }

  /**
   * The worker staged the outputs in the shared staged/: they are linked into the build's staging
   * folder, and its journals are opened for the engine to store. The staged folder stays until
   * this run ends (`close`): a coordinator killed after this but before the engine recorded the
   * build leaves it for the next run to take, instead of the build running again.
   */
  async #collect(result: JobResult, ctx: BuildContext): Promise<void> {
    if (!/^[\w.-]+$/.test(result.staged)) throw new Error(`worker ${result.host} returned a staging folder that is not a plain name: ${result.staged}`);
    const staged = path.join(ctx.cacheDir, STAGING_FOLDER, result.staged);
    this.#collected.add(staged);
    for (const entry of await readdir(staged, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const from = path.join(entry.parentPath, entry.name);
      const to = path.join(ctx.outDir, path.relative(staged, from));
      await mkdir(path.dirname(to), { recursive: true });
      // A shared folder without hard links (some SMB mounts) gets a copy.
      await link(from, to).catch(() => copyFile(from, to));
    }
    for (const name of result.journals) await ctx.journal(name);
  }

  #onReport(jobId: string, report: JobReport): void {
    const ctx = this.#watching.get(jobId);
    if (!ctx || typeof report !== 'object' || report === null) return;
    if ('progress' in report) ctx.progress(...report.progress);
    else if ('log' in report) ctx.log(report.log);
    else if ('refused' in report) ctx.log(`refused by worker ${report.host}: ${report.refused}; retrying on another worker`);
  }

  /** After the run: every build collected from a staged folder is recorded (or failed), so the folders go. */
  async close(): Promise<void> {
    await Promise.all([...Object.values(this.#events), ...Object.values(this.#queues)].map((client) => client.close()));
    for (const staged of this.#collected) await rm(staged, { recursive: true, force: true });
  }
}

/**
 * Checks the job's state every few seconds as well as waiting for its events: QueueEvents reads
 * Redis's event stream from where it was, so it misses the events of a Redis that restarted
 * empty. Resolves with the result of a finished job, `{ lost }` for one Redis no longer knows.
 */
async function lostOrFinished(queue: Queue, id: string, signal: AbortSignal): Promise<{ result: JobResult } | { lost: true }> {
  for (;;) {
    const waited = await sleep(STATE_CHECK_MS, true, { signal }).catch(() => false);
    // Settled otherwise (its events came, or the run was interrupted): never resolves.
    if (!waited) return new Promise(() => undefined);
    const state = await queue.getJobState(id);
    if (state === 'unknown') return { lost: true };
    if (state === 'completed' || state === 'failed') {
      const finished = await Job.fromId(queue, id);
      if (!finished) return { lost: true };
      if (state === 'failed') throw new Error(finished.failedReason);
      return { result: finished.returnvalue as JobResult };
    }
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new Error('interrupted'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail, { once: true });
  });
}

/** The params with every path a `paths` param names made absolute: a worker resolves nothing against its own working folder. */
function absolutePaths(rule: Rule, params: Readonly<Record<string, ParamValue>>): Record<string, ParamValue> {
  return Object.fromEntries(
    Object.entries(params).map(([name, value]) =>
      rule.params?.[name]?.paths && typeof value === 'string' ? [name, pathsIn(value).map((file) => path.resolve(file)).join(',')] : [name, value],
    ),
  );
}
