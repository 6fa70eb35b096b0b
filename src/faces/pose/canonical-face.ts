/**
 * The canonical face every pose source fits to (docs/pose.md), and where on it the points of each
 * landmark scheme sit: FaceMesh's vertices, iBUG-68 landmarks, the detectors' 5 keypoints.
 */

import { CANONICAL_MESH, DETECTOR_NOSE_TIP_Y } from './canonical-face-mesh.ts';
import type { Vec3 } from './pose-math.ts';

export { CANONICAL_MESH };

/** Mesh vertices, by MediaPipe's canonical face numbering. */
export const MESH_VERTEX = {
  imageLeftEyeOuter: 33,
  imageLeftEyeInner: 133,
  imageRightEyeInner: 362,
  imageRightEyeOuter: 263,
  noseTip: 1,
  imageLeftMouthCorner: 61,
  imageRightMouthCorner: 291,
} as const;

/**
 * The 5 keypoints of SCRFD-style detectors as mesh vertices, image-left first: each eye's centre
 * (the mid-point of its corners), the nose tip, the mouth corners.
 */
export const KPS5_VERTICES: readonly (readonly number[])[] = [
  [MESH_VERTEX.imageLeftEyeOuter, MESH_VERTEX.imageLeftEyeInner],
  [MESH_VERTEX.imageRightEyeInner, MESH_VERTEX.imageRightEyeOuter],
  [MESH_VERTEX.noseTip],
  [MESH_VERTEX.imageLeftMouthCorner],
  [MESH_VERTEX.imageRightMouthCorner],
];

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

/** The mean of some vertices of `mesh`: a keypoint that no single vertex marks. */
export function meanOfVertices(mesh: readonly Vec3[], vertices: readonly number[]): Vec3 {
  const sum: Vec3 = [0, 0, 0];
  for (const v of vertices) for (let k = 0; k < 3; k++) sum[k]! += mesh[v]![k]! / vertices.length;
  return sum;
}

/**
 * The canonical face's 5 keypoints where a detector puts them: the mesh's, but the nose keypoint
 * at the height SCRFD gives it on frontal faces (its depth is the nose-tip vertex's). With the
 * nose-tip vertex instead, SCRFD's keypoints of faces looking into the camera read pitch +7°.
 */
export const CANONICAL_KPS5: readonly Vec3[] = KPS5_VERTICES.map((vertices, k) => {
  const point = meanOfVertices(CANONICAL_MESH, vertices);
  return k === 2 ? [0, DETECTOR_NOSE_TIP_Y, point[2]] : point;
});
