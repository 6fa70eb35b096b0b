/**
 * Yaw, pitch and roll of a face in insightface's conventions, from the 68 3D landmarks of its
 * 1k3d68 model or, without that model, estimated from the detector's 5 keypoints (docs/pose.md).
 */

import { MEAN_SHAPE_68 } from './meanshape68.ts';
import { estimateAffineCamera, orthogonalise, rotationFromCameraRows, rotationToPose, type Vec3 } from './pose-math.ts';
import type { Point, Pose } from './types.ts';

/** insightface's pose: the affine camera from its mean shape to the predicted landmarks (frame x, y and scaled depth). */
export function poseFromLandmarks68(landmarks: readonly Vec3[]): Pose {
  if (landmarks.length !== 68) throw new Error(`expected 68 landmarks, got ${landmarks.length}`);
  const [row1, row2] = estimateAffineCamera(MEAN_SHAPE_68, landmarks);
  return rotationToPose(rotationFromCameraRows(row1!, row2!));
}

/** The detector's keypoints (eyes, nose tip, mouth corners) located on insightface's mean shape. */
export const MEAN_SHAPE_KPS5: readonly Vec3[] = [
  meanOf([36, 37, 38, 39, 40, 41]),
  meanOf([42, 43, 44, 45, 46, 47]),
  meanOf([30]),
  meanOf([48]),
  meanOf([54]),
];

/**
 * The same fit with the 5 keypoints' image positions only: a scaled orthographic camera from the
 * 5-point mean shape. Five points barely constrain a rotation, so the two camera rows are made
 * orthogonal before the angles are read.
 */
export function poseFromKps5(kps: readonly Point[]): Pose {
  if (kps.length !== 5) throw new Error(`expected 5 keypoints, got ${kps.length}`);
  const [row1, row2] = estimateAffineCamera(MEAN_SHAPE_KPS5, kps);
  const [r1, r2] = orthogonalise(row1!, row2!);
  return rotationToPose(rotationFromCameraRows(r1, r2));
}

function meanOf(indices: readonly number[]): Vec3 {
  const sum: Vec3 = [0, 0, 0];
  for (const i of indices) {
    const p = MEAN_SHAPE_68[i]!;
    sum[0] += p[0];
    sum[1] += p[1];
    sum[2] += p[2];
  }
  return [sum[0] / indices.length, sum[1] / indices.length, sum[2] / indices.length];
}
