/**
 * `vbuild all --queue` with real `vbuild worker` processes on a real redis-server (toy rules: the
 * queue path is the engine's, whatever the rules build). The video pipeline through the queue is
 * in queue-pipeline.test.ts.
 */
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PREFIX, QUEUES } from '../../src/distributed/connection.ts';
import type { BuildJob } from '../../src/distributed/job.ts';
import { ToyRig } from '../engine/toy-rig.ts';
import { done, type Rig, until } from '../helpers/rig.ts';
import { startWorker, stopWorker, treeOf } from '../helpers/queue-workers.ts';
import { hasRedis, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';

describe.skipIf(!hasRedis)(hasRedis ? 'builds through the queue' : `builds through the queue: SKIPPED, ${REDIS_SERVER} is missing (apt-get install -y redis-server)`, () => {
  let redis: RedisServer;
  const rigs: ToyRig[] = [];
  const workers: { child: ChildProcess }[] = [];
  const toyRig = () => {
    const rig = new ToyRig({ 'a.mp4': 'alpha', 'b.mp4': 'beta', 'c.mp4': 'gamma', 'd.mp4': 'delta', 'e.mp4': 'epsilon' });
    rigs.push(rig);
    return rig;
  };
  const worker = async (rig: Rig, args: readonly string[] = []) => {
    const started = await startWorker(rig, redis.url, args);
    workers.push(started);
    return started;
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stopWorker));
    const client = new Redis(redis.port, '127.0.0.1');
    await client.flushall();
    client.disconnect();
  });
  afterAll(async () => {
    await redis.stop();
    for (const rig of rigs) rig.cleanup();
  });

  it('two workers build what a local run builds, byte for byte; status lists both with their builds', async () => {
    const local = toyRig();
    expect((await local.run(['all'])).code).toBe(0);

    const rig = toyRig();
    await worker(rig);
    await worker(rig);
    // Held steps builds: both workers are seen running one.
    rig.write('runs.log.hold', '');
    const coordinator = done(rig.start(['all', '--queue', redis.url]));
    let status = '';
    await until(() => {
      status = readStatus(rig, redis.url);
      return (status.match(/^ {4}steps@/gm) ?? []).length === 2;
    }, 60_000);
    expect(status).toMatch(/^2 workers on /m);
    expect(status.match(/^ {2}\S+:\d+ {2}builds-cpu/gm)).toHaveLength(2);
    rmSync(path.join(rig.dir, 'runs.log.hold'));
    const result = await coordinator;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('builds run on the workers of');

    expect(treeOf(path.join(rig.dir, 'out'))).toEqual(treeOf(path.join(local.dir, 'out')));
    expect(readdirSync(path.join(rig.dir, 'cache/objects'), { recursive: true }).sort()).toEqual(
      readdirSync(path.join(local.dir, 'cache/objects'), { recursive: true }).sort(),
    );
    expect(rig.takeRuns()).toEqual(local.takeRuns());
    // Nothing staged is left behind in the shared cache.
    expect(readdirSync(path.join(rig.dir, 'cache/tmp'))).toEqual([]);
    expect(readdirSync(path.join(rig.dir, 'cache/staged'))).toEqual([]);

    const again = await rig.run(['all', '--queue', redis.url]);
    expect(again.stderr).toContain('0 ran, 0 restored from cache, 16 fresh');
  });

  it('a worker refuses a crafted job: missing fields, an unknown rule, a path outside its folders, also through a link', async () => {
    const rig = toyRig();
    const { log } = await worker(rig);
    expect((await rig.run(['upper@a.mp4', '--queue', redis.url])).code).toBe(0);
    // Inside the input folder by name, outside it once the links are followed.
    symlinkSync(path.join(rig.dir, 'pipeline.config.ts'), path.join(rig.dir, 'videos/escape.mp4'));
    mkdirSync(path.join(rig.dir, 'videos/sub'));
    symlinkSync(rig.dir, path.join(rig.dir, 'videos/sub/up'));
    const connection = { host: '127.0.0.1', port: redis.port };
    const queue = new Queue(QUEUES.cpu, { connection, prefix: KEY_PREFIX });
    const events = new QueueEvents(QUEUES.cpu, { connection, prefix: KEY_PREFIX });
    await events.waitUntilReady();
    const [real] = await queue.getCompleted();
    const genuine = real!.data as BuildJob;
    const refusal = async (data: unknown) => {
      const job = await queue.add('crafted', data);
      return job.waitUntilFinished(events).then(
        () => 'ran',
        (error: Error) => error.message,
      );
    };
    try {
      const { key: _key, ...keyless } = genuine;
      expect(await refusal(keyless)).toMatch(/refused by worker .*: key must be a build key/);
      expect(await refusal({ ...genuine, item: { id: 'x', path: 42 } })).toMatch(/item must be null or \{ id, path \}/);
      expect(await refusal({ ...genuine, rule: 'nosuch' })).toMatch(/no rule "nosuch" in this worker's config/);
      const outsides = [
        path.join(rig.dir, 'videos/../pipeline.config.ts'),
        '/etc/passwd',
        path.join(rig.dir, 'videos/escape.mp4'),
        path.join(rig.dir, 'videos/sub/up/pipeline.config.ts'),
      ];
      for (const outside of outsides) {
        expect(await refusal({ ...genuine, item: { id: 'a.mp4', path: outside } }), outside).toMatch(/input path .* lies outside the folders this worker serves/);
        // A param that names files is checked like an input.
        const params = { ...genuine.params, prefix_file: `${path.join(rig.dir, 'videos/a.mp4')},${outside}` };
        expect(await refusal({ ...genuine, params }), outside).toMatch(/--prefix-file .* lies outside the folders this worker serves/);
      }
      expect(await refusal({ ...genuine, deps: { upper: { 'upper.txt': '../../../etc/passwd' } } })).toMatch(/deps must be/);
      expect(await refusal({ ...genuine, deps: { upper: { '../x': genuine.key } } })).toMatch(/deps must be/);
      // Each refusal is in the worker's log too, naming the job. The worker writes the line before it
      // fails the job, but its stderr pipe and the queue's events reach this process on separate
      // sockets, in either order (a run at load 8 found one line missing here).
      await until(() => (log().match(/refused /g)?.length ?? 0) >= 13);
      // And the genuine job still runs.
      expect(await refusal(genuine)).toBe('ran');
    } finally {
      await events.close();
      await queue.close();
    }
  });

  it("a path param reaches the worker through its --path-map, never replaced by the worker's own value", async () => {
    const rig = toyRig();
    rig.write('notes/prefix.txt', 'from the coordinator ');
    // The worker mounts the coordinator's notes/ as mirror/; its own --prefix-file names another file.
    rig.write('mirror/prefix.txt', 'from the coordinator ');
    rig.write('own.txt', 'the worker\'s own ');
    await worker(rig, ['--path-map', `${path.join(rig.dir, 'notes')}=${path.join(rig.dir, 'mirror')}`, '--prefix-file', 'own.txt']);
    const result = await rig.run(['upper@a.mp4', '--queue', redis.url, '--prefix-file', 'notes/prefix.txt']);
    expect(result.code, result.stderr).toBe(0);
    expect(rig.read('out/a/upper.txt')).toBe('FROM THE COORDINATOR ALPHA!');
  });

  it('a worker with another config refuses with a clear error at the coordinator; the builds run on a matching worker', async () => {
    const rig = toyRig();
    rig.write(
      'other.config.ts',
      `import { toyConfig } from ${JSON.stringify(path.resolve('test/fixtures/toy-pipeline.ts'))};\n` +
        `export default toyConfig({ log: ${JSON.stringify(path.join(rig.dir, 'runs.log'))}, upperVersion: 2 });\n`,
    );
    const mismatched = await worker(rig, ['--config', 'other.config.ts']);
    const coordinator = rig.start(['all', '--queue', redis.url]);
    let stderr = '';
    coordinator.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const finished = done(coordinator);
    await until(() => stderr.includes('refused by worker'), 60_000);
    expect(stderr).toContain(`refused by worker ${os.hostname()}: rule version 2 here, the coordinator's is 1; retrying on another worker`);
    await stopWorker(mismatched);
    await worker(rig);
    const result = await finished;
    expect(result.code, stderr).toBe(0);
    expect(rig.read('out/total.txt')).toBe('31');
  });
});

function readStatus(rig: Rig, url: string): string {
  return execFileSync(process.execPath, [path.resolve('bin/vbuild.js'), 'status', '--queue', url], { cwd: rig.dir, encoding: 'utf8' });
}
