import { statSync } from 'node:fs';
import { hashFile } from './hash.ts';
import type { JsonlTable } from './jsonl-table.ts';

export interface StatEntry {
  size: number;
  mtimeMs: number;
  ino: number;
  hash: string;
}

/** Content hashes of files, re-read only when size, mtime or inode say the file changed. */
export class StatCache {
  readonly #table: JsonlTable<StatEntry>;

  constructor(table: JsonlTable<StatEntry>) {
    this.#table = table;
  }

  /** The file's content hash, or undefined when it does not exist. */
  async hash(file: string): Promise<string | undefined> {
    // Synchronous: a stat takes microseconds, and thousands of them through the thread pool
    // cost more in scheduling than in work.
    const st = statSync(file, { throwIfNoEntry: false });
    if (!st?.isFile()) return undefined;
    const cached = this.#table.get(file);
    if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs && cached.ino === st.ino) {
      return cached.hash;
    }
    const hash = await hashFile(file);
    this.#table.set(file, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash });
    return hash;
  }

  /** Records a hash computed elsewhere (e.g. while storing a new artifact). */
  async remember(file: string, hash: string): Promise<void> {
    const st = statSync(file);
    this.#table.set(file, { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, hash });
  }

  forget(file: string): void {
    this.#table.delete(file);
  }
}
