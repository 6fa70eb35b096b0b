/**
 * FaceMesh's 468 3D landmarks back in frame pixels, and what is read from them: the face box, the
 * 5 keypoints insightface's detectors give, and the head pose (docs/pose.md).
 */

import { affineScale, applyAffine, invertAffine } from '../geometry/affine.ts';
import { CANONICAL_MESH, KPS5_VERTICES, meanOfVertices, MESH_VERTEX } from '../pose/canonical-face.ts';
import { calibratedPose, type PoseReading, type Saturation } from '../pose/pose-calibration.ts';
import { fitRigid3d, type Vec3 } from '../pose/pose-math.ts';
import type { Affine2D, Box, Point } from '../types.ts';

export const MESH_POINTS = 468;

/**
 * Degrees: FaceMesh's fitted yaw on real profiles (docs/pose.md). Fitted with bench/pose.ts on the
 * fit half of the labelled faces (docs/analysis/pose-labels.json).
 */
export const MESH_SATURATION: Saturation = 63.5;

/**
 * The model's output (x, y in crop pixels, z a depth on the same scale) mapped to frame pixels
 * through the inverse of the crop matrix, depth scaled alike. FaceMesh's depth grows away from the
 * camera; it is negated so that z points towards the camera, as in insightface's frame (docs/pose.md).
 */
export function meshInFrame(output: Float32Array, crop: Affine2D): Vec3[] {
  if (output.length !== MESH_POINTS * 3) throw new Error(`FaceMesh output of ${output.length} values is not ${MESH_POINTS} 3D points`);
  const toFrame = invertAffine(crop);
  const depthScale = affineScale(toFrame);
  const points: Vec3[] = [];
  for (let i = 0; i < MESH_POINTS; i++) {
    const [x, y] = applyAffine(toFrame, [output[3 * i]!, output[3 * i + 1]!]);
    points.push([x, y, -output[3 * i + 2]! * depthScale]);
  }
  return points;
}

/** The bounds of all vertices: hairline-ish forehead to chin, cheek to cheek. */
export function meshBox(mesh: readonly Vec3[]): Box {
  let x1 = Infinity, y1 = Infinity, x2 = -Infinity, y2 = -Infinity;
  for (const [x, y] of mesh) {
    x1 = Math.min(x1, x); y1 = Math.min(y1, y);
    x2 = Math.max(x2, x); y2 = Math.max(y2, y);
  }
  return [x1, y1, x2, y2];
}

/** Eye centres (mid-point of each eye's corners), nose tip, mouth corners; image-left first, as SCRFD orders them. */
export function meshKeypoints(mesh: readonly Vec3[]): Point[] {
  return KPS5_VERTICES.map((vertices): Point => {
    const [x, y] = meanOfVertices(mesh, vertices);
    return [x, y];
  });
}

/** A mesh's pose, and how far its shape is from a face's. */
export interface MeshPose extends PoseReading {
  /**
   * Root-mean-square distance between the mesh and the canonical face fitted onto it, in units of
   * the canonical face's radius: about 0.03-0.16 on real faces, more where FaceMesh drew its mesh
   * over something that is not a face.
   */
  fitError: number;
}

/**
 * The rigid fit (rotation, scale, shift) of the canonical face onto all 468 points, depth
 * included, corrected for FaceMesh's compression of turns (src/faces/pose/pose-calibration.ts).
 */
export function poseFromMesh(mesh: readonly Vec3[]): MeshPose {
  const fit = fitRigid3d(CANONICAL_MESH, mesh);
  return { ...calibratedPose(fit.rotation, MESH_SATURATION), fitError: fit.error };
}

/** The mesh's eye corners, for levelling the descriptor crop. */
export function meshEyeCorners(mesh: readonly Vec3[]): [Point, Point] {
  const at = (i: number): Point => [mesh[i]![0], mesh[i]![1]];
  return [at(MESH_VERTEX.imageLeftEyeOuter), at(MESH_VERTEX.imageRightEyeOuter)];
}
