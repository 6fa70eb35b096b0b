/**
 * The reference the converted models are checked against: the same tfjs graph model run by
 * TensorFlow.js itself on its pure-JS CPU backend, loaded from the local files (no network).
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';

let backendReady: Promise<boolean> | null = null;

export async function loadTfjsReference(modelJsonPath: string): Promise<GraphModel> {
  backendReady ??= tf.setBackend('cpu');
  await backendReady;
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  const handler: tf.io.IOHandler = {
    async load() {
      const weightSpecs = json.weightsManifest.flatMap((g: { weights: tf.io.WeightsManifestEntry[] }) => g.weights);
      const shards = [];
      for (const group of json.weightsManifest) for (const p of group.paths) shards.push(await readFile(path.join(path.dirname(modelJsonPath), p)));
      const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
      return {
        modelTopology: json.modelTopology,
        weightSpecs,
        weightData,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
      };
    },
  };
  return loadGraphModel(handler);
}

/** Runs the model on one NHWC float input and returns the named outputs' values. */
export async function runTfjsReference(
  model: GraphModel,
  input: Float32Array,
  shape: number[],
  outputs: readonly string[],
): Promise<Float32Array[]> {
  const x = tf.tensor(input, shape, 'float32');
  const results = model.execute(x, [...outputs]);
  const list = Array.isArray(results) ? results : [results];
  const values = await Promise.all(list.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose([x, ...list]);
  return values;
}
