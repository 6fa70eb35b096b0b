/**
 * The lines of detections.jsonl (docs/artifacts.md) and how a face becomes one. Numbers are
 * rounded to what downstream rules can use: it keeps lines short and makes them identical when
 * the same frame is analysed in another batch or with another thread count, where the models'
 * last float bits may differ. That is what lets a resumed run end byte-identical to a fresh one.
 */

import type { Box, Face, Point, PoseOrigin } from '../faces/types.ts';
import { encodeFloat16Base64 } from './float16.ts';


export interface FaceRecord {
  box: Box;
  score: number;
  kps: Point[] | null;
  yaw: number | null;
  pitch: number | null;
  roll: number | null;
  pose: PoseOrigin | null;
  /** 0..1, how far yaw/pitch can be trusted (docs/pose.md); null without a pose. */
  poseConfidence: number | null;
  /** Base64 of the little-endian float16 L2-normalised embedding. */
  emb: string | null;
}

export interface FrameLine {
  t: number;
  i: number;
  w: number;
  h: number;
  faces: FaceRecord[];
}

export interface ErrorLine {
  t: number;
  i: number;
  error: string;
}

export type DetectionLine = FrameLine | ErrorLine;

export function isErrorLine(line: DetectionLine): line is ErrorLine {
  return 'error' in line;
}

const round = (digits: number) => {
  const scale = 10 ** digits;
  return (value: number) => Math.round(value * scale) / scale;
};
/** Hundredths of a pixel, a degree or a pose confidence; ten-thousandths of a score. */
const pixels = round(2);
const degrees = round(2);
const confidence = round(2);
const score = round(4);

export function faceRecord(face: Face): FaceRecord {
  const hasPose = face.yaw !== undefined && face.pitch !== undefined && face.roll !== undefined;
  return {
    box: face.box.map(pixels) as Box,
    score: score(face.detScore),
    kps: face.kps ? face.kps.map(([x, y]): Point => [pixels(x), pixels(y)]) : null,
    yaw: hasPose ? degrees(face.yaw!) : null,
    pitch: hasPose ? degrees(face.pitch!) : null,
    roll: hasPose ? degrees(face.roll!) : null,
    pose: hasPose ? (face.poseOrigin ?? null) : null,
    poseConfidence: hasPose && face.poseConfidence !== undefined ? confidence(face.poseConfidence) : null,
    emb: face.embedding ? encodeFloat16Base64(face.embedding) : null,
  };
}
