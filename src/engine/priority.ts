import { statSync } from 'node:fs';
import type { BuildNode } from './graph.ts';
import type { Item } from './rule.ts';

/**
 * Which waiting build starts first (higher first). Builds further down the pipeline: each video's
 * chain finishes early (its clips appear while others are still analysed, a killed run leaves more
 * videos done, and cuts and thumbnails fill the gaps of the heavy builds instead of all waiting
 * for the last detection). Then bigger inputs: started last, a long chain would end the run
 * alone while the other cores idle.
 */
export function buildPriority(items: readonly Item[]): (node: BuildNode) => number {
  let shares: Map<string, number> | undefined;
  return (node) => {
    shares ??= sizeShares(items);
    return depth(node) + (node.item ? (shares.get(node.item.id) ?? 0) : 0);
  };
}

const depths = new WeakMap<BuildNode, number>();

/** How many builds deep a node is: 0 with no dependencies, else one more than its deepest. */
function depth(node: BuildNode): number {
  let known = depths.get(node);
  if (known === undefined) {
    known = node.deps.reduce((deepest, dep) => Math.max(deepest, depth(dep) + 1), 0);
    depths.set(node, known);
  }
  return known;
}

/** Each item's share of the biggest item's size, in [0, 1): bigger inputs take longer. */
function sizeShares(items: readonly Item[]): Map<string, number> {
  const sizes = items.map((item) => statSync(item.path, { throwIfNoEntry: false })?.size ?? 0);
  const biggest = sizes.reduce((most, size) => Math.max(most, size), 0) + 1;
  return new Map(items.map((item, i) => [item.id, sizes[i]! / biggest]));
}
