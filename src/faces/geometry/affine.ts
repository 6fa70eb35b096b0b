/** 2D affine matrices: application, inversion, and the least-squares similarity between point sets. */

import type { Affine2D, Point } from '../types.ts';

export function applyAffine(m: Affine2D, [x, y]: Point): Point {
  return [m[0] * x + m[1] * y + m[2], m[3] * x + m[4] * y + m[5]];
}

/** Length of the image of a unit x vector: the scale of a similarity matrix. */
export function affineScale(m: Affine2D): number {
  return Math.hypot(m[0], m[1]);
}

export function invertAffine(m: Affine2D): Affine2D {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (det === 0) throw new Error('affine matrix is singular');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/**
 * The rotation + uniform scale + translation that maps `src` onto `dst` with the least squared
 * error (Umeyama's estimate, reflections excluded, as scikit-image's SimilarityTransform which
 * insightface uses for its norm-crop). In 2D a proper similarity is x -> [a -b; b a] x + t, and the
 * least-squares (a, b) over centred points has the closed form below; it equals Umeyama's SVD
 * solution, including the case where the best fit would otherwise be a reflection.
 */
export function estimateSimilarity(src: readonly Point[], dst: readonly Point[]): Affine2D {
  if (src.length !== dst.length || src.length < 2) {
    throw new Error(`similarity needs two equally long point lists of at least 2 points (got ${src.length} and ${dst.length})`);
  }
  const n = src.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += src[i]![0]; sy += src[i]![1];
    dx += dst[i]![0]; dy += dst[i]![1];
  }
  sx /= n; sy /= n; dx /= n; dy /= n;
  let dot = 0, cross = 0, norm = 0;
  for (let i = 0; i < n; i++) {
    const px = src[i]![0] - sx, py = src[i]![1] - sy;
    const qx = dst[i]![0] - dx, qy = dst[i]![1] - dy;
    dot += px * qx + py * qy;
    cross += px * qy - py * qx;
    norm += px * px + py * py;
  }
  if (norm === 0) throw new Error('similarity source points all coincide');
  const a = dot / norm;
  const b = cross / norm;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}
