import type { Target } from '../engine/graph.ts';

/** `all`, `rule` or `rule@item` (an item id may itself contain '@': split at the first). */
export function parseTargets(words: readonly string[]): Target[] {
  if (words.length === 0) return [{ kind: 'all' }];
  return words.map((word): Target => {
    if (word === 'all') return { kind: 'all' };
    const at = word.indexOf('@');
    if (at < 0) return { kind: 'rule', rule: word };
    return { kind: 'build', rule: word.slice(0, at), item: word.slice(at + 1) };
  });
}
