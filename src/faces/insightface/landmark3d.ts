/** insightface's 68-point 3D landmark model (1k3d68.onnx) and the head pose read from it. */

import { affineScale, applyAffine, invertAffine } from '../geometry/affine.ts';
import { landmarkCropMatrix } from './align.ts';
import { openCropModel, type CropModel } from '../onnx/crop-model.ts';
import { warpAffine } from '../onnx/image.ts';
import { landmarkNormalisation } from '../onnx/normalisation.ts';
import { poseFromLandmarks68 } from './pose.ts';
import type { Vec3 } from '../pose/pose-math.ts';
import type { SessionOptions } from '../onnx/session.ts';
import type { PoseReading } from '../pose/pose-calibration.ts';
import type { Affine2D, Box, RgbFrame } from '../types.ts';

const LANDMARKS = 68;

export interface Landmark3dModel {
  readonly crops: CropModel;
  /** Pose of each face, given its box in its frame; faces of several frames share inference batches. */
  poses(faces: readonly { frame: RgbFrame; box: Box }[]): Promise<PoseReading[]>;
}

export async function openLandmark3dModel(
  modelPath: string,
  options: SessionOptions & { batchSize: number },
): Promise<Landmark3dModel> {
  const crops = await openCropModel(modelPath, {
    ...options,
    defaultSize: 192,
    normalisation: await landmarkNormalisation(modelPath),
  });
  return {
    crops,
    async poses(faces) {
      const matrices = faces.map(({ box }) => landmarkCropMatrix(box, crops.size));
      const outputs = await crops.run(faces.map(({ frame }, i) => warpAffine(frame, matrices[i]!, crops.size, crops.size)));
      return outputs.map((output, i) => poseFromLandmarks68(landmarksInFrame(output, matrices[i]!, crops.size)));
    },
  };
}

/**
 * The model predicts x, y, z per point in [-1, 1] of the crop (its last 68 points are the
 * landmarks); they go back to frame pixels through the inverse crop transform, depth scaled alike.
 */
export function landmarksInFrame(output: Float32Array, crop: Affine2D, size: number): Vec3[] {
  if (output.length < LANDMARKS * 3 || output.length % 3 !== 0) {
    throw new Error(`1k3d68 output of ${output.length} values does not hold ${LANDMARKS} 3D points`);
  }
  const toFrame = invertAffine(crop);
  const depthScale = affineScale(toFrame);
  const half = Math.floor(size / 2);
  const first = output.length / 3 - LANDMARKS;
  const points: Vec3[] = [];
  for (let i = first; i < first + LANDMARKS; i++) {
    const [x, y] = applyAffine(toFrame, [(output[3 * i]! + 1) * half, (output[3 * i + 1]! + 1) * half]);
    points.push([x, y, output[3 * i + 2]! * half * depthScale]);
  }
  return points;
}
