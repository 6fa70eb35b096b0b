/** The face crops insightface's models are trained on: the ArcFace norm-crop and the loose landmark crop. */

import { estimateSimilarity } from '../geometry/affine.ts';
import { warpAffine } from '../onnx/image.ts';
import type { Affine2D, Box, Point, RgbFrame } from '../types.ts';

/** Where insightface's ArcFace models expect the 5 keypoints in a 112x112 crop. */
export const ARCFACE_TEMPLATE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/**
 * The similarity that takes a face's 5 keypoints onto the ArcFace template scaled to `size`
 * (insightface's estimate_norm: multiples of 112 scale the template, multiples of 128 also shift it
 * right to stay centred).
 */
export function normCropMatrix(kps: readonly Point[], size = 112): Affine2D {
  if (kps.length !== 5) throw new Error(`norm-crop needs 5 keypoints, got ${kps.length}`);
  let ratio: number;
  let shiftX: number;
  if (size % 112 === 0) {
    ratio = size / 112;
    shiftX = 0;
  } else if (size % 128 === 0) {
    ratio = size / 128;
    shiftX = 8 * ratio;
  } else {
    throw new Error(`norm-crop size must be a multiple of 112 or 128, got ${size}`);
  }
  const template = ARCFACE_TEMPLATE_112.map(([x, y]): Point => [x * ratio + shiftX, y * ratio]);
  return estimateSimilarity(kps, template);
}

export function normCrop(frame: RgbFrame, kps: readonly Point[], size = 112): RgbFrame {
  return warpAffine(frame, normCropMatrix(kps, size), size, size);
}

/**
 * The crop insightface's landmark models read: centred on the box, the longer box side scaled to
 * two thirds of the crop, no rotation.
 */
export function landmarkCropMatrix(box: Box, size: number): Affine2D {
  const [x1, y1, x2, y2] = box;
  const scale = size / (Math.max(x2 - x1, y2 - y1) * 1.5);
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  return [scale, 0, size / 2 - cx * scale, 0, scale, size / 2 - cy * scale];
}
