/**
 * Decoding of SCRFD outputs (insightface's detector): per stride a score, four box distances and
 * optionally ten keypoint offsets for every anchor, anchors laid out row-major over the feature
 * map with `anchorsPerCell` consecutive anchors per cell, all in units of the stride.
 */

import type { Box, Point } from '../types.ts';

export interface ScrfdLayout {
  strides: readonly number[];
  anchorsPerCell: number;
  hasKps: boolean;
}

/** Candidate face in detector input pixels. */
export interface Candidate {
  box: Box;
  score: number;
  kps: Point[] | null;
}

/**
 * The layout follows from the number of outputs, which come grouped as all scores, then all box
 * distances, then all keypoints, each group ordered by stride (insightface relies on this order).
 */
export function scrfdLayout(outputCount: number): ScrfdLayout {
  switch (outputCount) {
    case 6:
      return { strides: [8, 16, 32], anchorsPerCell: 2, hasKps: false };
    case 9:
      return { strides: [8, 16, 32], anchorsPerCell: 2, hasKps: true };
    case 10:
      return { strides: [8, 16, 32, 64, 128], anchorsPerCell: 1, hasKps: false };
    case 15:
      return { strides: [8, 16, 32, 64, 128], anchorsPerCell: 1, hasKps: true };
    default:
      throw new Error(`not an SCRFD detector: expected 6, 9, 10 or 15 outputs, got ${outputCount}`);
  }
}

/**
 * Candidates of image `batchIndex` whose score reaches `scoreThreshold`. Outputs may be shaped
 * [anchors, C] or [batch, anchors, C]: either way one image's rows are contiguous, so its rows
 * start at batchIndex * anchors.
 */
export function decodeScrfd(
  outputs: readonly Float32Array[],
  layout: ScrfdLayout,
  input: { width: number; height: number },
  batchIndex: number,
  scoreThreshold: number,
): Candidate[] {
  const levels = layout.strides.length;
  if (outputs.length !== levels * (layout.hasKps ? 3 : 2)) {
    throw new Error(`SCRFD layout expects ${levels * (layout.hasKps ? 3 : 2)} outputs, got ${outputs.length}`);
  }
  const candidates: Candidate[] = [];
  layout.strides.forEach((stride, level) => {
    const cols = Math.floor(input.width / stride);
    const rows = Math.floor(input.height / stride);
    const anchors = cols * rows * layout.anchorsPerCell;
    const scores = sliceRows(outputs[level]!, anchors, 1, batchIndex, `score stride ${stride}`);
    const distances = sliceRows(outputs[level + levels]!, anchors, 4, batchIndex, `box stride ${stride}`);
    const offsets = layout.hasKps
      ? sliceRows(outputs[level + 2 * levels]!, anchors, 10, batchIndex, `keypoints stride ${stride}`)
      : null;
    for (let a = 0; a < anchors; a++) {
      const score = scores[a]!;
      if (score < scoreThreshold) continue;
      const cell = Math.floor(a / layout.anchorsPerCell);
      const cx = (cell % cols) * stride;
      const cy = Math.floor(cell / cols) * stride;
      const d = a * 4;
      const box: Box = [
        cx - distances[d]! * stride,
        cy - distances[d + 1]! * stride,
        cx + distances[d + 2]! * stride,
        cy + distances[d + 3]! * stride,
      ];
      let kps: Point[] | null = null;
      if (offsets) {
        kps = [];
        for (let k = 0; k < 5; k++) {
          kps.push([cx + offsets[a * 10 + 2 * k]! * stride, cy + offsets[a * 10 + 2 * k + 1]! * stride]);
        }
      }
      candidates.push({ box, score, kps });
    }
  });
  return candidates;
}

function sliceRows(data: Float32Array, rows: number, width: number, batchIndex: number, what: string): Float32Array {
  const start = batchIndex * rows * width;
  const end = start + rows * width;
  if (data.length < end || data.length % (rows * width) !== 0) {
    throw new Error(
      `SCRFD ${what} output has ${data.length} values, not a multiple of ${rows}x${width} covering image ${batchIndex}`,
    );
  }
  return data.subarray(start, end);
}
