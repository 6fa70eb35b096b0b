/** Face box measures shared by tracking and scoring. */

import type { Box } from '../faces/types.ts';

export function boxArea([x1, y1, x2, y2]: Box): number {
  return Math.max(0, x2 - x1) * Math.max(0, y2 - y1);
}

/** Intersection over union, 0 for disjoint boxes. */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a[2], b[2]) - Math.max(a[0], b[0]);
  const h = Math.min(a[3], b[3]) - Math.max(a[1], b[1]);
  if (w <= 0 || h <= 0) return 0;
  const inter = w * h;
  return inter / (boxArea(a) + boxArea(b) - inter);
}

/** The face size DESIGN.md's min_face limits: the shorter side of the box. */
export function faceSize([x1, y1, x2, y2]: Box): number {
  return Math.min(x2 - x1, y2 - y1);
}

export function centreDistance(a: Box, b: Box): number {
  return Math.hypot((a[0] + a[2] - b[0] - b[2]) / 2, (a[1] + a[3] - b[1] - b[3]) / 2);
}
