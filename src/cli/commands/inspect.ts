import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { findItem } from '../../engine/graph.ts';
import { discoverItems } from '../../engine/items.ts';
import { holderIsLive, readLockHolder } from '../../engine/lock.ts';
import { CacheState } from '../../engine/state.ts';
import type { CommandContext } from '../context.ts';
import { UsageError } from '../parse.ts';
import { formatDuration } from '../reporters/progress-model.ts';
import type { StatusSnapshot } from '../reporters/status-file.ts';
import { readFile } from 'node:fs/promises';

/** `vbuild cat RULE ITEM [FILE]`: one output of the last build of (rule, item). */
export async function catCommand(ctx: CommandContext, ruleName: string, args: readonly string[]): Promise<number> {
  const rule = ctx.rules.find((r) => r.name === ruleName);
  if (!rule) throw new UsageError(`unknown rule "${ruleName}"; rules: ${ctx.rules.map((r) => r.name).join(', ')}`);
  let item: string | null = null;
  let file: string | undefined;
  if (rule.per === 'batch') {
    [file] = args;
  } else {
    const name = args[0];
    if (name === undefined) throw new UsageError(`vbuild cat ${ruleName} needs an item (rule "${ruleName}" runs per video)`);
    const { items } = await discoverItems({ dir: ctx.inputDir, include: ctx.config.input.include }, { exclude: [ctx.outputDir, ctx.cacheDir] });
    item = items.some((i) => i.id === name) ? name : findItem(items, name).id;
    file = args[1];
  }
  const state = CacheState.open(ctx.cacheDir, { readOnly: true });
  const trace = state.traces.get(CacheState.traceKey(rule.name, item));
  const label = item === null ? rule.name : `${rule.name}@${item}`;
  if (!trace) throw new UsageError(`${label} has never been built`);
  const names = Object.keys(trace.outputs);
  if (file === undefined) {
    if (names.length !== 1) throw new UsageError(`${label} has ${names.length} outputs; name one: ${names.join(', ')}`);
    file = names[0]!;
  }
  const hash = trace.outputs[file];
  if (hash === undefined) throw new UsageError(`${label} has no output "${file}"; outputs: ${names.join(', ') || '(none)'}`);
  await pipeline(createReadStream(state.store.path(hash)), ctx.stdout, { end: false });
  return 0;
}

/** `vbuild dag`: the rules in dependency order, with what each reads and declares. */
export function dagCommand(ctx: CommandContext): number {
  const rows = ctx.rules.map((rule) => ({
    rule: rule.name,
    per: rule.per,
    version: rule.version,
    deps: [...(rule.deps ?? [])],
    params: Object.keys(rule.params ?? {}),
    resources: typeof rule.resources === 'function' ? rule.resources(ctx.params) : (rule.resources ?? { cpu: 1 }),
  }));
  if (ctx.options.json) {
    ctx.stdout.write(JSON.stringify({ rules: rows }) + '\n');
    return 0;
  }
  const width = Math.max(...rows.map((r) => r.rule.length));
  for (const row of rows) {
    const deps = row.deps.length ? ` <- ${row.deps.join(', ')}` : '';
    const params = row.params.length ? `  params: ${row.params.join(', ')}` : '';
    const pools = Object.entries(row.resources).map(([k, v]) => `${k}:${v}`).join(' ');
    ctx.stdout.write(`${row.rule.padEnd(width)}  per ${row.per.padEnd(5)}  v${row.version}  [${pools}]${deps}${params}\n`);
  }
  return 0;
}

/** `vbuild status`: the snapshot a running build keeps in the cache, and whether it still runs. */
export async function statusCommand(ctx: CommandContext): Promise<number> {
  const state = CacheState.open(ctx.cacheDir, { readOnly: true });
  const holder = await readLockHolder(state.lockFile);
  const running = holder !== undefined && holderIsLive(holder);
  const snapshot = await readFile(state.statusFile, 'utf8')
    .then((text) => JSON.parse(text) as StatusSnapshot)
    .catch(() => undefined);
  if (ctx.options.json) {
    ctx.stdout.write(JSON.stringify({ running, holder: running ? holder : null, snapshot: snapshot ?? null }) + '\n');
    return 0;
  }
  if (running) ctx.stdout.write(`vbuild pid ${holder.pid} is building (${holder.command}), started ${holder.startedAt}\n`);
  else ctx.stdout.write(`no vbuild is building in ${ctx.cacheDir}\n`);
  if (!snapshot) return 0;
  const live = running && snapshot.pid === holder.pid;
  ctx.stdout.write(live ? `progress at ${snapshot.updatedAt}:\n` : `last run: started ${snapshot.startedAt}, ${snapshot.endedAt ? `ended ${snapshot.endedAt}` : 'did not finish'}\n`);
  for (const rule of snapshot.rules) {
    const settled = rule.fresh + rule.ran + rule.restored + rule.failed + rule.skipped;
    let line = `  ${rule.rule.padEnd(12)} ${settled}/${rule.total}  (${rule.ran} ran, ${rule.restored} restored, ${rule.fresh} fresh`;
    line += rule.failed ? `, ${rule.failed} failed)` : ')';
    if (live && rule.ratePerSec !== null && rule.etaSec !== null && settled < rule.total) {
      line += `  ${rule.ratePerSec.toFixed(2)}/s, eta ${formatDuration(rule.etaSec)}`;
    }
    if (live) for (const build of rule.running) line += `  [${build.item ?? 'batch'}${build.total ? ` ${build.done}/${build.total} ${build.unit}` : ''}]`;
    ctx.stdout.write(line + '\n');
  }
  for (const failure of snapshot.failures) {
    ctx.stdout.write(`  FAILED ${failure.item === null ? failure.rule : `${failure.rule}@${failure.item}`}: ${failure.error}\n`);
  }
  return 0;
}
