import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { walkInputFolder } from './input-walk.ts';
import type { InputSpec, Item } from './rule.ts';

export interface ItemFilter {
  only?: readonly string[];
  skip?: readonly string[];
  /** Start at this item (id, file name or stem) in sorted order. */
  from?: string;
  /**
   * Folders never searched for inputs, even inside the input folder: vbuild's own output and
   * cache, whose published clips would otherwise come back as new videos on the next run.
   */
  exclude?: readonly string[];
}

export interface ItemSelection {
  items: Item[];
  /** How many files the input patterns found before filtering. */
  discovered: number;
  /** Filter patterns that matched no discovered file: almost always a typo the user must see. */
  unmatched: { filter: 'only' | 'skip'; pattern: string }[];
  /** False when the input is one video file: a run over it says nothing of other inputs being gone. */
  wholeFolder: boolean;
  /** Files in the input folder that the input patterns do not take (not videos by their extension). */
  notTaken: string[];
  /** Symlinked folders not followed: their target was walked already (a loop, or a second way in). */
  repeatedFolders: string[];
  /** Symlinks in the input folder whose target does not exist. */
  brokenLinks: string[];
}

/** Why the input names no items to select from; the caller words it in terms of its own options. */
export type SelectionProblem =
  | { kind: 'input-missing'; path: string }
  | { kind: 'input-unreadable'; path: string; code: string }
  /** Neither a folder nor a file the include patterns take (listed when it is a file). */
  | { kind: 'input-not-videos'; path: string; include?: readonly string[] }
  /** `from` names no selected item. */
  | { kind: 'from-unmatched'; name: string };

export class ItemSelectionError extends Error {
  constructor(readonly problem: SelectionProblem) {
    super(`input selection: ${JSON.stringify(problem)}`);
  }
}

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

/** A pattern without a slash matches the file name or its stem anywhere: `0005*` takes `a/00051.mp4`. */
function matcher(pattern: string): (id: string) => boolean {
  if (pattern.includes('/')) return picomatch(pattern, { dot: true });
  const match = picomatch(pattern, { dot: true });
  return (id) => match(path.posix.basename(id)) || match(stem(id));
}

/** What the input named besides the items: the ItemSelection fields a user is told about. */
type InputFiles = Pick<ItemSelection, 'wholeFolder' | 'notTaken' | 'repeatedFolders' | 'brokenLinks'> & { root: string; ids: string[] };

/**
 * The files the input names: every match of its patterns under a folder (the extension's case
 * does not matter: `.MP4` is a video as `.mp4` is), or one file given itself (a single video is
 * an input of one). A missing, unreadable or unfitting input is an error before anything is
 * built: an empty selection would read as "every video is gone".
 */
async function inputFiles(input: InputSpec, exclude: readonly string[]): Promise<InputFiles> {
  const root = path.resolve(input.dir);
  const info = await stat(root).catch(() => undefined);
  if (info === undefined) {
    throw new ItemSelectionError({ kind: 'input-missing', path: root });
  }
  const isVideo = picomatch([...input.include], { nocase: true });
  if (info.isFile()) {
    const name = path.basename(root);
    if (!isVideo(name)) throw new ItemSelectionError({ kind: 'input-not-videos', path: root, include: input.include });
    return { root: path.dirname(root), ids: [name], wholeFolder: false, notTaken: [], repeatedFolders: [], brokenLinks: [] };
  }
  if (!info.isDirectory()) throw new ItemSelectionError({ kind: 'input-not-videos', path: root });
  await readdir(root).catch((error: NodeJS.ErrnoException) => {
    throw new ItemSelectionError({ kind: 'input-unreadable', path: root, code: error.code ?? error.message });
  });
  const walk = await walkInputFolder(root, exclude);
  return {
    root,
    ids: walk.files.filter((id) => isVideo(id)),
    notTaken: walk.files.filter((id) => !isVideo(id)),
    wholeFolder: true,
    repeatedFolders: walk.repeatedFolders,
    brokenLinks: walk.brokenLinks,
  };
}

export async function discoverItems(input: InputSpec, filter: ItemFilter = {}): Promise<ItemSelection> {
  const { root, ids: found, ...reported } = await inputFiles(input, filter.exclude ?? []);
  const ids = found.sort(byNaturalOrder);
  const unmatched: ItemSelection['unmatched'] = [];
  const apply = (name: 'only' | 'skip', patterns: readonly string[] = []) =>
    patterns.map((pattern) => {
      const match = matcher(pattern);
      if (!ids.some(match)) unmatched.push({ filter: name, pattern });
      return match;
    });
  const only = apply('only', filter.only);
  const skip = apply('skip', filter.skip);
  let selected = ids.filter((id) => (only.length === 0 || only.some((m) => m(id))) && !skip.some((m) => m(id)));
  if (filter.from !== undefined) {
    const name = filter.from;
    const start = selected.findIndex((id) => namesItem(id, name));
    if (start < 0) throw new ItemSelectionError({ kind: 'from-unmatched', name });
    selected = selected.slice(start);
  }
  return {
    items: selected.map((id) => ({ id, path: path.join(root, id) })),
    discovered: ids.length,
    unmatched,
    ...reported,
  };
}
