/**
 * Head pose from corresponding points: the rigid motion (rotation, uniform scale, translation)
 * that best takes a reference 3D face onto observed points, and the Euler angles of its rotation
 * (R = Rz(roll) Ry(yaw) Rx(pitch), insightface's matrix2angle). Observed points with depth are fitted
 * in 3D (Horn's closed form); image points alone with a scaled orthographic camera, refined by
 * Gauss-Newton from the least-squares affine camera.
 */

import type { Point, Pose } from '../types.ts';

export type Vec3 = [x: number, y: number, z: number];
export type Mat3 = [Vec3, Vec3, Vec3];

/**
 * Least-squares affine map from `reference` (n x 3) to `observed` (n x k, k = 2 or 3):
 * k rows of 4 numbers [linear part | translation].
 */
function estimateAffineCamera(reference: readonly Vec3[], observed: readonly (readonly number[])[]): number[][] {
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

/** A rigid motion with scale: observed ≈ scale · rotation · reference + translation. */
export interface RigidFit {
  rotation: Mat3;
  scale: number;
  translation: Vec3;
  /** Root-mean-square distance left between the moved reference and the observed points, in reference units. */
  error: number;
}

/**
 * Least-squares rigid fit with scale of `reference` onto `observed`, both 3D (Horn's quaternion
 * method: the rotation is the top eigenvector of a 4x4 matrix built from the cross-covariance).
 * A reflection can never come out, which an unconstrained SVD solution has to be guarded against.
 */
export function fitRigid3d(reference: readonly Vec3[], observed: readonly Vec3[]): RigidFit {
  if (reference.length !== observed.length || reference.length < 3) {
    throw new Error(`rigid fit needs at least 3 point pairs (got ${reference.length} and ${observed.length})`);
  }
  const a = centred(reference);
  const b = centred(observed);
  const s = Array.from({ length: 3 }, () => [0, 0, 0]);
  a.points.forEach((p, i) => {
    for (let r = 0; r < 3; r++) for (let c = 0; c < 3; c++) s[r]![c]! += p[r]! * b.points[i]![c]!;
  });
  const [[xx, xy, xz], [yx, yy, yz], [zx, zy, zz]] = s as [Vec3, Vec3, Vec3];
  const n = [
    [xx + yy + zz, yz - zy, zx - xz, xy - yx],
    [yz - zy, xx - yy - zz, xy + yx, zx + xz],
    [zx - xz, xy + yx, -xx + yy - zz, yz + zy],
    [xy - yx, zx + xz, yz + zy, -xx - yy + zz],
  ];
  const rotation = quaternionToMatrix(topEigenvector(n));
  let along = 0;
  let spread = 0;
  a.points.forEach((p, i) => {
    along += dot(b.points[i]!, apply(rotation, p));
    spread += dot(p, p);
  });
  const scale = along / spread;
  const moved = apply(rotation, a.mean);
  const translation: Vec3 = [b.mean[0] - scale * moved[0], b.mean[1] - scale * moved[1], b.mean[2] - scale * moved[2]];
  let squared = 0;
  reference.forEach((p, i) => {
    const q = apply(rotation, p);
    for (let k = 0; k < 3; k++) squared += (scale * q[k]! + translation[k]! - observed[i]![k]!) ** 2;
  });
  return { rotation, scale, translation, error: Math.sqrt(squared / reference.length) / scale };
}

/**
 * Least-squares fit of a scaled orthographic camera (rotation, scale, image translation) taking
 * `reference` onto image points. Starts from the affine camera with its rows made orthogonal, then
 * Gauss-Newton on the rotation (small rotation vectors), scale and translation.
 */
export function fitOrthographic(reference: readonly Vec3[], observed: readonly Point[]): RigidFit {
  const [row1, row2] = estimateAffineCamera(reference, observed);
  const [r1, r2] = orthogonalise(row1!, row2!);
  let rotation: Mat3 = [r1, r2, cross(r1, r2)];
  let scale = (Math.hypot(row1![0]!, row1![1]!, row1![2]!) + Math.hypot(row2![0]!, row2![1]!, row2![2]!)) / 2;
  let shift: Point = [row1![3]!, row2![3]!];
  // Keypoints that coincide (a detection of a few pixels) have no rotation to refine: the rotation
  // columns of the system vanish with the scale.
  for (let iteration = 0; iteration < 30 && scale > 1e-9; iteration++) {
    // Unknowns: rotation vector (3), scale, x and y shift.
    const gram = Array.from({ length: 6 }, () => new Array<number>(6).fill(0));
    const rhs = Array.from({ length: 6 }, () => [0]);
    reference.forEach((p, i) => {
      const [x, y, z] = apply(rotation, p);
      const rows: [number[], number][] = [
        [[0, scale * z, -scale * y, x, 1, 0], observed[i]![0] - (scale * x + shift[0])],
        [[-scale * z, 0, scale * x, y, 0, 1], observed[i]![1] - (scale * y + shift[1])],
      ];
      for (const [j, residual] of rows) {
        for (let r = 0; r < 6; r++) {
          for (let c = 0; c < 6; c++) gram[r]![c]! += j[r]! * j[c]!;
          rhs[r]![0]! += j[r]! * residual;
        }
      }
    });
    const step = solveLinear(gram, rhs).map((row) => row[0]!);
    rotation = multiply(rodrigues([step[0]!, step[1]!, step[2]!]), rotation);
    scale += step[3]!;
    shift = [shift[0] + step[4]!, shift[1] + step[5]!];
    if (Math.hypot(...step.slice(0, 3)) < 1e-9) break;
  }
  let squared = 0;
  reference.forEach((p, i) => {
    const [x, y] = apply(rotation, p);
    squared += (scale * x + shift[0] - observed[i]![0]) ** 2 + (scale * y + shift[1] - observed[i]![1]) ** 2;
  });
  return { rotation, scale, translation: [shift[0], shift[1], 0], error: Math.sqrt(squared / reference.length) / scale };
}

/**
 * Makes two unit rows orthogonal by moving each half-way away from the other, then renormalising;
 * an exact rotation's rows are left as they are.
 */
function orthogonalise(row1: readonly number[], row2: readonly number[]): [Vec3, Vec3] {
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

function apply(r: Mat3, p: readonly number[]): Vec3 {
  return [r[0][0] * p[0]! + r[0][1] * p[1]! + r[0][2] * p[2]!, r[1][0] * p[0]! + r[1][1] * p[1]! + r[1][2] * p[2]!, r[2][0] * p[0]! + r[2][1] * p[1]! + r[2][2] * p[2]!];
}

function multiply(a: Mat3, b: Mat3): Mat3 {
  return a.map((row) => [0, 1, 2].map((c) => row[0] * b[0][c]! + row[1] * b[1][c]! + row[2] * b[2][c]!)) as Mat3;
}

/** The rotation by the angle |v| about the axis v. */
function rodrigues(v: Vec3): Mat3 {
  const angle = Math.hypot(v[0], v[1], v[2]);
  if (angle < 1e-15) return [[1, 0, 0], [0, 1, 0], [0, 0, 1]];
  const [x, y, z] = [v[0] / angle, v[1] / angle, v[2] / angle];
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const t = 1 - c;
  return [
    [t * x * x + c, t * x * y - s * z, t * x * z + s * y],
    [t * x * y + s * z, t * y * y + c, t * y * z - s * x],
    [t * x * z - s * y, t * y * z + s * x, t * z * z + c],
  ];
}

function centred(points: readonly Vec3[]): { mean: Vec3; points: Vec3[] } {
  const mean: Vec3 = [0, 0, 0];
  for (const p of points) for (let k = 0; k < 3; k++) mean[k]! += p[k]! / points.length;
  return { mean, points: points.map((p): Vec3 => [p[0] - mean[0], p[1] - mean[1], p[2] - mean[2]]) };
}

function quaternionToMatrix([w, x, y, z]: readonly number[]): Mat3 {
  return [
    [w! * w! + x! * x! - y! * y! - z! * z!, 2 * (x! * y! - w! * z!), 2 * (x! * z! + w! * y!)],
    [2 * (x! * y! + w! * z!), w! * w! - x! * x! + y! * y! - z! * z!, 2 * (y! * z! - w! * x!)],
    [2 * (x! * z! - w! * y!), 2 * (y! * z! + w! * x!), w! * w! - x! * x! - y! * y! + z! * z!],
  ];
}

/** Unit eigenvector of the largest eigenvalue of a symmetric matrix (cyclic Jacobi rotations). */
function topEigenvector(symmetric: readonly (readonly number[])[]): number[] {
  const n = symmetric.length;
  const a = symmetric.map((row) => [...row]);
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j): number => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p]![q]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(a[p]![q]!) < 1e-300) continue;
        const theta = (a[q]![q]! - a[p]![p]!) / (2 * a[p]![q]!);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k]![p]!;
          const akq = a[k]![q]!;
          a[k]![p] = c * akp - s * akq;
          a[k]![q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p]![k]!;
          const aqk = a[q]![k]!;
          a[p]![k] = c * apk - s * aqk;
          a[q]![k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k]![p]!;
          const vkq = v[k]![q]!;
          v[k]![p] = c * vkp - s * vkq;
          v[k]![q] = s * vkp + c * vkq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (a[i]![i]! > a[best]![best]!) best = i;
  return v.map((row) => row[best]!);
}
