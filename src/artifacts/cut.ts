/**
 * `clips.json`, what the cut rule writes beside a video's clips. Like every artifact it names no
 * source file (a renamed video reuses it): the source is its content hash, which plan.json and
 * the sidecars (src/cut/sidecar.ts) map back to a path.
 */
import type { CutClip, CutMode } from '../media/cut.ts';
import type { X264Preset } from '../media/head-encoders.ts';
import type { Segment, SegmentScores } from '../score/types.ts';

export const CLIPS_FILE = 'clips.json';

export interface CutParams {
  /** How clips are cut: `smart` (re-encode up to the first keyframe, copy the rest), `copy`, `reencode`. */
  cutMode: CutMode;
  crf: number;
  /**
   * x264's preset for re-encoded H.264 frames; absent at the default (`fast`), which every clip
   * cut before the preset could be chosen was made with, so their records stay as they were.
   */
  x264Preset?: X264Preset;
}

/**
 * One clip as cut (times on the source's timeline: the requested span, the delivered one, how it
 * was made), with the segment it came from.
 */
export interface ClipEntry extends Omit<CutClip, 'file'> {
  /** File name inside the video's clip folder; '' when skipped. */
  file: string;
  scene: number;
  tracks: number[];
  scores: SegmentScores;
  bytes: number;
}

export interface ClipsFile {
  /** Content hash of the source video (what the clip UUIDs were derived from). */
  sourceHash: string;
  /** The vbuild version that cut the clips. */
  vbuildVersion: string;
  cutParams: CutParams;
  /**
   * Hash of what decides the clips' bytes besides their spans (src/cut/reuse.ts): the next cut of
   * the video keeps the clips it asks for again when it is the same. Absent in files written
   * before vbuild kept clips.
   */
  cutInputs?: string;
  clips: ClipEntry[];
}

export function parseClipsFile(text: string): ClipsFile {
  const parsed = JSON.parse(text) as ClipsFile;
  if (!Array.isArray(parsed.clips) || typeof parsed.sourceHash !== 'string') throw new Error(`${CLIPS_FILE}: not a clips file`);
  return parsed;
}
