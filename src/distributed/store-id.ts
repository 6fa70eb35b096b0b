import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A shared cache's identity: a random id in `<cache>/store-id`, written by the first coordinator
 * that uses the folder. A job carries it, and a worker whose `--cache` holds another (or none)
 * refuses: it does not see the coordinator's store, so the outputs it wrote would be lost.
 */
export async function readStoreId(cacheDir: string): Promise<string | undefined> {
  const text = await readFile(storeIdFile(cacheDir), 'utf8').catch(() => undefined);
  return text?.trim() || undefined;
}

export async function ensureStoreId(cacheDir: string): Promise<string> {
  const existing = await readStoreId(cacheDir);
  if (existing) return existing;
  await mkdir(cacheDir, { recursive: true });
  // `wx`: of two coordinators racing to name a new folder, one writes and both read its id.
  await writeFile(storeIdFile(cacheDir), `${randomUUID()}\n`, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return (await readStoreId(cacheDir))!;
}

function storeIdFile(cacheDir: string): string {
  return path.join(cacheDir, 'store-id');
}
