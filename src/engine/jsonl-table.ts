import { closeSync, existsSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

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
    const text = readFileSync(file, 'utf8');
    // A line without its newline was torn by a crash mid-append: it never happened.
    const end = text.lastIndexOf('\n');
    for (const line of text.slice(0, end + 1).split('\n')) {
      if (line === '') continue;
      const { k, v } = JSON.parse(line) as { k: string; v: V | null };
      if (v === null) table.#rows.delete(k);
      else table.#rows.set(k, v);
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
    writeSync(this.#fd, JSON.stringify({ k: key, v: value }) + '\n');
    this.#lines++;
  }

  /** Rewrites the log with one line per live key when superseded lines dominate it. */
  compactIfBloated(): void {
    if (this.#readOnly || this.#lines <= 2 * this.#rows.size + 64) return;
    this.close();
    const tmp = `${this.#file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w');
    for (const [k, v] of this.#rows) writeSync(fd, JSON.stringify({ k, v }) + '\n');
    closeSync(fd);
    renameSync(tmp, this.#file);
    this.#lines = this.#rows.size;
  }

  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}
