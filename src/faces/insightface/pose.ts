/**
 * Yaw, pitch and roll of a face from insightface's models: the 68 3D landmarks of 1k3d68 or,
 * without that model, the detector's 5 keypoints. Both fit the canonical face (docs/pose.md), so
 * they share the embedded pack's frame and signs.
 */

import { CANONICAL_KPS5, CANONICAL_MESH, IBUG68_TO_MESH } from '../pose/canonical-face.ts';
import { calibratedPose, type PoseReading, type Saturation } from '../pose/pose-calibration.ts';
import { fitOrthographic, fitRigid3d, type Vec3 } from '../pose/pose-math.ts';
import type { Point } from '../types.ts';

/**
 * Degrees: SCRFD keypoints' fitted yaw on real profiles. Fitted with bench/pose.ts on the fit half
 * of the labelled faces (docs/analysis/pose-labels.json).
 */
export const KPS5_SATURATION: Saturation = 70;
/** 1k3d68 was trained on faces up to profiles; without the model here its compression is unmeasured and left uncorrected. */
const LANDMARK68_SATURATION: Saturation = 90;

const IBUG68_POINTS: readonly number[] = [...IBUG68_TO_MESH.keys()];
const IBUG68_REFERENCE: readonly Vec3[] = [...IBUG68_TO_MESH.values()].map((v) => CANONICAL_MESH[v]!);

/** The rigid fit of the canonical face onto the 68 landmarks that have a mesh vertex, depth included. */
export function poseFromLandmarks68(landmarks: readonly Vec3[]): PoseReading {
  if (landmarks.length !== 68) throw new Error(`expected 68 landmarks, got ${landmarks.length}`);
  const fit = fitRigid3d(IBUG68_REFERENCE, IBUG68_POINTS.map((i) => landmarks[i]!));
  return calibratedPose(fit.rotation, LANDMARK68_SATURATION);
}

/**
 * The canonical face's 5 keypoints fitted to their image positions with a scaled orthographic
 * camera. Four of the five points are nearly coplanar: the nose tip's depth carries the turn, so
 * the estimate is coarse and knows nothing of the individual face's proportions.
 */
export function poseFromKps5(kps: readonly Point[]): PoseReading {
  if (kps.length !== 5) throw new Error(`expected 5 keypoints, got ${kps.length}`);
  return calibratedPose(fitOrthographic(CANONICAL_KPS5, kps).rotation, KPS5_SATURATION);
}
