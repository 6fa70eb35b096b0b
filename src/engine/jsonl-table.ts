import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, truncateSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * A keyed table persisted as an append-only JSONL log: each `set` appends one line, the last
 * line for a key wins on load. The log is rewritten (temp file + rename) only by `compact`,
 * never on a flush, so a growing table costs one small write per change.
 */
export class JsonlTable<V> {
  readonly #file: string;
  /** A read-only table keeps changes in memory: a dry run writes nothing. */
  readonly #readOnly: boolean;
  readonly #rows = new Map<string, V>();
  #lines = 0;
  #fd: number | undefined;

  private constructor(file: string, readOnly: boolean) {
    this.#file = file;
    this.#readOnly = readOnly;
  }

  static load<V>(file: string, { readOnly = false } = {}): JsonlTable<V> {
    const table = new JsonlTable<V>(file, readOnly);
    if (!existsSync(file)) return table;
    const bytes = readFileSync(file);
    // A line without its newline was torn by a crash (or a full disk) mid-append: it never
    // happened. It is cut off before anything is appended after it.
    const complete = bytes.lastIndexOf(0x0a) + 1;
    if (complete < bytes.length && !readOnly) truncateSync(file, complete);
    for (const line of bytes.subarray(0, complete).toString('utf8').split('\n')) {
      if (line === '') continue;
      let row: { k: string; v: V | null };
      try {
        row = JSON.parse(line) as { k: string; v: V | null };
      } catch {
        // A cache table must never stop a build: an unreadable line only loses what it said.
        continue;
      }
      if (row.v === null) table.#rows.delete(row.k);
      else table.#rows.set(row.k, row.v);
      table.#lines++;
    }
    return table;
  }

  get(key: string): V | undefined {
    return this.#rows.get(key);
  }

  has(key: string): boolean {
    return this.#rows.has(key);
  }

  entries(): IterableIterator<[string, V]> {
    return this.#rows.entries();
  }

  get size(): number {
    return this.#rows.size;
  }

  set(key: string, value: V): void {
    this.#rows.set(key, value);
    this.#append(key, value);
  }

  delete(key: string): void {
    if (!this.#rows.delete(key)) return;
    this.#append(key, null);
  }

  #append(key: string, value: V | null): void {
    if (this.#readOnly) return;
    this.#fd ??= openSync(this.#file, 'a');
    writeFully(this.#fd, Buffer.from(JSON.stringify({ k: key, v: value }) + '\n'));
    this.#lines++;
  }

  /**
   * Rewrites the log with one line per live key when superseded lines dominate it. The new log is
   * written in `tempDir` (on the table's filesystem, and cleared at each start: a process killed
   * while writing it leaves nothing beside the table) and renamed over the old one.
   */
  compactIfBloated(tempDir: string): void {
    if (this.#readOnly || this.#lines <= 2 * this.#rows.size + 64) return;
    this.close();
    mkdirSync(tempDir, { recursive: true });
    const tmp = path.join(tempDir, `${path.basename(this.#file)}.${process.pid}.tmp`);
    const fd = openSync(tmp, 'w');
    for (const [k, v] of this.#rows) writeFully(fd, Buffer.from(JSON.stringify({ k, v }) + '\n'));
    closeSync(fd);
    renameSync(tmp, this.#file);
    this.#lines = this.#rows.size;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

/** writeSync may write part of a buffer; a table line must go out whole (or throw). */
function writeFully(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done);
}
