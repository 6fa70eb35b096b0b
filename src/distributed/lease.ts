import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { KEY_PREFIX } from './connection.ts';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export interface Lease {
  /**
   * Aborted when the lease is found gone at a renewal (Redis restarted without its data, or this
   * process stalled past the TTL): another worker may hold it now, so the build must stop.
   */
  lost: AbortSignal;
  release(): Promise<void>;
}

/**
 * A per-build lease in Redis: while one worker holds a build's key, no other runs it, so a
 * job handed out twice (BullMQ's stalled-job recovery gives a job whose worker stopped answering
 * to another) never has two writers appending to the same journal. The holder renews it; a
 * worker that dies lets it expire after `ttlMs`, and the next one waits that long at most.
 */
export async function takeLease(redis: Redis, key: string, holder: string, ttlMs: number, signal: AbortSignal): Promise<Lease> {
  const name = `${KEY_PREFIX}:lease:${key}`;
  while ((await redis.set(name, holder, 'PX', ttlMs, 'NX')) !== 'OK') {
    if (signal.aborted) throw new Error('interrupted while waiting for the build lease');
    await sleep(Math.min(500, ttlMs / 4));
  }
  const lost = new AbortController();
  const renewal = setInterval(() => {
    redis
      .eval(RENEW, 1, name, holder, String(ttlMs))
      .then((renewed) => {
        if (renewed !== 0) return;
        clearInterval(renewal);
        lost.abort(new Error(`lease of ${key} lost`));
      })
      .catch(() => undefined);
  }, ttlMs / 3);
  return {
    lost: lost.signal,
    async release() {
      clearInterval(renewal);
      await redis.eval(RELEASE, 1, name, holder).catch(() => undefined);
    },
  };
}
