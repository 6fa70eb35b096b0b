/**
 * Head pose from corresponding points, after insightface's transform.py: a least-squares affine
 * camera from a reference 3D shape to the observed points (estimate_affine_matrix_3d23d), its
 * rotation (P2sRt: normalised first two rows, third = their cross product), and the Euler angles
 * of that rotation (matrix2angle: R = Rz(roll) Ry(yaw) Rx(pitch)).
 */

import type { Pose } from './types.ts';

export type Vec3 = [x: number, y: number, z: number];
export type Mat3 = [Vec3, Vec3, Vec3];

/**
 * Least-squares affine map from `reference` (n x 3) to `observed` (n x k, k = 2 or 3):
 * k rows of 4 numbers [linear part | translation].
 */
export function estimateAffineCamera(reference: readonly Vec3[], observed: readonly (readonly number[])[]): number[][] {
  if (reference.length !== observed.length || reference.length < 4) {
    throw new Error(`affine camera needs at least 4 point pairs (got ${reference.length} and ${observed.length})`);
  }
  const k = observed[0]!.length;
  // Normal equations (Xh^T Xh) p = Xh^T y, one right-hand side per observed coordinate.
  const gram = Array.from({ length: 4 }, () => new Array<number>(4).fill(0));
  const rhs = Array.from({ length: 4 }, () => new Array<number>(k).fill(0));
  reference.forEach(([x, y, z], i) => {
    const h = [x, y, z, 1];
    for (let r = 0; r < 4; r++) {
      for (let c = 0; c < 4; c++) gram[r]![c]! += h[r]! * h[c]!;
      for (let c = 0; c < k; c++) rhs[r]![c]! += h[r]! * observed[i]![c]!;
    }
  });
  const solution = solveLinear(gram, rhs);
  return Array.from({ length: k }, (_, row) => solution.map((s) => s[row]!));
}

/** Solves A X = B by Gauss-Jordan elimination with partial pivoting (A square, B with several columns). */
function solveLinear(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...b[i]!]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[pivot]![col]!)) pivot = r;
    if (Math.abs(m[pivot]![col]!) < 1e-12) throw new Error('pose fit is degenerate: the reference points are coplanar');
    [m[col], m[pivot]] = [m[pivot]!, m[col]!];
    const lead = m[col]!;
    const inv = 1 / lead[col]!;
    for (let c = 0; c < lead.length; c++) lead[c]! *= inv;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const row = m[r]!;
      const f = row[col]!;
      if (f !== 0) for (let c = 0; c < row.length; c++) row[c]! -= f * lead[c]!;
    }
  }
  return m.map((row) => row.slice(n));
}

/** The rotation of an affine camera given its first two rows' linear parts (insightface's P2sRt). */
export function rotationFromCameraRows(row1: readonly number[], row2: readonly number[]): Mat3 {
  const r1 = normalise([row1[0]!, row1[1]!, row1[2]!]);
  const r2 = normalise([row2[0]!, row2[1]!, row2[2]!]);
  return [r1, r2, cross(r1, r2)];
}

/**
 * Makes two unit rows orthogonal by moving each half-way away from the other, then renormalising;
 * an exact rotation's rows are left as they are.
 */
export function orthogonalise(row1: readonly number[], row2: readonly number[]): [Vec3, Vec3] {
  const a = normalise([row1[0]!, row1[1]!, row1[2]!]);
  const b = normalise([row2[0]!, row2[1]!, row2[2]!]);
  const half = dot(a, b) / 2;
  return [
    normalise([a[0] - half * b[0], a[1] - half * b[1], a[2] - half * b[2]]),
    normalise([b[0] - half * a[0], b[1] - half * a[1], b[2] - half * a[2]]),
  ];
}

/** Euler angles in degrees of R = Rz(roll) Ry(yaw) Rx(pitch) (insightface's matrix2angle). */
export function rotationToPose(r: Mat3): Pose {
  const [[r00, , ], [r10, r11, r12], [r20, r21, r22]] = r;
  const sy = Math.hypot(r00, r10);
  const degrees = 180 / Math.PI;
  const yaw = Math.atan2(-r20, sy) * degrees;
  if (sy < 1e-6) {
    return { pitch: Math.atan2(-r12, r11) * degrees, yaw, roll: 0 };
  }
  return { pitch: Math.atan2(r21, r22) * degrees, yaw, roll: Math.atan2(r10, r00) * degrees };
}

function normalise(v: Vec3): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}
