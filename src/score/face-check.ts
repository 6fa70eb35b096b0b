/** Whether one detected face is inside the working envelope of face-swap models (DESIGN.md's limits). */

import type { DetectedFace } from '../track/detections.ts';
import { faceSize } from '../track/geometry.ts';
import type { Check, ScoreParams } from './types.ts';

/**
 * The limits `face` breaks, empty when it passes. A face whose angles the landmarks cannot measure
 * (a profile, docs/pose.md) fails the pose gate whatever they read. A face without any pose (a
 * detector without keypoints, in a pack without a landmark model) is judged on what is known:
 * the pose checks cannot fail it.
 */
export function faceFailures(face: DetectedFace, params: ScoreParams): Check[] {
  const failures: Check[] = [];
  if (face.score < params.minDetScore) failures.push('score');
  if (faceSize(face.box) < params.minFace) failures.push('face');
  if (face.yaw !== null && Math.abs(face.yaw) > params.maxYaw) failures.push('yaw');
  if (face.pitch !== null && Math.abs(face.pitch) > params.maxPitch) failures.push('pitch');
  if (face.poseConfidence != null && face.poseConfidence < params.minPoseConfidence) failures.push('pose');
  return failures;
}

/**
 * How comfortably a face passes: 1 for a perfectly frontal one, towards 0 at the pose limits, -1
 * for a failing face. Where a long segment is split, it is split at its least comfortable sample.
 */
export function faceComfort(face: DetectedFace, failures: readonly Check[], params: ScoreParams): number {
  if (failures.length > 0) return -1;
  const yaw = face.yaw === null ? 0 : Math.abs(face.yaw) / params.maxYaw;
  const pitch = face.pitch === null ? 0 : Math.abs(face.pitch) / params.maxPitch;
  return 1 - Math.max(yaw, pitch);
}
