/** Reads detect's `detections.jsonl` (docs/artifacts.md) into typed samples. */

import { decodeFloat16Base64 } from '../detect/float16.ts';
import { isErrorLine, type FaceRecord } from '../detect/records.ts';
import { parseDetectionLines } from '../artifacts/detect.ts';

/** A face of detections.jsonl with its embedding decoded. */
export interface DetectedFace extends Omit<FaceRecord, 'emb'> {
  /** L2-normalised identity embedding, or null when the pack has no recognition model. */
  embedding: Float32Array | null;
}

/** One sampled frame: its faces, or null faces when the frame failed (a gap in the detections). */
export interface Sample {
  t: number;
  i: number;
  faces: DetectedFace[] | null;
}

function toFace({ emb, ...record }: FaceRecord): DetectedFace {
  return { ...record, embedding: emb ? decodeFloat16Base64(emb) : null };
}

/** Samples in time order, embeddings decoded (the journal appends in order; sorting keeps a hand-edited file usable). */
export function parseSamples(text: string): Sample[] {
  return parseDetectionLines(text)
    .map((line): Sample => ({ t: line.t, i: line.i, faces: isErrorLine(line) ? null : line.faces.map(toFace) }))
    .sort((a, b) => a.t - b.t);
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
