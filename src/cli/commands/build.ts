import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { type BuildStatus, Engine } from '../../engine/engine.ts';
import type { EngineEvent } from '../../engine/events.ts';
import { discoverItems, type ItemSelection } from '../../engine/items.ts';
import type { Item } from '../../engine/rule.ts';
import { sameContentItems } from '../../engine/same-content.ts';
import { acquireLock, LockedError } from '../../engine/lock.ts';
import { CacheState } from '../../engine/state.ts';
import type { CommandContext } from '../context.ts';
import { plainReporter, ttyReporter } from '../reporters/console.ts';
import { statusFileReporter } from '../reporters/status-file.ts';
import { parseTargets } from '../targets.ts';
import { INTERRUPTED_EXIT, interruptOnSignals } from '../signals.ts';
import { capList } from '../lists.ts';
import { UsageError } from '../parse.ts';
import type { Capacities } from '../../engine/scheduler.ts';
import { displayUrl, QueueUrlError } from '../../distributed/connection.ts';
import type { QueueExecutor } from '../../distributed/queue-executor.ts';
import { VBUILD_VERSION } from '../../version.ts';
import { decidePrune, type PruneDecision } from '../prune.ts';

/** An output or cache path that names a file would fail every build's publish or store: one error instead. */
function checkFolders(ctx: CommandContext): void {
  for (const [flag, dir] of [['--output', ctx.outputDir], ['--cache', ctx.cacheDir]] as const) {
    if (existsSync(dir) && !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${dir} is a file, not a folder`);
  }
}

async function selectItems(ctx: CommandContext): Promise<ItemSelection> {
  const { options, config, inputDir, stderr } = ctx;
  checkFolders(ctx);
  const selection = await discoverItems(
    { dir: inputDir, include: config.input.include },
    { only: options.only, skip: options.skip, from: options.from, exclude: [ctx.outputDir, ctx.cacheDir] },
  );
  if (selection.notTaken.length > 0) {
    const extensions = [...new Set(selection.notTaken.map((id) => path.posix.extname(id).toLowerCase() || '(none)'))].sort();
    stderr.write(
      `vbuild: ${selection.notTaken.length} other files in ${inputDir} are not videos by their extension and were not taken ` +
        `(${capList(extensions)}; videos: ${config.input.include.join(', ')})\n`,
    );
  }
  if (selection.repeatedFolders.length > 0) {
    stderr.write(
      `vbuild: warning: not followed: ${selection.repeatedFolders.length} symlinked folders leading where the walk had been already ` +
        `(a loop or a second way in): ${capList(selection.repeatedFolders)}\n`,
    );
  }
  if (selection.brokenLinks.length > 0) {
    stderr.write(`vbuild: warning: ${selection.brokenLinks.length} broken symlinks in ${inputDir}: ${capList(selection.brokenLinks)}\n`);
  }
  for (const { filter, pattern } of selection.unmatched) {
    stderr.write(`vbuild: warning: --${filter} ${JSON.stringify(pattern)} matched none of the ${selection.discovered} inputs\n`);
  }
  const filtered = isFiltered(ctx);
  const count = selection.items.length;
  stderr.write(
    selection.wholeFolder
      ? `vbuild: ${filtered ? `${count} of ${selection.discovered} inputs` : count === 1 ? '1 input' : `${count} inputs`} in ${inputDir} (${config.input.include.join(', ')})\n`
      : `vbuild: 1 input: ${inputDir}\n`,
  );
  return selection;
}

function isFiltered({ options }: CommandContext): boolean {
  return options.only.length + options.skip.length > 0 || options.from !== undefined;
}

/** Where a filtered run's batch outputs (its plan and report) go, under the output folder. */
export const SELECTION_DIR = 'selection';

/**
 * A filtered run's batch outputs cover the selection and have their own folder, which this names
 * at the end of the run; a run over every input supersedes them, and removes them.
 */
async function settleSelection(ctx: CommandContext, engine: Engine, selected: number): Promise<void> {
  if (!isFiltered(ctx)) return engine.forgetSelection(SELECTION_DIR);
  // The entry points (plan.json, report/index.html), not every thumbnail under them.
  const entryPoints = engine.batchPublished().filter((rel) => rel.split(path.sep).length <= 3);
  if (entryPoints.length === 0) return;
  ctx.stderr.write(
    `vbuild: outputs over the ${selected} selected inputs: ${entryPoints.map((rel) => path.join(ctx.outputDir, rel)).join(', ')}` +
      ` (those over the whole folder, in ${ctx.outputDir}, are left as they are)\n`,
  );
}

export async function dryRunCommand(ctx: CommandContext, targetWords: readonly string[]): Promise<number> {
  const selection = await selectItems(ctx);
  // With the cache free, the dry run keeps the content hashes it computed (the stat cache) so the
  // next run does not read the inputs again; it never writes a trace. While a build holds the
  // cache, it only reads.
  const lock = await acquireLock(CacheState.lockFileOf(ctx.cacheDir)).catch((error: unknown) => {
    if (error instanceof LockedError) return undefined;
    throw error;
  });
  const state = CacheState.open(ctx.cacheDir, { readOnly: lock === undefined, verify: ctx.options.verify });
  let builds;
  let prune;
  let items;
  try {
    items = await withoutCopies(ctx, selection.items, state);
    const engine = new Engine({ ...engineOptions(ctx, state), items });
    builds = await engine.dryRun(parseTargets(targetWords));
    prune = pruneDecision(ctx, selection, engine, items.length);
  } finally {
    state.close();
    await lock?.release();
  }
  if (ctx.options.json) {
    ctx.stdout.write(JSON.stringify({ builds, ...(prune.action !== 'keep-all' && { prune }) }) + '\n');
    return 0;
  }
  if (prune.action === 'refuse') ctx.stdout.write(`a build would stop: ${prune.message}\n`);
  if (prune.action === 'remove') {
    ctx.stdout.write(`would remove the outputs of ${prune.items.length} inputs no longer in ${ctx.inputDir} (${capList(prune.items)})\n`);
  }
  ctx.stdout.write(`inputs:\n${items.map((item) => `  ${item.id}\n`).join('')}`);
  const stale = builds.filter((b) => b.stale);
  for (const build of stale) {
    const restored = build.action === 'restore' ? ' (restored from the run cache)' : '';
    ctx.stdout.write(`${build.item === null ? build.rule : `${build.rule}@${build.item}`}: ${build.reasons.join('; ')}${restored}\n`);
  }
  const count = (action: BuildStatus['action']) => stale.filter((b) => b.action === action).length;
  const split = stale.length === 0 ? '' : `: ${count('run')} to run, ${count('restore')} to restore from the run cache, ${count('unknown')} after their dependencies`;
  ctx.stdout.write(`${stale.length} of ${builds.length} builds are stale${split}\n`);
  return 0;
}

/** Only a run over the whole folder knows which inputs are gone; see decidePrune for when it may remove their outputs. */
function pruneDecision(ctx: CommandContext, selection: ItemSelection, engine: Engine, selected: number): PruneDecision {
  if (isFiltered(ctx) || !selection.wholeFolder) return { action: 'keep-all' };
  return decidePrune(engine.goneItems(), selected, ctx.inputDir, ctx.options.prune);
}

/** The selected inputs less those with the same content as an earlier one, said in one line: built once. */
async function withoutCopies(ctx: CommandContext, items: readonly Item[], state: CacheState, signal?: AbortSignal): Promise<Item[]> {
  const copies = await sameContentItems(items, state.statCache, signal);
  if (copies.size === 0) return [...items];
  const pairs = [...copies].map(([copy, first]) => `${copy} = ${first}`);
  ctx.stderr.write(`vbuild: ${copies.size} inputs have the same content as another and are built once, under the first name: ${capList(pairs)}\n`);
  return items.filter((item) => !copies.has(item.id));
}

export async function buildCommand(ctx: CommandContext, targetWords: readonly string[]): Promise<number> {
  const targets = parseTargets(targetWords);
  const selection = await selectItems(ctx);
  if (selection.items.length === 0 && !existsSync(ctx.cacheDir)) {
    // Nothing built before, nothing to build: leave no empty cache or report behind.
    ctx.stderr.write(`vbuild: nothing to build\n`);
    return 0;
  }
  const lock = await acquireLock(CacheState.lockFileOf(ctx.cacheDir), {
    wait: ctx.options.wait,
    onWait: (holder) => ctx.stderr.write(`vbuild: waiting for pid ${holder.pid} (${holder.command}) to finish with ${ctx.cacheDir}\n`),
  });
  const state = CacheState.open(ctx.cacheDir, { verify: ctx.options.verify });
  const executor = ctx.options.queue === undefined ? undefined : await openQueue(ctx, ctx.options.queue).catch(async (error: unknown) => {
    state.close();
    await lock.release();
    throw error;
  });
  const abort = interruptOnSignals(ctx.stderr);
  const status = statusFileReporter(state.statusFile);
  const tty = ctx.stderr.isTTY ? ttyReporter(ctx.stderr as NodeJS.WriteStream) : undefined;
  const plain = tty ? undefined : plainReporter((text) => ctx.stderr.write(text));
  try {
    const items = await withoutCopies(ctx, selection.items, state, abort.signal);
    const engine = new Engine({
      ...engineOptions(ctx, state),
      ...(executor && { executor, jobs: ctx.options.jobs ?? QUEUED_AT_ONCE, capacities: queuedCapacities(ctx.options.jobs ?? QUEUED_AT_ONCE) }),
      items,
      signal: abort.signal,
      onEvent: (event: EngineEvent) => {
        status.onEvent(event);
        tty?.onEvent(event);
        plain?.(event);
      },
    });
    const prune = pruneDecision(ctx, selection, engine, items.length);
    if (prune.action === 'refuse') throw new UsageError(prune.message);
    if (items.length === 0 && prune.action === 'keep-all') {
      ctx.stderr.write(`vbuild: nothing to build\n`);
      return 0;
    }
    await state.clearStaging();
    const summary = await engine.build(targets);
    if (!abort.signal.aborted) await settleSelection(ctx, engine, items.length);
    if (prune.action === 'remove' && !abort.signal.aborted) {
      await engine.forgetGoneItems();
      ctx.stderr.write(
        `vbuild: removed the outputs of ${prune.items.length} inputs no longer in ${ctx.inputDir} (${capList(prune.items)})` +
          (prune.files.length > 0 ? `: ${capList(prune.files)}\n` : '\n'),
      );
    }
    if (abort.signal.aborted) return INTERRUPTED_EXIT;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    tty?.stop();
    await status.stop();
    abort.dispose();
    await executor?.close();
    state.close();
    await lock.release();
  }
}

/**
 * With --queue the workers' own pools and concurrency decide what runs when; the coordinator only
 * bounds how many builds it keeps on the queue at once (`-j`, default this many).
 */
const QUEUED_AT_ONCE = 64;

function queuedCapacities(jobs: number): Capacities {
  return { cpu: jobs, gpu: jobs, io: jobs };
}

async function openQueue(ctx: CommandContext, url: string): Promise<QueueExecutor> {
  try {
    // BullMQ loads only for a run with --queue.
    const { QueueExecutor } = await import('../../distributed/queue-executor.ts');
    const executor = await QueueExecutor.open(url, { rules: ctx.rules, cacheDir: ctx.cacheDir, vbuild: VBUILD_VERSION });
    ctx.stderr.write(`vbuild: builds run on the workers of ${displayUrl(url)}\n`);
    return executor;
  } catch (error) {
    if (error instanceof QueueUrlError) throw new UsageError(error.message);
    throw error;
  }
}

function engineOptions(ctx: CommandContext, state: CacheState) {
  return {
    rules: ctx.rules,
    state,
    outputDir: ctx.outputDir,
    params: ctx.params,
    jobs: ctx.options.jobs,
    selectionDir: isFiltered(ctx) ? SELECTION_DIR : undefined,
  };
}
