/**
 * The queue's cost: the toy pipeline of the tests (three per-item rules and a batch rule, each
 * build a few file reads and writes) over many items, in process and through BullMQ on a real
 * redis-server with one or two `vbuild worker` processes of one build at a time each.
 *
 *   npx tsx bench/scale-out.ts [--items 200]
 *
 * Prints wall times, the per-build times BullMQ records (added -> started by a worker ->
 * finished), and Redis commands per build (INFO's total_commands_processed over the run: every
 * client, the workers' heartbeats and blocking waits included).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { KEY_PREFIX, QUEUES } from '../src/distributed/connection.ts';
import { RedisServer } from '../test/helpers/redis-server.ts';

const { values } = parseArgs({ options: { items: { type: 'string', default: '200' } } });
const ITEMS = Number(values.items);
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(REPO, 'bin/vbuild.js');
const BUILDS = 3 * ITEMS + 1;

function project(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `vbuild-bench-${name}-`));
  mkdirSync(path.join(dir, 'videos'));
  for (let i = 0; i < ITEMS; i++) writeFileSync(path.join(dir, 'videos', `v${String(i).padStart(5, '0')}.mp4`), `video ${i}`);
  writeFileSync(
    path.join(dir, 'pipeline.config.ts'),
    `import { toyConfig } from ${JSON.stringify(path.join(REPO, 'test/fixtures/toy-pipeline.ts'))};\n` +
      `export default toyConfig({ log: ${JSON.stringify(path.join(dir, 'runs.log'))} });\n`,
  );
  return dir;
}

function vbuild(dir: string, args: string[]): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (result.status !== 0) throw new Error(`vbuild ${args.join(' ')} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function startWorker(dir: string, url: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [BIN, 'worker', '--queue', url, '-j', '1'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('takes builds from')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}: ${log}`)));
  });
  return child;
}

async function commandsProcessed(redis: Redis): Promise<number> {
  return Number(/total_commands_processed:(\d+)/.exec(await redis.info('stats'))![1]);
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

const rows: string[][] = [];
const local = project('local');
const localSeconds = vbuild(local, ['all', '-j', '1']);
rows.push(['in process, -j 1', `${localSeconds.toFixed(1)} s`, `${((localSeconds * 1000) / BUILDS).toFixed(1)} ms`, '', '', '']);

/**
 * With `-j 1` on the coordinator one build is on the queue at a time, so added -> started is the
 * queue's own latency; without it up to 64 wait there and the times include waiting for the worker.
 */
const RUNS = [
  { workers: 1, inFlight: ['-j', '1'] },
  { workers: 1, inFlight: [] },
  { workers: 2, inFlight: [] },
];

for (const { workers: workerCount, inFlight } of RUNS) {
  const server = await RedisServer.start();
  const redis = new Redis(server.port, '127.0.0.1');
  const dir = project(`queue${workerCount}`);
  const workers = [];
  for (let n = 0; n < workerCount; n++) workers.push(await startWorker(dir, server.url));
  const before = await commandsProcessed(redis);
  const took = vbuild(dir, ['all', '--queue', server.url, ...inFlight]);
  const commands = (await commandsProcessed(redis)) - before;
  const queue = new Queue(QUEUES.cpu, { connection: redis, prefix: KEY_PREFIX });
  const jobs = await queue.getCompleted(0, -1);
  const wait = jobs.map((job) => job.processedOn! - job.timestamp).sort((a, b) => a - b);
  const total = jobs.map((job) => job.finishedOn! - job.timestamp).sort((a, b) => a - b);
  rows.push([
    `queue, ${workerCount} worker${workerCount > 1 ? 's' : ''} x -j 1, ${inFlight.length > 0 ? 'one build queued at a time' : 'up to 64 queued'}`,
    `${took.toFixed(1)} s`,
    `${((took * 1000) / BUILDS).toFixed(1)} ms`,
    `${quantile(wait, 0.5)} / ${quantile(wait, 0.99)} ms`,
    `${quantile(total, 0.5)} / ${quantile(total, 0.99)} ms`,
    `${(commands / BUILDS).toFixed(1)}`,
  ]);
  await queue.close();
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((worker) => new Promise((resolve) => worker.once('exit', resolve))));
  redis.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
rmSync(local, { recursive: true, force: true });

console.log(`${ITEMS} items, ${BUILDS} builds, ${os.availableParallelism()} cores, load ${os.loadavg()[0]!.toFixed(1)} at the end\n`);
console.log('| run | wall | per build | added -> started (median / p99) | added -> finished (median / p99) | Redis commands per build |');
console.log('|---|---:|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
