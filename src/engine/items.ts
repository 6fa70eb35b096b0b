import path from 'node:path';
import fg from 'fast-glob';
import picomatch from 'picomatch';
import type { InputSpec, Item } from './rule.ts';

export interface ItemFilter {
  only?: readonly string[];
  skip?: readonly string[];
  /** Start at this item (id, file name or stem) in sorted order. */
  from?: string;
}

export interface ItemSelection {
  items: Item[];
  /** How many files the input patterns found before filtering. */
  discovered: number;
  /** Filter patterns that matched no discovered file: almost always a typo the user must see. */
  unmatched: { flag: '--only' | '--skip'; pattern: string }[];
}

export class ItemSelectionError extends Error {}

const byNaturalOrder = new Intl.Collator('en', { numeric: true }).compare;

function stem(id: string): string {
  const base = path.posix.basename(id);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Whether `name` is the item's id, file name or stem: the ways a user names one input. */
export function namesItem(id: string, name: string): boolean {
  return id === name || path.posix.basename(id) === name || stem(id) === name;
}

/** A pattern without a slash matches the file name or its stem anywhere, like `--only 0005*`. */
function matcher(pattern: string): (id: string) => boolean {
  if (pattern.includes('/')) return picomatch(pattern, { dot: true });
  const match = picomatch(pattern, { dot: true });
  return (id) => match(path.posix.basename(id)) || match(stem(id));
}

export async function discoverItems(input: InputSpec, filter: ItemFilter = {}): Promise<ItemSelection> {
  const root = path.resolve(input.dir);
  const ids = (await fg([...input.include], { cwd: root, onlyFiles: true, unique: true })).sort(byNaturalOrder);
  const unmatched: ItemSelection['unmatched'] = [];
  const apply = (flag: '--only' | '--skip', patterns: readonly string[] = []) =>
    patterns.map((pattern) => {
      const match = matcher(pattern);
      if (!ids.some(match)) unmatched.push({ flag, pattern });
      return match;
    });
  const only = apply('--only', filter.only);
  const skip = apply('--skip', filter.skip);
  let selected = ids.filter((id) => (only.length === 0 || only.some((m) => m(id))) && !skip.some((m) => m(id)));
  if (filter.from !== undefined) {
    const name = filter.from;
    const start = selected.findIndex((id) => namesItem(id, name));
    if (start < 0) {
      throw new ItemSelectionError(`--from ${JSON.stringify(name)}: no selected input is named so (ids, file names and stems are accepted)`);
    }
    selected = selected.slice(start);
  }
  return {
    items: selected.map((id) => ({ id, path: path.join(root, id) })),
    discovered: ids.length,
    unmatched,
  };
}
