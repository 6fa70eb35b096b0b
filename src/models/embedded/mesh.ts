/**
 * FaceMesh's 468 3D landmarks back in frame pixels, and what is read from them: the face box, the
 * 5 keypoints insightface's detectors give, and the head pose in insightface's conventions.
 */

import { affineScale, applyAffine, invertAffine } from '../../vision/affine.ts';
import { MEAN_SHAPE_68 } from '../../vision/meanshape68.ts';
import { estimateAffineCamera, rotationFromCameraRows, rotationToPose, type Vec3 } from '../../vision/pose-math.ts';
import type { Affine2D, Box, Point, Pose } from '../../vision/types.ts';

export const MESH_POINTS = 468;

/** Mesh vertices, by MediaPipe's canonical face numbering. */
const MESH = {
  imageLeftEyeOuter: 33,
  imageLeftEyeInner: 133,
  imageRightEyeInner: 362,
  imageRightEyeOuter: 263,
  noseTip: 1,
  imageLeftMouthCorner: 61,
  imageRightMouthCorner: 291,
} as const;

/**
 * iBUG-68 index -> mesh vertex for the points that sit on the same spot of the face in both
 * schemes: brows, eyes, nose, mouth corners and the cheek contour at eye level. The lower jaw is
 * left out: the 68-point jaw line follows the visible outline, which no fixed vertex does as the
 * head turns, and it moves with the mouth.
 */
export const IBUG68_TO_MESH: ReadonlyMap<number, number> = new Map([
  [1, 234], [15, 454],
  [17, 70], [18, 63], [19, 105], [20, 66], [21, 107],
  [22, 336], [23, 296], [24, 334], [25, 293], [26, 300],
  [27, 168], [29, 5], [30, 4], [33, 2],
  [36, 33], [37, 160], [38, 158], [39, 133], [40, 153], [41, 144],
  [42, 362], [43, 385], [44, 387], [45, 263], [46, 373], [47, 380],
  [48, 61], [54, 291],
]);

const POSE_REFERENCE: readonly Vec3[] = [...IBUG68_TO_MESH.keys()].map((i) => MEAN_SHAPE_68[i]!);
const POSE_VERTICES: readonly number[] = [...IBUG68_TO_MESH.values()];

/**
 * The model's output (x, y in crop pixels, z a depth on the same scale) mapped to frame pixels
 * through the inverse of the crop matrix, depth scaled alike.
 */
export function meshInFrame(output: Float32Array, crop: Affine2D): Vec3[] {
  if (output.length !== MESH_POINTS * 3) throw new Error(`FaceMesh output of ${output.length} values is not ${MESH_POINTS} 3D points`);
  const toFrame = invertAffine(crop);
  const depthScale = affineScale(toFrame);
  const points: Vec3[] = [];
  for (let i = 0; i < MESH_POINTS; i++) {
    const [x, y] = applyAffine(toFrame, [output[3 * i]!, output[3 * i + 1]!]);
    points.push([x, y, output[3 * i + 2]! * depthScale]);
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
  const at = (i: number): Point => [mesh[i]![0], mesh[i]![1]];
  const mid = (a: number, b: number): Point => [(mesh[a]![0] + mesh[b]![0]) / 2, (mesh[a]![1] + mesh[b]![1]) / 2];
  return [
    mid(MESH.imageLeftEyeOuter, MESH.imageLeftEyeInner),
    mid(MESH.imageRightEyeInner, MESH.imageRightEyeOuter),
    at(MESH.noseTip),
    at(MESH.imageLeftMouthCorner),
    at(MESH.imageRightMouthCorner),
  ];
}

/**
 * insightface's pose fit (docs/pose.md) with the mesh vertices that correspond to 68-point
 * landmarks: the affine camera from the mean shape onto their frame positions, its rotation, its
 * Euler angles. Thirty points spread in depth pin the rotation down without the 5-point
 * orthogonalisation.
 */
export function poseFromMesh(mesh: readonly Vec3[]): Pose {
  const observed = POSE_VERTICES.map((v) => [mesh[v]![0], mesh[v]![1]]);
  const [row1, row2] = estimateAffineCamera(POSE_REFERENCE, observed);
  return rotationToPose(rotationFromCameraRows(row1!, row2!));
}

/** The mesh's eye corners, for levelling the descriptor crop. */
export function meshEyeCorners(mesh: readonly Vec3[]): [Point, Point] {
  const at = (i: number): Point => [mesh[i]![0], mesh[i]![1]];
  return [at(MESH.imageLeftEyeOuter), at(MESH.imageRightEyeOuter)];
}
