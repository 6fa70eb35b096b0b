/**
 * From a landmark model's fitted rotation to the head's real angles, and how far the reading can
 * be trusted (docs/pose.md). A landmark model that rarely saw profiles in training places the
 * landmarks of a turned face as if it were turned less: the rigid fit of its points reads a real
 * profile as `saturation` degrees at most. The correction inverts that compression,
 * sin(fitted) = sin(real) · sin(saturation), for the two out-of-plane angles (yaw, pitch); roll is
 * in the image plane and is not compressed.
 */

import { rotationToPose, type Mat3 } from './pose-math.ts';
import type { Pose } from '../types.ts';

export interface PoseReading extends Pose {
  /**
   * 0..1: the share of a small landmark error that stays a small angle error once corrected.
   * 1 at a frontal face; near the model's saturation a landmark error of a degree or two becomes
   * tens of degrees, and the angle only says "strongly turned". 0.5 is about 75° for FaceMesh.
   */
  poseConfidence: number;
}

/** Degrees: the largest out-of-plane angle a source's fit reads on a real profile. 90 = no compression. */
export type Saturation = number;

const RADIANS = Math.PI / 180;

export function calibratedPose(rotation: Mat3, saturation: Saturation): PoseReading {
  const fitted = rotationToPose(rotation);
  return { ...calibratedAngles(fitted.yaw, fitted.pitch, saturation), roll: fitted.roll };
}

/** The correction of a fitted yaw and pitch, and the confidence of the result (see calibratedPose). */
export function calibratedAngles(fittedYaw: number, fittedPitch: number, saturation: Saturation): Omit<PoseReading, 'roll'> {
  const yaw = corrected(fittedYaw, saturation);
  const pitch = corrected(fittedPitch, saturation);
  return { yaw, pitch, poseConfidence: Math.min(confidence(fittedYaw, yaw), confidence(fittedPitch, pitch)) };
}

function corrected(fitted: number, saturation: Saturation): number {
  const sine = Math.sin(fitted * RADIANS) / Math.sin(saturation * RADIANS);
  return Math.asin(Math.max(-1, Math.min(1, sine))) / RADIANS;
}

/** The reciprocal of d(real)/d(fitted), relative to its frontal value: cos(real) / cos(fitted). */
function confidence(fitted: number, real: number): number {
  return Math.max(0, Math.min(1, Math.cos(real * RADIANS) / Math.cos(fitted * RADIANS)));
}
