/** Shared shapes of the vision layer: frames in, faces out. */

/** A decoded picture: packed rgb24, rows top to bottom, no row padding (`data.length === width * height * 3`). */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Point = [x: number, y: number];

export type Box = [x1: number, y1: number, x2: number, y2: number];

/** Where a face's yaw/pitch/roll came from: the 3D landmark model, or the estimate from the detector's 5 keypoints. */
export type PoseSource = '1k3d68' | 'kps5';

export interface Face {
  /** Frame pixel coordinates. */
  box: Box;
  detScore: number;
  /** Frame coordinates of both eyes, the nose tip and both mouth corners, eyes and corners ordered left to right as seen in the image; null for detectors without keypoints. */
  kps: Point[] | null;
  /** Degrees, insightface's conventions (see docs/pose.md). */
  yaw?: number;
  pitch?: number;
  roll?: number;
  /** 0..1: how far the angles can be trusted (docs/pose.md); low where the landmarks cannot show a profile. */
  poseConfidence?: number;
  poseSource?: PoseSource;
  /** ArcFace embedding, L2-normalised. */
  embedding?: Float32Array;
}

/** Euler angles in degrees. */
export interface Pose {
  yaw: number;
  pitch: number;
  roll: number;
}

/** Row-major 2x3 matrix mapping (x, y, 1) to (x', y'). */
export type Affine2D = [a: number, b: number, c: number, d: number, e: number, f: number];
