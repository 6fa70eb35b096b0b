/**
 * Faults on the queue path, with real worker processes and a real redis-server: a worker killed
 * in the middle of a resumable build, and Redis killed and restarted empty in the middle of a run.
 * The toy pipeline's `steps` rule is a journal like detect's. Locks and leases are shortened to
 * 5 s (VBUILD_QUEUE_LOCK_MS, longer on a slower machine) so that recovery takes seconds, not half
 * a minute, while a worker starved of CPU for a moment is still not taken for dead (its job would
 * then run twice, which at-least-once allows but these tests count).
 */
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KEY_PREFIX } from '../../src/distributed/connection.ts';
import { ToyRig } from '../engine/toy-rig.ts';
import { startWorker, stopWorker, treeOf } from '../helpers/queue-workers.ts';
import { hasRedis, REDIS_SERVER, RedisServer } from '../helpers/redis-server.ts';
import { done, until } from '../helpers/rig.ts';
import { scaled } from '../helpers/time-limits.ts';

const LOCK_MS = String(scaled(5000));
const ENV = { VBUILD_QUEUE_LOCK_MS: LOCK_MS };
const STEPS = ['--steps', '40'];
const INPUTS = { 'a.mp4': 'alpha', 'b.mp4': 'beta', 'c.mp4': 'gamma', 'd.mp4': 'delta', 'e.mp4': 'epsilon' };

/** The steps journals being written in the shared cache, with their line counts. */
function journals(rig: ToyRig): { key: string; lines: number }[] {
  const work = path.join(rig.dir, 'cache/work');
  let keys: string[] = [];
  try {
    keys = readdirSync(work);
  } catch {
    return [];
  }
  return keys.flatMap((key) => {
    try {
      return [{ key, lines: readFileSync(path.join(work, key, 'steps.jsonl'), 'utf8').split('\n').filter(Boolean).length }];
    } catch {
      return [];
    }
  });
}

/** Every steps journal as stored: each of the 40 steps once, in order. */
async function expectWholeJournals(rig: ToyRig): Promise<void> {
  for (const item of Object.keys(INPUTS)) {
    const { stdout } = await rig.run(['cat', 'steps', item, 'steps.jsonl', ...STEPS]);
    const steps = stdout.split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { step: number }).step);
    expect(steps, item).toEqual([...Array(40).keys()]);
  }
}

describe.skipIf(!hasRedis)(hasRedis ? 'queue faults' : `queue faults: SKIPPED, ${REDIS_SERVER} is missing`, () => {
  let redis: RedisServer;
  let local: ToyRig;
  const rigs: ToyRig[] = [];
  const workers: { child: ChildProcess }[] = [];
  const twoWorkers = async (rig: ToyRig) => {
    for (let n = 0; n < 2; n++) workers.push(await startWorker(rig, redis.url, ['--step-ms', '100'], ENV));
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    local = new ToyRig(INPUTS);
    rigs.push(local);
    const result = await local.run(['all', ...STEPS]);
    expect(result.code, result.stderr).toBe(0);
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map(stopWorker));
  });
  afterAll(async () => {
    await redis?.stop();
    for (const rig of rigs) rig.cleanup();
  });

  it('a worker SIGKILLed mid-build: another resumes its journal; the result is a local run\'s, nothing twice', async () => {
    const rig = new ToyRig(INPUTS);
    rigs.push(rig);
    await twoWorkers(rig);
    const coordinator = done(rig.start(['all', '--queue', redis.url, ...STEPS], ENV));
    await until(() => journals(rig).some(({ lines }) => lines >= 5 && lines < 30), 120_000);
    const { key } = journals(rig).find(({ lines }) => lines >= 5 && lines < 30)!;
    const client = new Redis(redis.port, '127.0.0.1');
    const holder = await client.get(`${KEY_PREFIX}:lease:${key}`);
    client.disconnect();
    const pid = Number(holder!.split(':')[1]);
    process.kill(pid, 'SIGKILL');

    const result = await coordinator;
    expect(result.code, result.stderr).toBe(0);
    expect(rig.takeRuns().some((line) => /^steps \S+ from [1-9]/.test(line))).toBe(true);
    expect(treeOf(path.join(rig.dir, 'out'))).toEqual(treeOf(path.join(local.dir, 'out')));
    await expectWholeJournals(rig);
  });

  it('the coordinator SIGKILLed mid-run: the next run takes over what the workers ran for it, and builds nothing twice', async () => {
    const rig = new ToyRig(INPUTS);
    rigs.push(rig);
    await twoWorkers(rig);
    // The workers hold their steps builds until the coordinator is dead.
    rig.write('runs.log.hold', '');
    const first = rig.start(['all', '--queue', redis.url, ...STEPS], ENV);
    const firstDone = done(first);
    const stepsRunning = () => (rig.exists('runs.log') ? rig.read('runs.log').split('\n').filter((line) => line.startsWith('steps ')).length : 0);
    await until(() => stepsRunning() >= 2, 120_000);
    first.kill('SIGKILL');
    await firstDone;
    rmSync(path.join(rig.dir, 'runs.log.hold'));

    const second = await rig.run(['all', '--queue', redis.url, ...STEPS], ENV);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toMatch(/finished on a worker for an earlier run: its outputs are taken|queued by an earlier run and not finished: waiting for it/);
    // Each build ran once, over both runs: as in one local run.
    expect(rig.takeRuns()).toEqual(local.read('runs.log').split('\n').filter(Boolean).sort());
    expect(treeOf(path.join(rig.dir, 'out'))).toEqual(treeOf(path.join(local.dir, 'out')));
    await expectWholeJournals(rig);
  });

  it('Redis killed and restarted empty mid-run: the run completes, the same result, nothing twice', async () => {
    const rig = new ToyRig(INPUTS);
    rigs.push(rig);
    await twoWorkers(rig);
    const coordinator = rig.start(['all', '--queue', redis.url, ...STEPS], ENV);
    let stderr = '';
    coordinator.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const finished = done(coordinator);
    await until(() => journals(rig).filter(({ lines }) => lines >= 3).length >= 2, 120_000);
    await redis.kill();
    await redis.restart();

    const result = await finished;
    expect(result.code, stderr).toBe(0);
    expect(stderr).toContain('its job was lost from the queue');
    expect(treeOf(path.join(rig.dir, 'out'))).toEqual(treeOf(path.join(local.dir, 'out')));
    await expectWholeJournals(rig);
  });
});
