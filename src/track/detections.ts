/** Reads detect's `detections.jsonl` (docs/artifacts.md) into typed samples. */

import type { Box, Point } from '../vision/types.ts';
import { decodeFloat16Base64 } from './float16.ts';

export const DETECTIONS_FILE = 'detections.jsonl';

export interface DetectedFace {
  box: Box;
  /** Detection confidence 0..1. */
  score: number;
  kps: Point[] | null;
  /** Degrees, or null when the pack gave no pose. */
  yaw: number | null;
  pitch: number | null;
  roll: number | null;
  /** How the pose was obtained (`1k3d68`, `mesh`, `kps5`), or null. */
  pose: string | null;
  /** L2-normalised identity embedding, or null when the pack has no recognition model. */
  embedding: Float32Array | null;
}

/** One sampled frame: its faces, or null faces when the frame failed (a gap in the detections). */
export interface Sample {
  t: number;
  i: number;
  faces: DetectedFace[] | null;
}

interface FaceLine {
  box: Box;
  score: number;
  kps?: Point[] | null;
  yaw?: number | null;
  pitch?: number | null;
  roll?: number | null;
  pose?: string | null;
  emb?: string | null;
}

interface SampleLine {
  t: number;
  i: number;
  faces?: FaceLine[];
  error?: string;
}

function toFace(line: FaceLine): DetectedFace {
  return {
    box: line.box,
    score: line.score,
    kps: line.kps ?? null,
    yaw: line.yaw ?? null,
    pitch: line.pitch ?? null,
    roll: line.roll ?? null,
    pose: line.pose ?? null,
    embedding: line.emb ? decodeFloat16Base64(line.emb) : null,
  };
}

/** Samples in time order (the journal appends in order; sorting keeps a hand-edited file usable). */
export function parseDetections(text: string): Sample[] {
  const samples = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, n): Sample => {
      const record = JSON.parse(line) as SampleLine;
      if (typeof record.t !== 'number' || typeof record.i !== 'number') {
        throw new Error(`detections line ${n + 1}: needs numeric t and i`);
      }
      const faces = record.error !== undefined || !record.faces ? null : record.faces.map(toFace);
      return { t: record.t, i: record.i, faces };
    });
  return samples.sort((a, b) => a.t - b.t);
}

/**
 * Seconds between consecutive samples (1 / sample_fps), from the samples themselves so that no
 * other artifact is needed: the slope of time over sample index. Sample times jitter by up to a
 * frame (each is the first frame at or after its grid time), so neighbouring differences would not do.
 */
export function sampleStep(samples: readonly Sample[], fallback = 0.5): number {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (!first || !last || last.i <= first.i) return fallback;
  return (last.t - first.t) / (last.i - first.i);
}
