import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { contextReaders } from '../../src/engine/context-readers.ts';
import { openJournal } from '../../src/engine/journal.ts';
import type { BatchBuildContext, Rule, VideoBuildContext } from '../../src/engine/rule.ts';
import { sharedCache } from './shared-models.ts';

/** The context kind a rule runs with: a per-video rule's has its item. */
export type ContextOf<R extends Rule> = R extends { per: 'batch' } ? BatchBuildContext : VideoBuildContext;

/**
 * The context the engine would hand `rule` for one file, with the rule's param defaults: for
 * testing a rule's run() on its own. Journals live in a temp folder beside outDir. `file` may be
 * null for a per-video rule that never opens its video (readsItem: false). The readers
 * (ctx.param, ctx.depFile) read this object's params and deps: a copy with other params is made
 * through `overrides`, or by setting `ctx.params`.
 */
export function ruleContext<R extends Rule>(rule: R, file: string | null, overrides: Partial<ContextOf<R>> = {}): ContextOf<R> {
  const root = mkdtempSync(path.join(os.tmpdir(), `vbuild-${rule.name}-`));
  const params = Object.fromEntries(Object.entries(rule.params ?? {}).map(([name, spec]) => [name, spec.default]));
  const item = rule.per === 'batch' ? null : { id: file === null ? '(no file)' : path.basename(file), path: file ?? '' };
  const ctx = {
    rule: rule.name,
    item,
    itemHash: item === null ? null : '0000000000000000',
    items: [],
    failed: [],
    batchDir: '',
    params,
    deps: {},
    batch: {},
    outDir: mkdtempSync(path.join(root, 'out-')),
    // Shared across tests, as a real cache is across builds: the embedded pack is converted once per run.
    cacheDir: sharedCache(),
    journal: (name: string) => openJournal(path.join(root, 'work', name)),
    signal: new AbortController().signal,
    progress: () => undefined,
    log: () => undefined,
    ...overrides,
  } as unknown as ContextOf<R>;
  return Object.assign(ctx, { ...contextReaders(rule, ctx), ...pickReaders(overrides) });
}

/** Readers a test passes in itself win over the engine's. */
function pickReaders(overrides: object): object {
  return Object.fromEntries(Object.entries(overrides).filter(([name]) => ['param', 'depFile', 'readJson'].includes(name)));
}
