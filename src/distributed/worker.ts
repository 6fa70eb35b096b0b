import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { checkJob, type JobReport, type JobResult } from './job.ts';
import { KEY_PREFIX, LOCK_MS, QUEUES, type QueueKind, redisOptions } from './connection.ts';
import { takeLease } from './lease.ts';
import { forgetWorker, HEARTBEAT_MS, publishWorker, type RunningBuild, type WorkerEntry } from './registry.ts';
import { JobRefusal, runJob, type WorkerSetup } from './run-job.ts';

export interface WorkerOptions {
  url: string;
  setup: WorkerSetup;
  /** Builds from the cpu queue at once. */
  jobs: number;
  /** Whether this worker also takes builds that claim the GPU (one at a time). */
  gpu: boolean;
  signal: AbortSignal;
  log: (line: string) => void;
}

const PROGRESS_EVERY_MS = 500;

/**
 * Takes builds from the queues until `signal` aborts, then stops taking more and hands back the
 * builds still running (they go back to the queue and resume elsewhere from their journals).
 */
export async function runWorker({ url, setup, jobs, gpu, signal, log }: WorkerOptions): Promise<void> {
  const connection = redisOptions(url);
  const redis = new Redis(connection);
  redis.on('error', () => undefined);
  const id = `${setup.host}:${process.pid}`;
  const running = new Map<string, RunningBuild>();
  let finished = 0;
  const kinds: QueueKind[] = gpu ? ['cpu', 'gpu'] : ['cpu'];
  const heartbeat = () => {
    const entry: WorkerEntry = {
      id,
      host: setup.host,
      pid: process.pid,
      queues: kinds.map((kind) => QUEUES[kind]),
      concurrency: jobs + (gpu ? 1 : 0),
      running: [...running.values()],
      finished,
      seenAt: Date.now(),
    };
    publishWorker(redis, entry).catch(() => undefined);
  };
  const stop = new AbortController();
  signal.addEventListener('abort', () => stop.abort(), { once: true });

  const runQueued = async (job: Job): Promise<JobResult> => {
    const checked = checkJob(job.data);
    if (typeof checked === 'string') {
      log(`refused job ${job.id}: ${checked}`);
      throw new UnrecoverableError(`refused by worker ${setup.host}: ${checked}`);
    }
    const build = checked.item ? `${checked.rule}@${checked.item.id}` : checked.rule;
    let progressSentAt = 0;
    const report = (message: JobReport) => {
      if ('progress' in message) {
        const entry = running.get(job.id!);
        if (entry) {
          const [done, total, unit] = message.progress;
          Object.assign(entry, { done, total, unit, rate: done / Math.max(0.001, (Date.now() - entry.startedAt) / 1000) });
        }
        // A Redis write per frame would cost more than the frame: progress goes out twice a second.
        if (Date.now() - progressSentAt < PROGRESS_EVERY_MS) return;
        progressSentAt = Date.now();
      }
      job.updateProgress(message).catch(() => undefined);
    };
    const lease = await takeLease(redis, checked.key, `${id}:${job.id}`, LOCK_MS, stop.signal);
    running.set(job.id!, { build, startedAt: Date.now() });
    heartbeat();
    try {
      const result = await runJob(checked, setup, AbortSignal.any([stop.signal, lease.lost]), report);
      finished++;
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof JobRefusal) {
        log(`refused ${build} (job ${job.id} from ${checked.coordinator}): ${message}`);
        const refusal = `refused by worker ${setup.host}: ${message}`;
        if (!error.retry) throw new UnrecoverableError(refusal);
        await job.updateProgress({ refused: message, host: setup.host } satisfies JobReport).catch(() => undefined);
        throw new Error(refusal);
      }
      // Stopped, not failed: the build goes back to the queue and resumes elsewhere.
      if (stop.signal.aborted) throw new Error(`worker ${setup.host} stopped during ${build}`);
      if (lease.lost.aborted) {
        log(`lost the lease of ${build} (Redis restarted, or this worker stalled past ${LOCK_MS} ms): stopped it; it runs again from its journal`);
        throw new Error(`worker ${setup.host} lost the lease of ${build}`);
      }
      throw new UnrecoverableError(message);
    } finally {
      running.delete(job.id!);
      heartbeat();
      await lease.release();
    }
  };

  const workers = kinds.map(
    (kind) =>
      new Worker(QUEUES[kind], runQueued, {
        connection,
        prefix: KEY_PREFIX,
        name: id,
        concurrency: kind === 'gpu' ? 1 : jobs,
        lockDuration: LOCK_MS,
        stalledInterval: LOCK_MS / 2,
        // A build whose worker dies goes back to the queue each time; a build that kills every
        // worker it lands on fails after this many.
        maxStalledCount: 5,
      }),
  );
  for (const worker of workers) worker.on('error', (error) => log(`queue: ${error.message}`));
  log(`worker ${id} takes builds from ${kinds.map((kind) => QUEUES[kind]).join(' and ')} (${jobs} at once${gpu ? ', and one GPU build' : ''})`);
  heartbeat();
  const beat = setInterval(heartbeat, HEARTBEAT_MS);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  clearInterval(beat);
  await Promise.all(workers.map((worker) => worker.close()));
  await forgetWorker(redis, id).catch(() => undefined);
  redis.disconnect();
}
