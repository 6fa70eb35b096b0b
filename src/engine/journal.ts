import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Journal } from './rule.ts';

export class JournalError extends Error {}

/**
 * Opens an append-only JSONL journal, keeping every complete record of an earlier run.
 * A last line without its newline was torn by a kill mid-write: it is cut off the file. A line
 * that is not JSON (a damaged disk block, an edit) ends what can be trusted: the journal is cut
 * there too, and the build redoes the records from that point instead of refusing to resume.
 */
export async function openJournal<T>(file: string): Promise<Journal<T>> {
  await mkdir(path.dirname(file), { recursive: true });
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  let existing: T[] = [];
  let kept = 0;
  for (let start = 0, end = text.indexOf('\n'); end !== -1; start = end + 1, end = text.indexOf('\n', start)) {
    const line = text.slice(start, end);
    if (line !== '') {
      try {
        existing.push(JSON.parse(line) as T);
      } catch {
        break;
      }
    }
    kept = end + 1;
  }
  if (kept < text.length) await truncate(file, Buffer.byteLength(text.slice(0, kept)));
  const handle = await open(file, 'a');
  let closed = false;
  return {
    get existing() {
      return existing;
    },
    async append(record: T) {
      if (closed) throw new JournalError(`${file}: append after close`);
      await handle.write(JSON.stringify(record) + '\n');
    },
    async restart() {
      if (closed) throw new JournalError(`${file}: restart after close`);
      await handle.truncate(0);
      existing = [];
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
