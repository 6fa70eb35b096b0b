/**
 * The face-analysis layer's contract: frames in, faces out. Both model families (insightface packs,
 * src/faces/insightface; the embedded pack, src/faces/embedded) implement `FaceAnalyzer`; detect's
 * worker and the identity filter use only this type.
 */

import type { DeviceNotice } from './onnx/session.ts';
import type { Provider } from './onnx/devices.ts';

/** A decoded picture: packed rgb24, rows top to bottom, no row padding (`data.length === width * height * 3`). */
export interface RgbFrame {
  width: number;
  height: number;
  data: Uint8Array;
}

export type Point = [x: number, y: number];

export type Box = [x1: number, y1: number, x2: number, y2: number];

/**
 * What a face's yaw/pitch/roll were fitted to (docs/pose.md): FaceMesh's 468 points (the embedded
 * pack), insightface's 68 3D landmarks, or the detector's 5 keypoints. The same words are
 * detections.jsonl's `pose` field.
 */
export type PoseOrigin = 'mesh' | '1k3d68' | 'kps5';

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
  poseOrigin?: PoseOrigin;
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

/** What runs a model pack over frames. */
export interface FaceAnalyzer<F extends Face = Face> {
  /** Execution provider running the detector. */
  readonly provider: Provider;
  /** Why the requested device is not the one in use, each reason once; for the CLI to print. */
  readonly notices: readonly DeviceNotice[];
  /** Options a model could not honour. */
  readonly notes: readonly string[];
  /** What faces' poses are fitted to; null when the pack gives no way (a detector without keypoints and no landmark model). */
  readonly poseOrigin: PoseOrigin | null;
  /** Faces per frame, in frame pixel coordinates, best detection score first. */
  detect(frames: readonly RgbFrame[]): Promise<F[][]>;
}
