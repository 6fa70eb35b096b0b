/**
 * A Redis that wants a password (`requirepass`, what docs/scale-out.md tells users to set): the
 * coordinator and the workers log in with redis://user:pass@…; a wrong password is a clear error
 * naming the queue (never the password), never a hang.
 */
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { ToyRig } from '../engine/toy-rig.ts';
import { startWorker, stopWorker } from '../helpers/queue-workers.ts';
import { hasRedis, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';

describe.skipIf(!hasRedis)(hasRedis ? 'a queue behind a password' : `a queue behind a password: SKIPPED, ${REDIS_SERVER} is missing`, () => {
  const rig = new ToyRig({ 'a.mp4': 'alpha', 'b.mp4': 'beta' });
  let redis: RedisServer | undefined;
  const workers: { child: ChildProcess }[] = [];
  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await redis?.stop();
    rig.cleanup();
  });

  it('builds through it with the password in the URL, and says so when the password is wrong', async () => {
    redis = await RedisServer.start({ password: 'p@ss w0rd' });
    expect(redis.url).toContain('default:p%40ss%20w0rd@');
    workers.push(await startWorker(rig, redis.url));
    const result = await rig.run(['all', '--queue', redis.url]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('builds run on the workers of');
    expect(rig.read(path.join('out', 'a', 'upper.txt'))).toBe('ALPHA!');

    const wrong = redis.url.replace('p%40ss%20w0rd', 'nope');
    const refused = await rig.run(['status', '--queue', wrong]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/cannot read the queue at redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+\/?: WRONGPASS/);
    expect(refused.stderr).not.toContain('nope');
    // The coordinator and a worker say the same at once instead of retrying the login forever.
    for (const command of [['all', '--queue', wrong], ['worker', '--queue', wrong]]) {
      const result = await rig.run(command);
      expect(result.code, command[0]).toBe(2);
      expect(result.stderr, command[0]).toMatch(/cannot reach the queue at redis:\/\/default:\*\*\*@127\.0\.0\.1:\d+\/?: WRONGPASS/);
      expect(result.stderr, command[0]).not.toContain('nope');
    }
  });
});
