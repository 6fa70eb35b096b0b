/** ArcFace identity embeddings (insightface's w600k_* models) on the 112x112 norm-crop. */

import { normCrop } from './align.ts';
import { openCropModel, type CropModel } from './crop-model.ts';
import { arcfaceNormalisation } from './normalisation.ts';
import type { SessionOptions } from './session.ts';
import type { Point, RgbFrame } from './types.ts';

export interface Embedder {
  readonly crops: CropModel;
  /** One L2-normalised embedding per face, given its 5 keypoints in its frame. */
  embed(faces: readonly { frame: RgbFrame; kps: readonly Point[] }[]): Promise<Float32Array[]>;
}

export async function openEmbedder(modelPath: string, options: SessionOptions & { batchSize: number }): Promise<Embedder> {
  const crops = await openCropModel(modelPath, {
    ...options,
    defaultSize: 112,
    normalisation: await arcfaceNormalisation(modelPath),
  });
  return {
    crops,
    async embed(faces) {
      const outputs = await crops.run(faces.map(({ frame, kps }) => normCrop(frame, kps, crops.size)));
      return outputs.map(l2Normalise);
    },
  };
}

export function l2Normalise(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const v of vector) sum += v * v;
  const norm = Math.sqrt(sum);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

/** Cosine of the angle between two embeddings (1: same direction, 0: unrelated). */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`cannot compare embeddings of ${a.length} and ${b.length} values`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}
