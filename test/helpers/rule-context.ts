import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openJournal } from '../../src/engine/journal.ts';
import type { BuildContext, Rule } from '../../src/engine/rule.ts';
import { sharedCache } from './shared-models.ts';

/**
 * The context the engine would hand `rule` for one file, with the rule's param defaults: for
 * testing a rule's run() on its own. Journals live in a temp folder beside outDir.
 */
export function ruleContext(rule: Rule, file: string | null, overrides: Partial<BuildContext> = {}): BuildContext {
  const root = mkdtempSync(path.join(os.tmpdir(), `vbuild-${rule.name}-`));
  const params = Object.fromEntries(Object.entries(rule.params ?? {}).map(([name, spec]) => [name, spec.default]));
  return {
    rule: rule.name,
    item: file === null ? null : { id: path.basename(file), path: file },
    itemHash: file === null ? null : '0000000000000000',
    items: [],
    failed: [],
    batchDir: '',
    params,
    deps: {},
    batch: {},
    outDir: mkdtempSync(path.join(root, 'out-')),
    // Shared across tests, as a real cache is across builds: the embedded pack is converted once per run.
    cacheDir: sharedCache(),
    journal: (name) => openJournal(path.join(root, 'work', name)),
    signal: new AbortController().signal,
    progress: () => undefined,
    log: () => undefined,
    ...overrides,
  };
}
