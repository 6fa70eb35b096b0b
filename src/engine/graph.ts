import { namesItem } from './items.ts';
import type { Item, Rule } from './rule.ts';

/** One build: a rule applied to one item, or to all of them for a batch rule. */
export interface BuildNode {
  id: string;
  rule: Rule;
  item: Item | null;
  deps: BuildNode[];
}

export type Target = { kind: 'all' } | { kind: 'rule'; rule: string } | { kind: 'build'; rule: string; item: string };

export class TargetError extends Error {}

/** The build graph for `targets`: the named builds and everything they need, in dependency order. */
export function buildGraph(rules: readonly Rule[], items: readonly Item[], targets: readonly Target[]): BuildNode[] {
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  const nodes = new Map<string, BuildNode>();
  const order: BuildNode[] = [];

  const node = (rule: Rule, item: Item | null): BuildNode => {
    const id = `${rule.name}@${item?.id ?? ''}`;
    const known = nodes.get(id);
    if (known) return known;
    const deps: BuildNode[] = [];
    for (const depName of rule.deps ?? []) {
      const dep = byName.get(depName)!;
      if (dep.per === 'batch') deps.push(node(dep, null));
      else if (item) deps.push(node(dep, item));
      else deps.push(...items.map((each) => node(dep, each)));
    }
    const created: BuildNode = { id, rule, item, deps };
    nodes.set(id, created);
    order.push(created);
    return created;
  };

  const ruleNamed = (name: string): Rule => {
    const rule = byName.get(name);
    if (!rule) throw new TargetError(`unknown rule "${name}"; rules: ${[...byName.keys()].join(', ')}`);
    return rule;
  };
  const everyBuildOf = (rule: Rule) => {
    if (rule.per === 'batch') node(rule, null);
    else for (const item of items) node(rule, item);
  };

  for (const target of targets) {
    if (target.kind === 'all') for (const rule of rules) everyBuildOf(rule);
    else if (target.kind === 'rule') everyBuildOf(ruleNamed(target.rule));
    else {
      const rule = ruleNamed(target.rule);
      if (rule.per === 'batch') throw new TargetError(`rule "${rule.name}" runs once over all items; name it without @item`);
      node(rule, findItem(items, target.item));
    }
  }
  return order;
}

/** An item by its id, file name or stem; ambiguity is an error, not a guess. */
export function findItem(items: readonly Item[], name: string): Item {
  const exact = items.find((item) => item.id === name);
  if (exact) return exact;
  const candidates = items.filter((item) => namesItem(item.id, name));
  if (candidates.length === 1) return candidates[0]!;
  if (candidates.length > 1) {
    throw new TargetError(`"${name}" names several inputs: ${candidates.map((item) => item.id).join(', ')}; use the path`);
  }
  throw new TargetError(`no selected input is named "${name}"`);
}
