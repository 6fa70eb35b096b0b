/**
 * Reads the files of a zip archive (stored or deflated entries, no zip64, no encryption): enough
 * for roop-unleashed's `.fsz` face sets, which Python's zipfile writes, with no dependency.
 */

import { inflateRawSync } from 'node:zlib';

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
/** The end record is 22 bytes plus a comment of at most 65535. */
const END_SEARCH = 22 + 0xffff;

export interface ZipEntry {
  name: string;
  data: Buffer;
}

function findEndOfDirectory(zip: Buffer): number {
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - END_SEARCH); at--) {
    if (zip.readUInt32LE(at) === END_OF_DIRECTORY) return at;
  }
  throw new Error('not a zip archive (no end of central directory)');
}

function entryData(zip: Buffer, name: string, method: number, offset: number, compressedSize: number, size: number): Buffer {
  if (zip.readUInt32LE(offset) !== LOCAL_HEADER) throw new Error(`zip entry ${name}: bad local header`);
  const start = offset + 30 + zip.readUInt16LE(offset + 26) + zip.readUInt16LE(offset + 28);
  const raw = zip.subarray(start, start + compressedSize);
  const data = method === 0 ? raw : method === 8 ? inflateRawSync(raw) : null;
  if (!data) throw new Error(`zip entry ${name}: compression method ${method} is not supported (only stored and deflate)`);
  if (data.length !== size) throw new Error(`zip entry ${name}: expected ${size} bytes, got ${data.length}`);
  return data;
}

/** The archive's files (folders left out), in the central directory's order. */
export function readZip(zip: Buffer): ZipEntry[] {
  const end = findEndOfDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  if (count === 0xffff || at === 0xffffffff) throw new Error('zip64 archives are not supported');
  const entries: ZipEntry[] = [];
  for (let k = 0; k < count; k++) {
    if (zip.readUInt32LE(at) !== DIRECTORY_ENTRY) throw new Error(`bad zip central directory entry ${k}`);
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const next = at + 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    if (flags & 1) throw new Error(`zip entry ${name} is encrypted`);
    if (!name.endsWith('/')) entries.push({ name, data: entryData(zip, name, method, zip.readUInt32LE(at + 42), compressedSize, size) });
    at = next;
  }
  return entries;
}
