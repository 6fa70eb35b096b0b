import { createReadStream } from 'node:fs';
import xxhash from 'xxhash-wasm';

type Hasher = Awaited<ReturnType<typeof xxhash>>;

let hasher: Promise<Hasher> | undefined;

function getHasher(): Promise<Hasher> {
  hasher ??= xxhash();
  return hasher;
}

function hex64(value: bigint): string {
  return value.toString(16).padStart(16, '0');
}

export async function hashString(text: string): Promise<string> {
  return (await getHasher()).h64ToString(text);
}

/** Streams the file through xxh64; never holds it in memory. */
export async function hashFile(file: string): Promise<string> {
  const { create64 } = await getHasher();
  const state = create64();
  // Large reads keep the per-chunk overhead of the wasm boundary small.
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) {
    state.update(chunk as Buffer);
  }
  return hex64(state.digest());
}

/** JSON with object keys sorted at every level, so equal values always serialise equally. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
    }
    return sorted;
  }
  return value;
}
