import { opendir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** The files under an input folder, and what the walk left out on purpose. */
export interface Walk {
  /** Paths relative to the root, with forward slashes, in walk order. */
  files: string[];
  /**
   * Symlinked folders not followed because the walk had already been in their target: a link to
   * an ancestor (a loop) or a second way into the same folder. Following them would list the same
   * videos again under other names, without end for a loop.
   */
  repeatedFolders: string[];
  /** Symlinks whose target does not exist. */
  brokenLinks: string[];
}

/**
 * Walks `root`, following symlinks to files and folders, each real folder once, none of
 * `exclude` (but always the root). Real folders come first and links to folders after, so a video
 * keeps its own path as its id, not a link's.
 * Hidden entries (names starting with '.') are skipped, as globbing does by default: they are
 * tools' metadata (`.DS_Store`, `._clip.mp4`), not a user's videos.
 */
export async function walkInputFolder(root: string, exclude: readonly string[] = []): Promise<Walk> {
  const walk: Walk = { files: [], repeatedFolders: [], brokenLinks: [] };
  // Excluded folders count as walked: they are passed over silently, whichever way they are reached.
  const excluded = new Set(await Promise.all(exclude.map((dir) => realpath(dir).catch(() => path.resolve(dir)))));
  const rootReal = await realpath(root);
  excluded.delete(rootReal);
  // A link to a folder holding the root leads back into it: a loop, even from outside.
  const holdsRoot = (real: string) => rootReal.startsWith(real.endsWith(path.sep) ? real : real + path.sep);
  const seen = new Set(excluded);
  const links: { dir: string; id: string }[] = [];
  const enter = async (dir: string, rel: string, viaLink: boolean): Promise<void> => {
    const real = await realpath(dir);
    if (seen.has(real) || holdsRoot(real)) {
      if (viaLink && !excluded.has(real)) walk.repeatedFolders.push(rel);
      return;
    }
    seen.add(real);
    for await (const entry of await opendir(dir)) {
      if (entry.name.startsWith('.')) continue;
      const id = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const full = path.join(dir, entry.name);
      if (entry.isSymbolicLink()) {
        const target = await stat(full).catch(() => undefined);
        if (target === undefined) walk.brokenLinks.push(id);
        else if (target.isDirectory()) links.push({ dir: full, id });
        else if (target.isFile()) walk.files.push(id);
      } else if (entry.isDirectory()) await enter(full, id, false);
      else if (entry.isFile()) walk.files.push(id);
    }
  };
  await enter(root, '', false);
  while (links.length > 0) {
    links.sort((a, b) => (a.id < b.id ? 1 : -1));
    const link = links.pop()!;
    await enter(link.dir, link.id, true);
  }
  return walk;
}
