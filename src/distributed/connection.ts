import type { RedisOptions } from 'bullmq';

/** Every key vbuild keeps in Redis starts with this (BullMQ's queues, leases, the worker table). */
export const KEY_PREFIX = 'vbuild';

/**
 * Builds that claim the GPU go to `gpu`, where only workers that can run the GPU listen; every
 * other build goes to `cpu`, where every worker listens.
 */
export const QUEUES = { cpu: 'builds-cpu', gpu: 'builds-gpu' } as const;
export type QueueKind = keyof typeof QUEUES;

/**
 * How long a job stays a worker's without it answering before BullMQ hands it to another, and how
 * long a dead worker's build lease outlives it: a killed worker's build resumes elsewhere after
 * this; short enough to be within a minute, long enough that a busy event loop is not taken for
 * dead. Coordinators and workers must agree on it (tests shorten it).
 */
export const LOCK_MS = Number(process.env['VBUILD_QUEUE_LOCK_MS'] ?? 30_000);

export class QueueUrlError extends Error {}

/**
 * `redis://[user:pass@]host[:port][/db]` or `rediss://…` (TLS) as ioredis options. BullMQ's
 * blocking connections need `maxRetriesPerRequest: null`: a command waits out a Redis restart
 * instead of failing after a few retries.
 */
export function redisOptions(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QueueUrlError(`--queue ${JSON.stringify(url)} is not a URL (redis://host:6379 or rediss://user:pass@host:6380)`);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new QueueUrlError(`--queue ${JSON.stringify(url)}: only redis:// and rediss:// (TLS) are supported`);
  }
  const db = parsed.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw new QueueUrlError(`--queue ${JSON.stringify(url)}: the path must be a database number`);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    ...(parsed.username !== '' && { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password !== '' && { password: decodeURIComponent(parsed.password) }),
    ...(db !== '' && { db: Number(db) }),
    ...(parsed.protocol === 'rediss:' && { tls: { servername: parsed.hostname } }),
    maxRetriesPerRequest: null,
  };
}

/** The queue URL without its password, for messages. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}

/**
 * Logs in once, without retrying: a wrong password, an unknown host or a closed port is a
 * QueueUrlError naming the queue, where BullMQ's clients would retry it forever.
 */
export async function checkQueue(url: string): Promise<void> {
  // Loaded here, not with the module: every run reads this module's URL helpers, and ioredis alone
  // costs a start 0.2 CPU-s that a run without --queue never needs.
  const { Redis } = await import('ioredis');
  const client = new Redis({ ...redisOptions(url), lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // The connection's own error (WRONGPASS, ECONNREFUSED) says more than the command's "Connection is closed".
  let cause: Error | undefined;
  client.on('error', (error: Error) => (cause ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = cause ?? (error instanceof Error ? error : new Error(String(error)));
    throw new QueueUrlError(`cannot reach the queue at ${displayUrl(url)}: ${reason.message}`);
  } finally {
    client.disconnect();
  }
}
