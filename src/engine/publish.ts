import { chmod, copyFile, link, mkdir, readdir, readFile, rename, rmdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { isAlive } from './alive.ts';

/** Published path (relative to the output root) -> the stored file it shows. */
export type Published = Record<string, string>;

/**
 * Which published paths (relative to the output root) are editable copies: files a user is told
 * to edit (a script to fill in). A hard link shares the read-only stored object, so an edit would
 * either fail or corrupt the cache; these get a writable copy of their own instead.
 */
export type Editable = (rel: string) => boolean;

const NONE_EDITABLE: Editable = () => false;

/** What an earlier version of an editable file is kept as when vbuild replaces or removes it. */
export const EDITED_SUFFIX = '.edited';

async function sameInode(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)]);
  return x !== undefined && y !== undefined && x.dev === y.dev && x.ino === y.ino;
}

/** Byte for byte; only ever asked of editable files, which are small. */
async function sameContent(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([readFile(a).catch(() => undefined), readFile(b).catch(() => undefined)]);
  return x !== undefined && y !== undefined && x.equals(y);
}

/**
 * Whether `target` shows `stored`: the same inode, or for a copy across filesystems the same size.
 * An editable file shows it when it is a copy of its own, whatever the user made of it since.
 */
async function shows(target: string, stored: string, editable: boolean): Promise<boolean> {
  const [have, want] = await Promise.all([stat(target).catch(() => undefined), stat(stored).catch(() => undefined)]);
  if (!have || !want) return false;
  const linked = have.dev === want.dev && have.ino === want.ino;
  if (editable) return have.isFile() && !linked;
  return have.dev === want.dev ? linked : have.size === want.size;
}

/** What `placeFile` fills before the rename: `.<name>.<pid>.tmp` beside the target. */
const PLACING = /^\.(.+)\.(\d+)\.tmp$/;

/**
 * Removes from `folder` what placing one of `names` left there in a process that died before its
 * rename (SIGKILLed between the two): only a dead process's, since a live one may be placing it now.
 */
async function removeDeadPlacements(folder: string, names: ReadonlySet<string>): Promise<void> {
  for (const entry of await readdir(folder).catch(() => [])) {
    const placing = PLACING.exec(entry);
    if (placing && names.has(placing[1]!) && !isAlive(Number(placing[2]))) await unlink(path.join(folder, entry)).catch(() => undefined);
  }
}

/** Puts `tmp` in place of `target` by rename, so a reader never sees half a file. */
async function placeFile(target: string, fill: (tmp: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  await unlink(tmp).catch(() => undefined);
  try {
    await fill(tmp);
  } catch (error) {
    // A copy cut short (a full disk) must not stay behind in the output folder.
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await rename(tmp, target);
}

async function linkOrCopy(stored: string, tmp: string): Promise<void> {
  try {
    await link(stored, tmp);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(stored, tmp);
  }
}

/** A writable copy: the stored object is read-only, and the copy is the user's to edit. */
async function writableCopy(stored: string, tmp: string): Promise<void> {
  await copyFile(stored, tmp);
  await chmod(tmp, ((await stat(stored)).mode & 0o777) | 0o200);
}

/**
 * Whether the editable `target` holds something other than what vbuild last put there
 * (`before`, the stored file it was copied from): then it is the user's edit.
 */
async function editedByUser(target: string, before: string | undefined): Promise<boolean> {
  if (!(await stat(target).catch(() => undefined))) return false;
  // Still the hard link an older vbuild published: nobody could have edited it.
  if (before !== undefined && (await sameInode(target, before))) return false;
  return !(before !== undefined && (await sameContent(target, before)));
}

/**
 * Publishes an editable output as a copy. The same output as last time leaves the file as it is,
 * edited or not; a new one replaces it, and a user's edit it replaces is kept as `<name>.edited`.
 */
async function publishCopy(target: string, stored: string, before: string | undefined): Promise<void> {
  if (await shows(target, stored, true)) {
    if (before === stored || (await sameContent(target, stored))) return;
    if (await editedByUser(target, before)) await rename(target, target + EDITED_SUFFIX);
  }
  await placeFile(target, (tmp) => writableCopy(stored, tmp));
}

/**
 * Removes a published file (a user's edit of an editable one is kept as `<name>.edited`), and the
 * folders under `root` that held only it.
 */
async function removePublished(root: string, rel: string, stored: string, editable: boolean): Promise<void> {
  const target = path.join(root, rel);
  if (editable && (await editedByUser(target, stored))) await rename(target, target + EDITED_SUFFIX);
  else await unlink(target).catch(() => undefined);
  for (let dir = path.dirname(rel); dir !== '.' && dir !== ''; dir = path.dirname(dir)) {
    // rmdir refuses a folder that still holds anything: exactly the ones to keep.
    if (!(await rmdir(path.join(root, dir)).then(() => true, () => false))) break;
  }
}

/**
 * Makes `files` (name -> stored path) appear in `root/dir` as hard links (copies across
 * filesystems; writable copies for editable files), each put in place by rename so a reader
 * never sees half a file, then removes what an earlier publish put there that is no longer wanted
 * (and the folders that held only that), and what a killed one left half placed.
 */
export async function publishFiles(
  root: string,
  dir: string,
  files: Record<string, string>,
  previous: Readonly<Published>,
  editable: Editable = NONE_EDITABLE,
): Promise<Published> {
  const published: Published = {};
  const namesIn = new Map<string, Set<string>>();
  for (const [name, stored] of Object.entries(files)) {
    const target = path.join(root, dir, name);
    const rel = path.relative(root, target);
    published[rel] = stored;
    if (editable(rel)) await publishCopy(target, stored, previous[rel]);
    else if (!(await shows(target, stored, false))) await placeFile(target, (tmp) => linkOrCopy(stored, tmp));
    const folder = path.dirname(target);
    namesIn.set(folder, (namesIn.get(folder) ?? new Set()).add(path.basename(target)));
  }
  for (const [folder, names] of namesIn) await removeDeadPlacements(folder, names);
  for (const [old, stored] of Object.entries(previous)) {
    if (!(old in published)) await removePublished(root, old, stored, editable(old));
  }
  return published;
}

/** Removes published files, and the folders that held only them. */
export async function unpublish(root: string, published: Readonly<Published>, editable: Editable = NONE_EDITABLE): Promise<void> {
  for (const [rel, stored] of Object.entries(published)) await removePublished(root, rel, stored, editable(rel));
}

/** Published files that are gone or replaced by something else, relative to `root`. */
export async function brokenPublished(root: string, published: Readonly<Published>, editable: Editable = NONE_EDITABLE): Promise<string[]> {
  const broken: string[] = [];
  for (const [rel, stored] of Object.entries(published)) {
    if (!(await shows(path.join(root, rel), stored, editable(rel)))) broken.push(rel);
  }
  return broken;
}
