import { type BuildStatus, Engine } from '../../engine/engine.ts';
import type { EngineEvent } from '../../engine/events.ts';
import { discoverItems, type ItemSelection } from '../../engine/items.ts';
import { acquireLock, LockedError } from '../../engine/lock.ts';
import { CacheState } from '../../engine/state.ts';
import type { CommandContext } from '../context.ts';
import { plainReporter, ttyReporter } from '../reporters/console.ts';
import { statusFileReporter } from '../reporters/status-file.ts';
import type { Target } from '../../engine/graph.ts';
import { parseTargets } from '../targets.ts';
import { INTERRUPTED_EXIT, interruptOnSignals } from '../signals.ts';

async function selectItems(ctx: CommandContext): Promise<ItemSelection> {
  const { options, config, inputDir, stderr } = ctx;
  const selection = await discoverItems(
    { dir: inputDir, include: config.input.include },
    { only: options.only, skip: options.skip, from: options.from },
  );
  for (const { flag, pattern } of selection.unmatched) {
    stderr.write(`vbuild: warning: ${flag} ${JSON.stringify(pattern)} matched none of the ${selection.discovered} inputs\n`);
  }
  const filtered = isFiltered(ctx);
  stderr.write(
    `vbuild: ${selection.items.length} ${filtered ? `of ${selection.discovered} ` : ''}inputs in ${inputDir}` +
      ` (${config.input.include.join(', ')})\n`,
  );
  return selection;
}

function isFiltered({ options }: CommandContext): boolean {
  return options.only.length + options.skip.length > 0 || options.from !== undefined;
}

/**
 * The targets to build. With --only/--skip/--from, `all` leaves out batch rules: a report over a
 * subset would replace the report of the whole folder. Naming a batch rule still builds it.
 */
function resolveTargets(ctx: CommandContext, targetWords: readonly string[]): Target[] {
  const targets = parseTargets(targetWords);
  const filtered = isFiltered(ctx);
  const batchRules = ctx.rules.filter((rule) => rule.per === 'batch');
  if (!filtered || batchRules.length === 0 || !targets.some((t) => t.kind === 'all')) return targets;
  ctx.stderr.write(
    `vbuild: a filter selects part of the inputs, so ${batchRules.map((r) => r.name).join(', ')} (over all inputs) ` +
      `is left as it is; name it to build it over the selection\n`,
  );
  const perVideo = ctx.rules.filter((rule) => rule.per === 'video').map((rule): Target => ({ kind: 'rule', rule: rule.name }));
  return targets.flatMap((target) => (target.kind === 'all' ? perVideo : [target]));
}

export async function dryRunCommand(ctx: CommandContext, targetWords: readonly string[]): Promise<number> {
  const { items } = await selectItems(ctx);
  // With the cache free, the dry run keeps the content hashes it computed (the stat cache) so the
  // next run does not read the inputs again; it never writes a trace. While a build holds the
  // cache, it only reads.
  const lock = await acquireLock(CacheState.lockFileOf(ctx.cacheDir)).catch((error: unknown) => {
    if (error instanceof LockedError) return undefined;
    throw error;
  });
  const state = CacheState.open(ctx.cacheDir, { readOnly: lock === undefined, verify: ctx.options.verify });
  let builds;
  try {
    builds = await new Engine({ ...engineOptions(ctx, state), items }).dryRun(resolveTargets(ctx, targetWords));
  } finally {
    state.close();
    await lock?.release();
  }
  if (ctx.options.json) {
    ctx.stdout.write(JSON.stringify({ builds }) + '\n');
    return 0;
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

export async function buildCommand(ctx: CommandContext, targetWords: readonly string[]): Promise<number> {
  const targets = resolveTargets(ctx, targetWords);
  const { items } = await selectItems(ctx);
  const lock = await acquireLock(CacheState.lockFileOf(ctx.cacheDir), {
    wait: ctx.options.wait,
    onWait: (holder) => ctx.stderr.write(`vbuild: waiting for pid ${holder.pid} (${holder.command}) to finish with ${ctx.cacheDir}\n`),
  });
  const state = CacheState.open(ctx.cacheDir, { verify: ctx.options.verify });
  const abort = interruptOnSignals(ctx.stderr);
  const status = statusFileReporter(state.statusFile);
  const tty = ctx.stderr.isTTY ? ttyReporter(ctx.stderr as NodeJS.WriteStream) : undefined;
  const plain = tty ? undefined : plainReporter((text) => ctx.stderr.write(text));
  try {
    await state.clearStaging();
    const engine = new Engine({
      ...engineOptions(ctx, state),
      items,
      signal: abort.signal,
      onEvent: (event: EngineEvent) => {
        status.onEvent(event);
        tty?.onEvent(event);
        plain?.(event);
      },
    });
    const summary = await engine.build(targets);
    // Only a run over the whole folder knows which inputs are gone.
    if (!isFiltered(ctx) && !abort.signal.aborted) {
      const gone = await engine.forgetGoneItems();
      if (gone.length > 0) ctx.stderr.write(`vbuild: removed the outputs of ${gone.length} inputs no longer in ${ctx.inputDir}: ${gone.join(', ')}\n`);
    }
    if (abort.signal.aborted) return INTERRUPTED_EXIT;
    return summary.failed > 0 ? 1 : 0;
  } finally {
    tty?.stop();
    status.stop();
    abort.dispose();
    state.close();
    await lock.release();
  }
}

function engineOptions(ctx: CommandContext, state: CacheState) {
  return {
    config: ctx.config,
    rules: ctx.rules,
    state,
    outputDir: ctx.outputDir,
    params: ctx.params,
    jobs: ctx.options.jobs,
  };
}
