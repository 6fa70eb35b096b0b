/**
 * Workers SIGKILLed while they run real video builds: one during detect (another worker resumes
 * its journal on the shared cache), one during cut (the build runs again elsewhere). The run
 * completes with the clips, plan and stored objects of an uninterrupted local run.
 */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveWorkers } from '../../src/distributed/registry.ts';
import { startWorker, stopWorker, treeOf } from '../helpers/queue-workers.ts';
import { hasRedis, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';
import { defaultPipelineRig, done, REPO_ROOT, type Rig, until } from '../helpers/rig.ts';
import { seedModels } from '../helpers/shared-models.ts';
import { scaled } from '../helpers/time-limits.ts';

const VIDEO = 'hamilton_whitehouse_cuts_640x360.mp4';
/** Dense sampling: a detect long enough to be killed in the middle. */
const PIPELINE = ['all', '--sample-fps', '5'];
/** How detect runs on the workers (their own how-it-runs params): small batches, one thread. */
const WORKER_ARGS = ['--device', 'cpu', '--threads', '1', '--batch', '2'];
const ENV = { VBUILD_QUEUE_LOCK_MS: String(scaled(5000)) };

function videoRig(): Rig {
  const rig = defaultPipelineRig();
  copyFileSync(path.join(REPO_ROOT, 'test/fixtures/videos', VIDEO), path.join(rig.dir, 'videos', VIDEO));
  seedModels(path.join(rig.dir, 'cache'));
  return rig;
}

function detectJournalLines(rig: Rig): number {
  const work = path.join(rig.dir, 'cache/work');
  if (!existsSync(work)) return 0;
  return Math.max(0, ...readdirSync(work).map((key) => {
    const file = path.join(work, key, 'detections.jsonl');
    return existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0;
  }));
}

describe.skipIf(!hasRedis)(hasRedis ? 'workers killed during video builds' : `workers killed during video builds: SKIPPED, ${REDIS_SERVER} is missing`, () => {
  let redis: RedisServer;
  const rigs: Rig[] = [];
  const workers: { child: ChildProcess }[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await redis?.stop();
    for (const rig of rigs) rig.cleanup();
  });

  it(
    'a worker killed during detect and another during cut: the run completes, byte-identical to a local one',
    async () => {
      const local = videoRig();
      const queued = videoRig();
      rigs.push(local, queued);
      const alone = await local.run([...PIPELINE, '--device', 'cpu', '--threads', '1', '--batch', '2']);
      expect(alone.code, alone.stderr).toBe(0);

      const client = new Redis(redis.port, '127.0.0.1');
      const pidRunning = async (rule: string) => {
        const worker = (await liveWorkers(client)).find((entry) => entry.running.some((build) => build.build.startsWith(`${rule}@`)));
        return worker?.pid;
      };
      const addWorker = async () => workers.push(await startWorker(queued, redis.url, WORKER_ARGS, ENV));
      await addWorker();
      await addWorker();
      const coordinator = queued.start([...PIPELINE, '--queue', redis.url, '--device', 'cpu'], ENV);
      let stderr = '';
      coordinator.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const finished = done(coordinator);

      await until(() => detectJournalLines(queued) >= 6, scaled(300_000));
      const detecting = await pidRunning('detect');
      expect(detecting).toBeDefined();
      process.kill(detecting!, 'SIGKILL');
      await addWorker();

      let cutting: number | undefined;
      const deadline = Date.now() + scaled(600_000);
      while (cutting === undefined && Date.now() < deadline) {
        cutting = await pidRunning('cut');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(cutting).toBeDefined();
      process.kill(cutting!, 'SIGKILL');
      client.disconnect();

      const result = await finished;
      expect(result.code, stderr).toBe(0);
      expect(treeOf(path.join(queued.dir, 'out'))).toEqual(treeOf(path.join(local.dir, 'out')));
      const objects = (rig: Rig) => readdirSync(path.join(rig.dir, 'cache/objects'), { recursive: true }).sort();
      expect(objects(queued)).toEqual(objects(local));
    },
    scaled(1_500_000),
  );
});
