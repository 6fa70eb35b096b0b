/** Rejection reasons in words, naming the param a user would change. */

import { faceSize } from '../track/geometry.ts';
import type { DetectedFace } from '../track/detections.ts';
import type { Check, ScoreParams, Sighting } from './types.ts';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const CHECK_TEXT: Record<Check, (faces: DetectedFace[], params: ScoreParams) => string> = {
  score: (faces, p) => `median det score ${median(faces.map((f) => f.score)).toFixed(2)} < min_det_score ${p.minDetScore}`,
  face: (faces, p) => `median face ${Math.round(median(faces.map((f) => faceSize(f.box))))} px < min_face ${p.minFace}`,
  yaw: (faces, p) => `median |yaw| ${Math.round(median(faces.map((f) => Math.abs(f.yaw ?? 0))))}° > max_yaw ${p.maxYaw}`,
  pitch: (faces, p) => `median |pitch| ${Math.round(median(faces.map((f) => Math.abs(f.pitch ?? 0))))}° > max_pitch ${p.maxPitch}`,
  pose: (faces, p) =>
    `median pose confidence ${median(faces.map((f) => f.poseConfidence ?? 1)).toFixed(2)} < min_pose_confidence ${p.minPoseConfidence} (turned too far to measure)`,
};

/** Why a track with no passing sample fails: the limit its faces break most often, with their median. */
export function noPassReason(sightings: readonly Sighting[], params: ScoreParams): string {
  const counts = new Map<Check, number>();
  for (const s of sightings) for (const check of s.failures) counts.set(check, (counts.get(check) ?? 0) + 1);
  // Ties go to the first in CHECK_TEXT's order: confidence, size, then pose.
  let worst: Check = 'score';
  for (const check of Object.keys(CHECK_TEXT) as Check[]) {
    if ((counts.get(check) ?? 0) > (counts.get(worst) ?? 0)) worst = check;
  }
  const failing = sightings.filter((s) => s.failures.includes(worst)).map((s) => s.face);
  return `no passing frame: ${CHECK_TEXT[worst](failing, params)}`;
}

export function tooShortReason(duration: number, params: ScoreParams): string {
  return `segment ${duration.toFixed(2)} s < min_dur ${params.minDur}`;
}
