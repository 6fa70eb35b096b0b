/**
 * What the report rule gathers from upstream artifacts for each video, and the plan.json it
 * writes. The renderer modules beside this one are pure functions of these types.
 */
import type { CutMode } from '../media/cut.ts';
import type { Rejection, Segment } from '../score/types.ts';
import type { Scene } from '../media/scene-cuts.ts';
import type { Track } from '../track/types.ts';
import type { ClipEntry, ClipsFile } from '../artifacts/cut.ts';

export type SceneSpan = Pick<Scene, 'index' | 'start' | 'end'>;
export type TrackSpan = Pick<Track, 'id' | 'scene' | 'start' | 'end'>;

export interface VideoReport {
  /** Item id: the source's path under the input root. */
  source: string;
  /** Where its clips are published, relative to the output folder. */
  clipFolder: string;
  durationSec: number;
  scenes: SceneSpan[];
  tracks: TrackSpan[];
  segments: Segment[];
  rejected: Rejection[];
  clips: ClipsFile;
  /** The params score ran with (segments.json). */
  scoreParams: Record<string, number | string>;
  /** Frames the detector analysed; null when detect did not report it. */
  sampledFrames: number | null;
}

export interface PlanClip extends Omit<ClipEntry, 'file' | 'bytes'> {
  /** The clip relative to the output folder; null when it was skipped. */
  file: string | null;
  /** The source relative to the input root. */
  source: string;
  sourceHash: string;
  duration: number;
  bytes: number;
  /** The delivered span starts or ends more than a frame away from the planned one (false when skipped). */
  offPlan: boolean;
}

export interface Totals {
  videos: number;
  inputHours: number;
  /** null when some video's detector did not say. */
  sampledFrames: number | null;
  tracks: number;
  acceptedTracks: number;
  segments: number;
  /** Tracks fused into another track's segment: a segment of n tracks counts n - 1. */
  crossTrackMerges: number;
  /** Planned (requested) segment time. */
  acceptedHours: number;
  /** Time delivered in clips (their actual spans, which may differ from the plan). */
  cutHours: number;
  /** acceptedHours / inputHours; null for no input. */
  acceptanceRate: number | null;
  clips: number;
  skipped: number;
  /** Clips made another way than the cut mode asked (they name a `fallback`). */
  reencodeFallbacks: number;
  /** Written clips by how they were made. */
  clipsByMode: Record<CutMode, number>;
  /** Seconds of the written clips that were re-encoded rather than copied. */
  reencodedSeconds: number;
  /** Written clips whose delivered span is more than a frame off the plan. */
  offPlan: number;
  outputBytes: number;
}
