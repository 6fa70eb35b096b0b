/**
 * Decoding of MediaPipe BlazeFace (the 256x256 "back camera" variant that `@vladmandic/human`
 * ships): 896 anchors, 2 per cell of the 16x16 grid (stride 16) then 6 per cell of the 8x8 grid
 * (stride 32), each at its cell centre. Per anchor the model gives a score logit and 16 numbers in
 * input pixels: box centre offset (x, y) from the anchor, box width and height, then six keypoints
 * (eyes, nose tip, mouth centre, ears) as (x, y) offsets from the anchor.
 */

import type { Box, Point } from '../types.ts';

export const BLAZEFACE_INPUT = 256;
const REGRESSORS = 16;
const KEYPOINTS = 6;

export interface BlazeFaceCandidate {
  /** Input pixels. */
  box: Box;
  /** Sigmoid of the logit, 0..1. */
  score: number;
  /** Input pixels, in the model's order: subject's right eye, left eye, nose tip, mouth, right ear, left ear. */
  keypoints: Point[];
}

interface AnchorLayout {
  stride: number;
  perCell: number;
}

const LAYOUT: readonly AnchorLayout[] = [
  { stride: 16, perCell: 2 },
  { stride: 32, perCell: 6 },
];

/** Anchor centres in input pixels, in the order of the model's outputs (row-major cells, then anchors of a cell). */
export function blazeFaceAnchors(size = BLAZEFACE_INPUT): Point[][] {
  return LAYOUT.map(({ stride, perCell }) => {
    const cells = Math.ceil(size / stride);
    const anchors: Point[] = [];
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let k = 0; k < perCell; k++) anchors.push([(x + 0.5) * stride, (y + 0.5) * stride]);
      }
    }
    return anchors;
  });
}

const ANCHORS = blazeFaceAnchors();

/**
 * Candidates scoring at least `scoreThreshold` from one frame's outputs: `scores[i]` and `boxes[i]`
 * belong to the i-th anchor layout (stride 16, then 32).
 */
export function decodeBlazeFace(
  scores: readonly Float32Array[],
  boxes: readonly Float32Array[],
  scoreThreshold: number,
): BlazeFaceCandidate[] {
  const candidates: BlazeFaceCandidate[] = [];
  ANCHORS.forEach((anchors, layer) => {
    const logits = scores[layer]!;
    const regressors = boxes[layer]!;
    if (logits.length !== anchors.length || regressors.length !== anchors.length * REGRESSORS) {
      throw new Error(`BlazeFace output ${layer} has ${logits.length} scores and ${regressors.length} regressors; expected ${anchors.length} anchors`);
    }
    anchors.forEach(([ax, ay], i) => {
      const score = sigmoid(logits[i]!);
      if (score < scoreThreshold) return;
      const r = regressors.subarray(i * REGRESSORS, (i + 1) * REGRESSORS);
      const cx = ax + r[0]!;
      const cy = ay + r[1]!;
      const halfW = r[2]! / 2;
      const halfH = r[3]! / 2;
      const keypoints: Point[] = [];
      for (let k = 0; k < KEYPOINTS; k++) keypoints.push([ax + r[4 + 2 * k]!, ay + r[5 + 2 * k]!]);
      candidates.push({ box: [cx - halfW, cy - halfH, cx + halfW, cy + halfH], score, keypoints });
    });
  });
  return candidates;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}
