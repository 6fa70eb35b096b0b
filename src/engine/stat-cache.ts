import { type Stats, statSync } from 'node:fs';
import { hashFile } from './hash.ts';
import type { JsonlTable } from './jsonl-table.ts';

export interface StatEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
}

function sameFile(a: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>, b: Pick<Stats, 'size' | 'mtimeMs' | 'ino'>): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/**
 * Content hashes of files, re-read only when size, mtime or inode say the file changed.
 * With `verify`, each file is re-hashed once per process whatever its stat says: that finds
 * edits that kept both size and mtime, which the stat check cannot see.
 */
export class StatCache {
  readonly #table: JsonlTable<StatEntry>;
  readonly #verified: Set<string> | undefined;

  constructor(table: JsonlTable<StatEntry>, { verify = false }: { verify?: boolean } = {}) {
    this.#table = table;
    this.#verified = verify ? new Set() : undefined;
  }

  /** The file's content hash, or undefined when it does not exist. */
  async hash(file: string): Promise<string | undefined> {
    // Synchronous: a stat takes microseconds, and thousands of them through the thread pool
    // cost more in scheduling than in work.
    const before = statSync(file, { throwIfNoEntry: false });
    if (!before?.isFile()) return undefined;
    const cached = this.#table.get(file);
    const trusted = this.#verified === undefined || this.#verified.has(file);
    if (cached && trusted && sameFile(cached, before)) return cached.hash;
    const hash = await hashFile(file);
    // A file still being written (a copy in progress) must not be remembered under a hash of half its bytes.
    const after = statSync(file, { throwIfNoEntry: false });
    if (!after || !sameFile(before, after)) {
      throw new Error(`${file} changed while it was being hashed (is it still being written?); run again once it is complete`);
    }
    this.#verified?.add(file);
    this.#table.set(file, { size: before.size, mtimeMs: before.mtimeMs, ino: before.ino, hash });
    return hash;
  }

  /** Records a hash computed elsewhere (e.g. while storing a new artifact). */
  async remember(file: string, hash: string): Promise<void> {
    const st = statSync(file);
    this.#verified?.add(file);
    this.#table.set(file, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash });
  }

  forget(file: string): void {
    this.#table.delete(file);
  }
}
