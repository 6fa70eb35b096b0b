/** What `score` works with and writes (segments.json, docs/artifacts.md). */

import type { DetectedFace } from '../track/detections.ts';

export interface ScoreParams {
  /** Degrees: |yaw| and |pitch| limits of a passing face. */
  maxYaw: number;
  maxPitch: number;
  /** Least poseConfidence of a passing face: below it the angles cannot be trusted (docs/pose.md). */
  minPoseConfidence: number;
  /** Pixels: the shorter side of the box. */
  minFace: number;
  minDetScore: number;
  /** Share of a stretch's sampled frames in which its face must pass. */
  trackPassRatio: number;
  /** Seconds: gaps inside one track shorter than this are bridged. */
  bridgeGap: number;
  /** Seconds: stretches of one scene closer than this are fused into one segment. */
  mergeGap: number;
  minDur: number;
  maxDur: number;
}

export type Check = 'score' | 'face' | 'yaw' | 'pitch' | 'pose';

/** One sample of a track with its face and whether that face passes. */
export interface Sighting {
  t: number;
  face: DetectedFace;
  failures: Check[];
}

/** A time range of one scene, end exclusive; seconds of pts. */
export interface Span {
  start: number;
  end: number;
}

/** A bridged run of one track's passing samples. */
export interface Stretch extends Span {
  track: number;
  scene: number;
  /** The track's sightings inside the stretch, passing or not. */
  sightings: Sighting[];
}

export type TrackSighting = Sighting & { track: number };

/** A would-be segment: stretches of one scene fused, with the sightings of their tracks inside it. */
export interface Candidate extends Span {
  scene: number;
  sightings: TrackSighting[];
}

export interface SegmentScores {
  /** Samples of the segment's tracks inside it, and how many of them pass. */
  frames: number;
  passing: number;
  passRatio: number;
  medianFace: number;
  meanDetScore: number;
  meanAbsYaw: number | null;
  maxAbsYaw: number | null;
  meanAbsPitch: number | null;
  /** Cosine similarity of the best-matching track to the identity reference (identity filter only). */
  identity?: number;
}

export interface Segment extends Span {
  id: string;
  scene: number;
  tracks: number[];
  scores: SegmentScores;
}

export interface Rejection extends Span {
  track: number;
  scene: number;
  reason: string;
}
