/**
 * `clips.json`, what the cut rule writes beside a video's clips, and the optional per-clip
 * sidecar. Like every artifact it names no source file (a renamed video reuses it): the source
 * is its content hash, which plan.json maps back to a path.
 */
import type { CutSegment } from './cut-segments.ts';
import type { Segment, SegmentScores } from '../score/types.ts';

export const CLIPS_FILE = 'clips.json';

export interface CutParams {
  accurate: boolean;
  crf: number;
  sidecar: boolean;
}

/** One clip as cut (times on the source's timeline), with the segment it came from. */
export interface ClipEntry extends CutSegment {
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
  cutParams: CutParams;
  clips: ClipEntry[];
}

/** One clip's sidecar: everything known about where it came from. */
export interface Sidecar extends ClipEntry {
  sourceHash: string;
  source: Record<string, unknown>;
  cutParams: CutParams;
}

export function clipEntry(segment: Segment, cut: CutSegment, fileName: string, bytes: number): ClipEntry {
  const { id, scene, tracks, scores } = segment;
  const { requestedStart, requestedEnd, start, end, mode, fallback, skipped } = cut;
  return {
    id,
    file: fileName,
    requestedStart,
    requestedEnd,
    start,
    end,
    scene,
    tracks,
    scores,
    ...(mode && { mode }),
    ...(fallback && { fallback }),
    ...(skipped && { skipped }),
    bytes,
  };
}

export function parseClipsFile(text: string): ClipsFile {
  const parsed = JSON.parse(text) as ClipsFile;
  if (!Array.isArray(parsed.clips) || typeof parsed.sourceHash !== 'string') throw new Error(`${CLIPS_FILE}: not a clips file`);
  return parsed;
}
