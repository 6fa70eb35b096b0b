import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { displayUrl, KEY_PREFIX, QUEUES, QueueUrlError, redisOptions } from '../../distributed/connection.ts';
import { liveWorkers } from '../../distributed/registry.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../parse.ts';

/** `vbuild status --queue URL`: the live workers, what each runs (with frames/s), and each queue's depth. */
export async function queueStatusCommand(ctx: CommandContext, url: string): Promise<number> {
  let connection;
  try {
    connection = redisOptions(url);
  } catch (error) {
    if (error instanceof QueueUrlError) throw new UsageError(error.message);
    throw error;
  }
  // Fail instead of waiting for a Redis that is not there: status is asked by a person.
  const redis = new Redis({ ...connection, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on('error', () => undefined);
  const queues = Object.values(QUEUES).map((name) => new Queue(name, { connection: redis, prefix: KEY_PREFIX }));
  // Unheard, a connection error is printed with the failed command, a password included: the catch below says it once, without.
  for (const queue of queues) queue.on('error', () => undefined);
  try {
    const workers = await liveWorkers(redis);
    const depths = Object.fromEntries(
      await Promise.all(queues.map(async (queue) => [queue.name, await queue.getJobCounts('waiting', 'active', 'delayed', 'failed')] as const)),
    );
    if (ctx.options.json) {
      ctx.stdout.write(JSON.stringify({ workers, queues: depths }) + '\n');
      return 0;
    }
    ctx.stdout.write(`${workers.length === 1 ? '1 worker' : `${workers.length} workers`} on ${displayUrl(url)}\n`);
    for (const worker of workers) {
      ctx.stdout.write(`  ${worker.id}  ${worker.queues.join('+')}  ${worker.running.length}/${worker.concurrency} running, ${worker.finished} finished\n`);
      for (const build of worker.running) {
        const progress = build.total ? `  ${build.done}/${build.total} ${build.unit}, ${(build.rate ?? 0).toFixed(1)}/s` : '';
        ctx.stdout.write(`    ${build.build}${progress}\n`);
      }
    }
    for (const [name, counts] of Object.entries(depths)) {
      ctx.stdout.write(`queue ${name}: ${counts['waiting']} waiting, ${counts['active']} running, ${counts['delayed']} to retry, ${counts['failed']} failed\n`);
    }
    return 0;
  } catch (error) {
    throw new UsageError(`cannot read the queue at ${displayUrl(url)}: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
    redis.disconnect();
  }
}
