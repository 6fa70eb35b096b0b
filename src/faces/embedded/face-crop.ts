/**
 * The square, upright face crops FaceMesh and FaceRes read: centred on the face, rotated so the
 * eyes are level (as MediaPipe's face-landmark pipeline aligns its input), the face's size scaled
 * to a fixed share of the crop.
 */

import type { Affine2D, Point } from '../types.ts';

export interface FaceFrame {
  /** Frame pixels. */
  center: Point;
  /** Side of the square frame region that becomes the crop. */
  side: number;
  /** Radians: the angle of the line from the image-left eye to the image-right eye. */
  angle: number;
}

/** Forward matrix (frame -> crop pixels) for warpAffine (src/faces/onnx/image.ts): rotate by -angle about the centre, scale side to `size`. */
export function faceCropMatrix({ center: [cx, cy], side, angle }: FaceFrame, size: number): Affine2D {
  const scale = size / side;
  const cos = Math.cos(angle) * scale;
  const sin = Math.sin(angle) * scale;
  return [cos, sin, size / 2 - (cos * cx + sin * cy), -sin, cos, size / 2 - (-sin * cx + cos * cy)];
}

/** The angle of the eye line, from the image-left eye to the image-right one. */
export function eyeLineAngle(imageLeftEye: Point, imageRightEye: Point): number {
  return Math.atan2(imageRightEye[1] - imageLeftEye[1], imageRightEye[0] - imageLeftEye[0]);
}
