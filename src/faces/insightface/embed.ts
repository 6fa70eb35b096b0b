/** ArcFace identity embeddings (insightface's w600k_* models) on the 112x112 norm-crop. */

import { normCrop } from './align.ts';
import { openCropModel, type CropModel } from '../onnx/crop-model.ts';
import { arcfaceNormalisation } from '../onnx/normalisation.ts';
import type { SessionOptions } from '../onnx/session.ts';
import type { Point, RgbFrame } from '../types.ts';
import { l2Normalise } from '../geometry/vector.ts';

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
