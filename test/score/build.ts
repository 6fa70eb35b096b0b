/** Hand-built detections and scenes for the pure tracking and scoring tests. */

import type { Scene } from '../../src/media/scene-cuts.ts';
import type { DetectedFace, Sample } from '../../src/track/detections.ts';
import type { ScoreParams } from '../../src/score/types.ts';
import type { Box } from '../../src/faces/types.ts';

/** DESIGN.md's defaults. */
export const DEFAULTS: ScoreParams = {
  maxYaw: 75,
  maxPitch: 45,
  minPoseConfidence: 0.5,
  minFace: 80,
  minDetScore: 0.5,
  trackPassRatio: 0.7,
  bridgeGap: 3,
  mergeGap: 2,
  minDur: 1,
  maxDur: 120,
};

export const TRACK_DEFAULTS = { iou: 0.3, gap: 1, similarity: 0.5 };

export function face(box: Box, extra: Partial<DetectedFace> = {}): DetectedFace {
  return { box, score: 0.9, kps: null, yaw: 0, pitch: 0, roll: 0, pose: 'kps5', poseConfidence: 1, embedding: null, ...extra };
}

/** A 200 px face at x (frame pixels). */
export function faceAt(x: number, extra: Partial<DetectedFace> = {}): DetectedFace {
  return face([x, 100, x + 200, 300], extra);
}

/** Samples every `step` seconds from 0, one entry per sample: faces, or null for a failed frame. */
export function samples(perSample: readonly (DetectedFace[] | null)[], step = 0.5): Sample[] {
  return perSample.map((faces, i) => ({ t: i * step, i, faces }));
}

export function scenesAt(cuts: readonly number[], end: number): Scene[] {
  const starts = [0, ...cuts];
  return starts.map((start, index) => ({ index, start, end: starts[index + 1] ?? end, firstFrame: 0, endFrame: 0 }));
}

/** A unit vector along axis k (embeddings of distinct people are orthogonal). */
export function person(k: number, length = 8): Float32Array {
  const v = new Float32Array(length);
  v[k] = 1;
  return v;
}
