import { isDeepStrictEqual } from 'node:util';
import { canonicalJson, hashString } from './hash.ts';
import type { ParamValue } from './rule.ts';

/**
 * The fingerprint's name for the item's own content. Keys hold the content, not the path, so a
 * renamed video keeps its artifacts; a rule's output must therefore not depend on the file name.
 */
export const ITEM_INPUT = '(item)';

/** Everything a build's output depends on. Its canonical JSON's hash is the build key. */
export interface Fingerprint {
  rule: string;
  version: number | string;
  params: Record<string, ParamValue>;
  /** Input label (a path or `rule/file`) -> content hash. */
  inputs: Record<string, string>;
  /** The item's id, for a rule whose outputs name it (`readsItemId`). */
  itemId?: string;
  /** A batch build's `batchDir` when not '' (a filtered run's). */
  batchDir?: string;
  /** A batch build's inputs left out after a failure: item -> `build: error`. */
  failed?: Record<string, string>;
}

export function buildKey(fingerprint: Fingerprint): Promise<string> {
  return hashString(canonicalJson(fingerprint));
}

/** Why `next` differs from `previous`, in the words `--dry-run` prints; `item` names ITEM_INPUT. */
export function staleReasons(previous: Fingerprint, next: Fingerprint, item?: string): string[] {
  const reasons: string[] = [];
  if (previous.version !== next.version) reasons.push(`rule version ${previous.version} -> ${next.version}`);
  for (const field of ['itemId', 'batchDir'] as const) {
    if (previous[field] !== next[field]) reasons.push(`${field} ${show(previous[field])} -> ${show(next[field])}`);
  }
  const [leftBefore, leftNow] = [Object.keys(previous.failed ?? {}), Object.keys(next.failed ?? {})];
  if (leftBefore.join() !== leftNow.join()) reasons.push(`inputs left out after a failure: ${show(leftBefore.join(', '))} -> ${show(leftNow.join(', '))}`);
  else if (!isDeepStrictEqual(previous.failed, next.failed)) reasons.push(`inputs left out after a failure failed otherwise: ${leftNow.join(', ')}`);
  const names = new Set([...Object.keys(previous.params), ...Object.keys(next.params)]);
  for (const name of [...names].sort()) {
    const before = previous.params[name];
    const after = next.params[name];
    if (before !== after) reasons.push(`param ${name}: ${show(before)} -> ${show(after)}`);
  }
  const labels = new Set([...Object.keys(previous.inputs), ...Object.keys(next.inputs)]);
  for (const label of [...labels].sort()) {
    const before = previous.inputs[label];
    const after = next.inputs[label];
    if (before === after) continue;
    if (label === ITEM_INPUT) reasons.push(`input changed: ${item ?? label}`);
    else if (before === undefined) reasons.push(`input added: ${label}`);
    else if (after === undefined) reasons.push(`input removed: ${label}`);
    else reasons.push(`input changed: ${label}`);
  }
  return reasons;
}

function show(value: ParamValue | undefined): string {
  return value === undefined ? '(none)' : String(value);
}
