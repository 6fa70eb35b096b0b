import os from 'node:os';
import path from 'node:path';
import { configHash } from '../../distributed/compat.ts';
import { checkQueue, QueueUrlError, displayUrl, redisOptions } from '../../distributed/connection.ts';
import { parsePathMap, PathMapError, pathsIn } from '../../distributed/path-map.ts';
import { runWorker } from '../../distributed/worker.ts';
import { VBUILD_VERSION } from '../../version.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../parse.ts';
import { interruptOnSignals } from '../signals.ts';

/**
 * `vbuild worker --queue URL --cache DIR`: runs builds that coordinators (`vbuild all --queue`)
 * put on the queue, with this machine's config, rules and how-it-runs params (`--device`,
 * `--threads`), on the shared cache. Runs until SIGINT/SIGTERM, which hands the builds in flight
 * back to the queue: its normal end, so it exits 0.
 */
export async function workerCommand(ctx: CommandContext): Promise<number> {
  const url = ctx.options.queue;
  if (url === undefined) throw new UsageError('vbuild worker needs --queue redis://host:6379 (the coordinators\' Redis)');
  let pathMap;
  try {
    redisOptions(url);
    pathMap = parsePathMap(ctx.options.pathMap);
    await checkQueue(url);
  } catch (error) {
    if (error instanceof QueueUrlError || error instanceof PathMapError) throw new UsageError(error.message);
    throw error;
  }
  const abort = interruptOnSignals(ctx.stderr);
  const log = (line: string) => ctx.stderr.write(`vbuild worker: ${line}\n`);
  // What this worker's own flags name is what its operator lets jobs read: --models /opt/buffalo_l
  // on the worker serves a coordinator's --models that maps there.
  const ownPaths = ctx.rules.flatMap((rule) =>
    Object.entries(rule.params ?? {}).flatMap(([name, spec]) => (spec.paths ? pathsIn(String(ctx.params[name] ?? '')).map((file) => path.resolve(file)) : [])),
  );
  const roots = [...new Set([ctx.inputDir, ...pathMap.map((mapping) => mapping.to), ...ownPaths])];
  log(`queue ${displayUrl(url)}, cache ${ctx.cacheDir}, reads only under ${roots.join(', ')}`);
  try {
    await runWorker({
      url,
      setup: {
        host: os.hostname(),
        rules: new Map(ctx.rules.map((rule) => [rule.name, rule])),
        vbuild: VBUILD_VERSION,
        configHash: await configHash(ctx.rules),
        cacheDir: ctx.cacheDir,
        roots,
        pathMap,
        params: ctx.params,
      },
      jobs: ctx.options.jobs ?? os.availableParallelism(),
      // Detect's `auto` may find a GPU; only a worker told `--device cpu` stays off the GPU queue.
      gpu: ctx.params['device'] !== 'cpu',
      signal: abort.signal,
      log,
    });
  } finally {
    abort.dispose();
  }
  return 0;
}
