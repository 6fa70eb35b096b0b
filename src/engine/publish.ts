import { copyFile, link, mkdir, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

/** Published path (relative to the output root) -> the stored file it shows. */
export type Published = Record<string, string>;

/** Whether `target` shows `stored`: the same inode, or for a copy across filesystems the same size. */
async function shows(target: string, stored: string): Promise<boolean> {
  const [have, want] = await Promise.all([stat(target).catch(() => undefined), stat(stored).catch(() => undefined)]);
  if (!have || !want) return false;
  return have.dev === want.dev ? have.ino === want.ino : have.size === want.size;
}

/**
 * Makes `files` (name -> stored path) appear in `root/dir` as hard links (copies across
 * filesystems), each put in place by rename so a reader never sees half a file, then removes
 * what an earlier publish put there that is no longer wanted.
 */
export async function publishFiles(
  root: string,
  dir: string,
  files: Record<string, string>,
  previous: Readonly<Published>,
): Promise<Published> {
  const published: Published = {};
  for (const [name, stored] of Object.entries(files)) {
    const target = path.join(root, dir, name);
    published[path.relative(root, target)] = stored;
    if (await shows(target, stored)) continue;
    await mkdir(path.dirname(target), { recursive: true });
    const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    await unlink(tmp).catch(() => undefined);
    try {
      await link(stored, tmp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      // A copy cut short (a full disk) must not stay behind in the output folder.
      await copyFile(stored, tmp).catch(async (copyError: unknown) => {
        await unlink(tmp).catch(() => undefined);
        throw copyError;
      });
    }
    await rename(tmp, target);
  }
  for (const old of Object.keys(previous)) {
    if (!(old in published)) await unlink(path.join(root, old)).catch(() => undefined);
  }
  return published;
}

/** Removes published files, and the folders that held only them. */
export async function unpublish(root: string, published: Readonly<Published>): Promise<void> {
  for (const rel of Object.keys(published)) {
    await unlink(path.join(root, rel)).catch(() => undefined);
    for (let dir = path.dirname(rel); dir !== '.' && dir !== ''; dir = path.dirname(dir)) {
      // rmdir refuses a folder that still holds anything: exactly the ones to keep.
      if (!(await rmdir(path.join(root, dir)).then(() => true, () => false))) break;
    }
  }
}

/** Published files that are gone or replaced by something else, relative to `root`. */
export async function brokenPublished(root: string, published: Readonly<Published>): Promise<string[]> {
  const broken: string[] = [];
  for (const [rel, stored] of Object.entries(published)) {
    if (!(await shows(path.join(root, rel), stored))) broken.push(rel);
  }
  return broken;
}
