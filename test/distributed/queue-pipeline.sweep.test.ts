/**
 * The video pipeline through the queue: a coordinator and two real `vbuild worker` processes on a
 * real redis-server build plan.json and every clip byte for byte as a local run of the same inputs.
 */
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultPipelineRig, REPO_ROOT, type Rig } from '../helpers/rig.ts';
import { hasRedis, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';
import { seedModels } from '../helpers/shared-models.ts';
import { scaled } from '../helpers/time-limits.ts';
import { ffmpeg, X264_FAST } from '../media/media-fixtures.ts';
import { startWorker, stopWorker, treeOf } from '../helpers/queue-workers.ts';

const FIXTURES = path.join(REPO_ROOT, 'test/fixtures/videos');
const VIDEOS = ['hamilton_whitehouse_cuts_640x360.mp4', 'leaf_noface_720p_noaudio.mp4', 'multishot_8shots_640x360_25fps.mp4', 'tears_of_steel_5shots_800x332.webm'];

/** The four fixtures and a fifth made from one of them (its first shots, re-encoded): five videos, three with faces. */
async function videoRig(): Promise<Rig> {
  const rig = defaultPipelineRig();
  for (const video of VIDEOS) copyFileSync(path.join(FIXTURES, video), path.join(rig.dir, 'videos', video));
  await ffmpeg(path.join(rig.dir, 'videos/multishot_first_shots.mp4'), ['-i', path.join(FIXTURES, VIDEOS[2]!), '-t', '6', ...X264_FAST, '-an']);
  seedModels(path.join(rig.dir, 'cache'));
  return rig;
}

describe.skipIf(!hasRedis)(hasRedis ? 'the video pipeline through the queue' : `the video pipeline through the queue: SKIPPED, ${REDIS_SERVER} is missing`, () => {
  let redis: RedisServer;
  let local: Rig;
  let queued: Rig;
  const workers: { child: ChildProcess }[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
    [local, queued] = await Promise.all([videoRig(), videoRig()]);
  });
  afterAll(async () => {
    await Promise.all(workers.map(stopWorker));
    await redis?.stop();
    local?.cleanup();
    queued?.cleanup();
  });

  it(
    'a coordinator and two workers publish plan.json and every clip byte-identical to a local run',
    async () => {
      const alone = await local.run(['all', '--device', 'cpu', '-j', '1']);
      expect(alone.code, alone.stderr).toBe(0);

      for (let n = 0; n < 2; n++) workers.push(await startWorker(queued, redis.url, ['--device', 'cpu', '--threads', '1']));
      const result = await queued.run(['all', '--queue', redis.url, '--device', 'cpu']);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain('builds run on the workers of');

      const out = treeOf(path.join(queued.dir, 'out'));
      const clips = Object.keys(out).filter((file) => file.endsWith('.mp4'));
      expect(clips.length).toBeGreaterThan(3);
      expect(Object.keys(out)).toContain('plan.json');
      expect(out).toEqual(treeOf(path.join(local.dir, 'out')));
      // The same artifacts in the store, journals included (detect's detections.jsonl).
      const objects = (rig: Rig) => readdirSync(path.join(rig.dir, 'cache/objects'), { recursive: true }).sort();
      expect(objects(queued)).toEqual(objects(local));
    },
    scaled(900_000),
  );
});
