import path from 'node:path';
import type { Decision } from './decide.ts';
import type { BuildNode } from './graph.ts';
import { publishFiles } from './publish.ts';
import { editable, type RunScope } from './run-scope.ts';
import type { Outputs } from './state.ts';

/**
 * Stores the run-cache entry, publishes the outputs, then writes the trace: last, so that a trace
 * only ever names outputs in place and a kill at any point leaves the build fresh or stale, never
 * wrongly fresh.
 */
export async function record(scope: RunScope, node: BuildNode, decision: Decision, outputs: Outputs): Promise<void> {
  const { state } = scope;
  const item = node.item?.id ?? null;
  state.runs.set(decision.key, { rule: node.rule.name, item, outputs, usedAt: new Date().toISOString() });
  let published = decision.trace?.published ?? {};
  if (node.rule.publish) {
    const shown = node.rule.publishes ?? (() => true);
    const files = Object.fromEntries(
      Object.entries(outputs)
        .filter(([name]) => shown(name))
        .map(([name, hash]) => [name, state.store.path(hash)]),
    );
    published = await publishFiles(scope.publishRoot(node), node.rule.publish(node.item), files, published, editable(node));
  }
  state.traces.set(scope.traceKey(node), {
    key: decision.key,
    fingerprint: decision.fingerprint,
    outputs,
    published,
    builtAt: new Date().toISOString(),
  });
}

/**
 * Why a build that read its input must not be recorded: the file changed while it ran (replaced,
 * edited, or a copy still in progress). What it built from the new bytes would sit under the old content's key.
 */
export async function inputChangedDuring(scope: RunScope, node: BuildNode): Promise<string | undefined> {
  const { item } = node;
  if (!item || node.rule.readsItem === false) return undefined;
  const now = await scope.state.statCache.hash(item.path).catch(() => 'still changing');
  if (now === (await scope.itemHash(item))) return undefined;
  return `input ${item.path} changed while it was being built (is it still being written?); run again`;
}

/** What the traces of `nodes` say they published, relative to the output folder. */
export function publishedBy(scope: RunScope, nodes: readonly BuildNode[]): string[] {
  return nodes
    .flatMap((node) => Object.keys(scope.state.traces.get(scope.traceKey(node))?.published ?? {}).map((rel) => path.join(scope.batchDir(node), rel)))
    .sort();
}
