import { mkdir, open, readFile, truncate } from 'node:fs/promises';
import path from 'node:path';
import type { Journal } from './rule.ts';

export class JournalError extends Error {}

/**
 * Opens an append-only JSONL journal, keeping every complete record of an earlier run.
 * A last line without its newline was torn by a kill mid-write: it is cut off the file.
 */
export async function openJournal<T>(file: string): Promise<Journal<T>> {
  await mkdir(path.dirname(file), { recursive: true });
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return '';
    throw error;
  });
  const complete = text.lastIndexOf('\n') + 1;
  if (complete < text.length) await truncate(file, Buffer.byteLength(text.slice(0, complete)));
  const existing = text
    .slice(0, complete)
    .split('\n')
    .filter((line) => line !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as T;
      } catch {
        throw new JournalError(`${file}: line ${index + 1} is not JSON; the journal is corrupt (delete it to start over)`);
      }
    });
  const handle = await open(file, 'a');
  let closed = false;
  return {
    existing,
    async append(record: T) {
      if (closed) throw new JournalError(`${file}: append after close`);
      await handle.write(JSON.stringify(record) + '\n');
    },
    async close() {
      if (closed) return;
      closed = true;
      await handle.close();
    },
  };
}
