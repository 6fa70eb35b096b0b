/**
 * Reads the names of the first nodes of an ONNX graph straight from the protobuf bytes.
 * onnxruntime does not expose node names, and insightface decides a model's input normalisation
 * from them. Only the start of the file is read: graph nodes come before the weights.
 */

import { open } from 'node:fs/promises';

const FIRST_READ_BYTES = 1 << 20;

// Field numbers from onnx.proto: ModelProto.graph, GraphProto.node, NodeProto.name.
const MODEL_GRAPH = 7;
const GRAPH_NODE = 1;
const NODE_NAME = 3;

export async function firstNodeNames(modelPath: string, count: number): Promise<string[]> {
  const file = await open(modelPath, 'r');
  try {
    const { size } = await file.stat();
    for (let length = Math.min(FIRST_READ_BYTES, size); ; length = Math.min(length * 4, size)) {
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, 0);
      const names = nodeNamesFromPrefix(buffer, count, length === size);
      if (names) return names;
    }
  } finally {
    await file.close();
  }
}

/** The first `count` node names, or null when `bytes` (a prefix of the file) ends before they do. */
function nodeNamesFromPrefix(bytes: Uint8Array, count: number, complete: boolean): string[] | null {
  const reader = new ProtoReader(bytes);
  for (const model of reader.fields(0, bytes.length)) {
    if (model.field !== MODEL_GRAPH || model.wireType !== LENGTH_DELIMITED) continue;
    const names: string[] = [];
    for (const graph of reader.fields(model.start, model.end)) {
      if (graph.field !== GRAPH_NODE || graph.wireType !== LENGTH_DELIMITED) continue;
      if (graph.end > bytes.length) return complete ? names : null;
      names.push(nodeName(reader, graph.start, graph.end));
      if (names.length === count) return names;
    }
    // The graph ended (or the file did) before `count` nodes: a small graph.
    return complete || model.end <= bytes.length ? names : null;
  }
  if (complete) throw new Error('not an ONNX model: no graph found');
  return null;
}

function nodeName(reader: ProtoReader, start: number, end: number): string {
  for (const field of reader.fields(start, end)) {
    if (field.field === NODE_NAME && field.wireType === LENGTH_DELIMITED) return reader.text(field.start, field.end);
  }
  return '';
}

const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

interface Field {
  field: number;
  wireType: number;
  /** Payload byte range of a length-delimited field; `end` may lie past the bytes read so far. */
  start: number;
  end: number;
}

class ProtoReader {
  constructor(private readonly bytes: Uint8Array) {}

  /** The fields of the message in [start, end), stopping quietly where the available bytes run out. */
  *fields(start: number, end: number): Generator<Field> {
    const limit = Math.min(end, this.bytes.length);
    let pos = start;
    while (pos < limit) {
      const key = this.varint(pos);
      if (!key) return;
      pos = key.next;
      const field = Math.floor(key.value / 8);
      const wireType = key.value % 8;
      let payloadStart = pos;
      switch (wireType) {
        case VARINT: {
          const value = this.varint(pos);
          if (!value) return;
          pos = value.next;
          break;
        }
        case FIXED64:
          pos += 8;
          break;
        case FIXED32:
          pos += 4;
          break;
        case LENGTH_DELIMITED: {
          const length = this.varint(pos);
          if (!length) return;
          payloadStart = length.next;
          pos = length.next + length.value;
          break;
        }
        default:
          throw new Error(`unsupported protobuf wire type ${wireType} at byte ${pos}`);
      }
      yield { field, wireType, start: payloadStart, end: pos };
    }
  }

  text(start: number, end: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
  }

  /** A base-128 varint, or null if it runs past the bytes read. Numbers stay exact up to 2^53. */
  private varint(pos: number): { value: number; next: number } | null {
    let value = 0;
    let multiplier = 1;
    for (let p = pos; p < this.bytes.length; p++) {
      const byte = this.bytes[p]!;
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) return { value, next: p + 1 };
      multiplier *= 128;
    }
    return null;
  }
}
