/** The parts of a TensorFlow.js graph model (model.json + binary weight shards) the converter reads. */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeWeights, type WeightEntry } from './weights.ts';
import type { HostTensor } from './tensor.ts';

/** A TensorFlow AttrValue as the tfjs converter serialises it to JSON (int64s as strings, strings as base64). */
export interface TfAttr {
  i?: string;
  f?: number;
  b?: boolean;
  s?: string;
  type?: string;
  list?: { i?: string[]; f?: number[]; s?: string[] };
  shape?: { dim?: { size: string }[] };
  tensor?: unknown;
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}

interface SignatureTensor {
  name: string;
  dtype: string;
  tensorShape?: { dim?: { size: string }[] };
}

interface ModelJson {
  format?: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
  signature?: { inputs?: Record<string, SignatureTensor>; outputs?: Record<string, SignatureTensor> };
  userDefinedMetadata?: { signature?: ModelJson['signature'] };
}

export interface TfGraphModel {
  /** The model.json path, for messages. */
  source: string;
  nodes: TfNode[];
  weights: Map<string, HostTensor>;
  /** Graph tensor names of the signature's outputs (e.g. `Identity_2`), in signature order. */
  outputs: string[];
}

export async function readTfjsGraphModel(modelJsonPath: string): Promise<TfGraphModel> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as ModelJson;
  if (json.format !== undefined && json.format !== 'graph-model') {
    throw new Error(`${modelJsonPath}: expected a tfjs graph model, found format "${json.format}"`);
  }
  const dir = path.dirname(modelJsonPath);
  const weights = new Map<string, HostTensor>();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(path.join(dir, p))));
    for (const [name, tensor] of decodeWeights(group.weights, Buffer.concat(shards), modelJsonPath)) weights.set(name, tensor);
  }
  const signature = json.signature ?? json.userDefinedMetadata?.signature;
  const outputs = Object.values(signature?.outputs ?? {}).map((o) => tensorNodeName(o.name));
  if (outputs.length === 0) throw new Error(`${modelJsonPath}: the model declares no outputs in its signature`);
  return { source: modelJsonPath, nodes: json.modelTopology.node, weights, outputs };
}

/** `name:0` and `name` denote the first output of node `name`. */
export function tensorNodeName(tensorName: string): string {
  return tensorName.replace(/:0$/, '');
}
