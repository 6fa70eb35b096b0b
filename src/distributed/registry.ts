import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './connection.ts';

/** What `vbuild status --queue` shows of one worker: it rewrites its entry every few seconds. */
export interface WorkerEntry {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  concurrency: number;
  running: RunningBuild[];
  /** Builds this worker finished since it started. */
  finished: number;
  seenAt: number;
}

export interface RunningBuild {
  build: string;
  startedAt: number;
  done?: number;
  total?: number;
  unit?: string;
  /** Units per second over the build so far. */
  rate?: number;
}

export const WORKERS_KEY = `${KEY_PREFIX}:workers`;
export const HEARTBEAT_MS = 2_000;
/** An entry not rewritten for this long is a worker that died or lost Redis. */
export const GONE_AFTER_MS = 5 * HEARTBEAT_MS;

export function publishWorker(redis: Redis, entry: WorkerEntry): Promise<unknown> {
  return redis.hset(WORKERS_KEY, entry.id, JSON.stringify(entry));
}

export function forgetWorker(redis: Redis, id: string): Promise<unknown> {
  return redis.hdel(WORKERS_KEY, id);
}

/** The workers seen recently, by host then pid; entries of dead ones are dropped from Redis. */
export async function liveWorkers(redis: Redis, now = Date.now()): Promise<WorkerEntry[]> {
  const live: WorkerEntry[] = [];
  for (const [id, text] of Object.entries(await redis.hgetall(WORKERS_KEY))) {
    const entry = JSON.parse(text) as WorkerEntry;
    if (now - entry.seenAt > GONE_AFTER_MS) await redis.hdel(WORKERS_KEY, id);
    else live.push(entry);
  }
  return live.sort((a, b) => a.host.localeCompare(b.host) || a.pid - b.pid);
}
