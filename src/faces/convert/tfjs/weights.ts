/**
 * Weight shards of a tfjs model: consecutive tensors in manifest order, each either stored as is
 * (float32, int32) or quantised (uint8/uint16 affine with min and scale, or float16), as
 * tfjs-converter's --quantize_* options write them. Quantised weights are expanded back to float32.
 */

import { fromFloat16Bits } from '../../onnx/half-float.ts';
import { elementCount, type HostTensor } from './tensor.ts';

export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}

export function decodeWeights(entries: readonly WeightEntry[], bytes: Uint8Array, source: string): Map<string, HostTensor> {
  const tensors = new Map<string, HostTensor>();
  let offset = 0;
  for (const entry of entries) {
    const count = elementCount(entry.shape);
    const storedAs = entry.quantization?.dtype ?? entry.dtype;
    const byteLength = count * bytesPerElement(storedAs, entry, source);
    if (offset + byteLength > bytes.length) {
      throw new Error(`${source}: weight ${entry.name} runs past the end of the weight files (${bytes.length} bytes)`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset, byteLength);
    tensors.set(entry.name, { shape: entry.shape, data: decodeTensor(entry, view, count, source) });
    offset += byteLength;
  }
  return tensors;
}

function decodeTensor(entry: WeightEntry, view: DataView, count: number, source: string): Float32Array | Int32Array {
  const q = entry.quantization;
  if (!q) {
    if (entry.dtype === 'float32') return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, true));
    return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, true));
  }
  if (entry.dtype !== 'float32') throw new Error(`${source}: quantised weight ${entry.name} of dtype ${entry.dtype} is not supported`);
  if (q.dtype === 'float16') return Float32Array.from({ length: count }, (_, i) => fromFloat16Bits(view.getUint16(2 * i, true)));
  const { min, scale } = q;
  if (min === undefined || scale === undefined) throw new Error(`${source}: weight ${entry.name} is ${q.dtype}-quantised without min/scale`);
  const read = q.dtype === 'uint8' ? (i: number) => view.getUint8(i) : (i: number) => view.getUint16(2 * i, true);
  return Float32Array.from({ length: count }, (_, i) => read(i) * scale + min);
}

function bytesPerElement(dtype: string, entry: WeightEntry, source: string): number {
  switch (dtype) {
    case 'float32':
    case 'int32':
      return 4;
    case 'float16':
    case 'uint16':
      return 2;
    case 'uint8':
      return 1;
    default:
      throw new Error(`${source}: weight ${entry.name} has unsupported dtype ${dtype}`);
  }
}
