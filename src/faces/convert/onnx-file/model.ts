/**
 * The subset of ONNX's ModelProto the converter emits, as plain data, and its protobuf encoding.
 * Field numbers follow onnx/onnx.proto.
 */

import { ProtoWriter } from './protobuf.ts';

/** ONNX TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export type OnnxElementType = typeof ONNX_FLOAT | typeof ONNX_INT64;

export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  data: Float32Array | BigInt64Array;
}

/** A bare number is an int, a bare array ints; floats are wrapped so that 1.0 never turns into an int. */
export type OnnxAttributeValue = number | string | readonly number[] | { float: number } | { floats: readonly number[] };

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  attributes?: Readonly<Record<string, OnnxAttributeValue>>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxElementType;
  /** Null: shape not declared. A string names a free dimension. */
  shape: readonly (number | string)[] | null;
}

export interface OnnxGraph {
  name: string;
  nodes: readonly OnnxNode[];
  initializers: readonly OnnxTensor[];
  inputs: readonly OnnxValueInfo[];
  outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  graph: OnnxGraph;
  opset: number;
  producer: string;
  /** Stored as metadata_props, e.g. where the model was converted from. */
  metadata?: Readonly<Record<string, string>>;
}

/** IR version 8 is the one that goes with opset 17 (ONNX 1.12). */
const IR_VERSION = 8;

export function encodeModel(model: OnnxModel): Uint8Array {
  const proto = new ProtoWriter()
    .varint(1, IR_VERSION)
    .string(2, model.producer)
    .message(7, encodeGraph(model.graph))
    .message(8, new ProtoWriter().string(1, '').varint(2, model.opset));
  for (const [key, value] of Object.entries(model.metadata ?? {})) {
    proto.message(14, new ProtoWriter().string(1, key).string(2, value));
  }
  return proto.finish();
}

function encodeGraph(graph: OnnxGraph): ProtoWriter {
  const proto = new ProtoWriter();
  for (const node of graph.nodes) proto.message(1, encodeNode(node));
  proto.string(2, graph.name);
  for (const tensor of graph.initializers) proto.message(5, encodeTensor(tensor));
  for (const input of graph.inputs) proto.message(11, encodeValueInfo(input));
  for (const output of graph.outputs) proto.message(12, encodeValueInfo(output));
  return proto;
}

function encodeNode(node: OnnxNode): ProtoWriter {
  const proto = new ProtoWriter();
  for (const input of node.inputs) proto.string(1, input);
  for (const output of node.outputs) proto.string(2, output);
  proto.string(3, node.name).string(4, node.op);
  for (const [name, value] of Object.entries(node.attributes ?? {})) proto.message(5, encodeAttribute(name, value));
  return proto;
}

// AttributeProto.AttributeType
const ATTR_FLOAT = 1;
const ATTR_INT = 2;
const ATTR_STRING = 3;
const ATTR_FLOATS = 6;
const ATTR_INTS = 7;

function encodeAttribute(name: string, value: OnnxAttributeValue): ProtoWriter {
  const proto = new ProtoWriter().string(1, name);
  if (typeof value === 'number') return proto.varint(3, value).varint(20, ATTR_INT);
  if (typeof value === 'string') return proto.string(4, value).varint(20, ATTR_STRING);
  if ('float' in value) return proto.float(2, value.float).varint(20, ATTR_FLOAT);
  if ('floats' in value) return proto.packedFloats(7, value.floats).varint(20, ATTR_FLOATS);
  return proto.packedVarints(8, value).varint(20, ATTR_INTS);
}

function encodeTensor(tensor: OnnxTensor): ProtoWriter {
  const elemType = tensor.data instanceof Float32Array ? ONNX_FLOAT : ONNX_INT64;
  // raw_data is little-endian by the ONNX spec, which is the byte order of every platform Node ships on.
  const raw = new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength);
  return new ProtoWriter().packedVarints(1, tensor.dims).varint(2, elemType).string(8, tensor.name).bytes(9, raw);
}

function encodeValueInfo(info: OnnxValueInfo): ProtoWriter {
  const tensorType = new ProtoWriter().varint(1, info.elemType);
  if (info.shape) {
    const shape = new ProtoWriter();
    for (const dim of info.shape) {
      shape.message(1, typeof dim === 'number' ? new ProtoWriter().varint(1, dim) : new ProtoWriter().string(2, dim));
    }
    tensorType.message(2, shape);
  }
  return new ProtoWriter().string(1, info.name).message(2, new ProtoWriter().message(1, tensorType));
}
