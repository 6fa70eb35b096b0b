/**
 * Embeddings in detections.jsonl: little-endian IEEE float16, base64. A 512-value ArcFace vector
 * takes 1,368 characters instead of ~5,000 as JSON numbers; half precision (3 significant
 * digits) moves cosine similarities of L2-normalised vectors by about 1e-4, far below any
 * identity threshold.
 */

import { fromFloat16Bits, toFloat16Bits } from '../faces/onnx/half-float.ts';

export function encodeFloat16Base64(values: ArrayLike<number>): string {
  const bytes = Buffer.allocUnsafe(values.length * 2);
  for (let i = 0; i < values.length; i++) bytes.writeUInt16LE(toFloat16Bits(values[i]!), i * 2);
  return bytes.toString('base64');
}

export function decodeFloat16Base64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length % 2 !== 0) throw new Error(`a float16 vector has an even byte length; got ${bytes.length}`);
  const values = new Float32Array(bytes.length / 2);
  for (let i = 0; i < values.length; i++) values[i] = fromFloat16Bits(bytes.readUInt16LE(i * 2));
  return values;
}
