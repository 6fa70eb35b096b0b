/** RFC 4122 name-based UUIDs (version 5, SHA-1): stable clip names for equal segments. */

import { createHash } from 'node:crypto';

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

export function uuid5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The namespace of vbuild's segment ids (itself uuid5('vbuild segments') in the URL namespace). */
export const SEGMENT_NAMESPACE = uuid5('https://vbuild/segments', '6ba7b811-9dad-11d1-80b4-00c04fd430c8');

/** The id of the segment [start, end) of the video whose content hash is `itemHash`; times in ms. */
export function segmentId(itemHash: string, start: number, end: number): string {
  return uuid5(`${itemHash}:${start.toFixed(3)}-${end.toFixed(3)}`, SEGMENT_NAMESPACE);
}
