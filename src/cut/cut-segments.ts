/**
 * Cuts a video's segments with one cutClips pass, then re-encodes only the clips a stream copy
 * cannot produce. Stream copy starts at a keyframe, and many real files have one keyframe in
 * minutes (several corpus videos have a single one at 0): a user who asked for clips expects the
 * clip, not a `skipped` line, so such a clip falls back to an accurate (re-encoded) cut.
 */
import { cutClips, type ClipRequest, type CutClip } from '../media/cut.ts';

export type CutMode = 'copy' | 'reencode';

export interface CutSegment extends CutClip {
  /** How the written clip was made; absent when skipped. */
  mode?: CutMode;
  /** Why a clip was re-encoded although stream copy was asked for. */
  fallback?: string;
}

export interface CutSegmentsOptions {
  accurate: boolean;
  crf: number;
  keyframes: number[];
  signal?: AbortSignal;
}

export async function cutSegments(source: string, requests: ClipRequest[], outDir: string, opts: CutSegmentsOptions): Promise<CutSegment[]> {
  const { accurate, crf, keyframes, signal } = opts;
  const first = await cutClips(source, requests, outDir, { accurate, crf, keyframes, signal });
  const firstMode: CutMode = accurate ? 'reencode' : 'copy';
  // Only the no-keyframe case is retried: an empty or frameless range fails the same way re-encoded.
  const retry = accurate ? [] : first.filter((clip) => clip.skipped && /no keyframe/.test(clip.skipped));
  const retried = new Map<string, CutClip>();
  if (retry.length > 0) {
    const again = await cutClips(source, retry.map(({ id, requestedStart, requestedEnd }) => ({ id, start: requestedStart, end: requestedEnd })), outDir, {
      accurate: true,
      crf,
      signal,
    });
    again.forEach((clip) => retried.set(clip.id, clip));
  }
  return first.map((clip): CutSegment => {
    const second = retried.get(clip.id);
    if (second) return second.skipped ? second : { ...second, mode: 'reencode', fallback: clip.skipped };
    return clip.skipped ? clip : { ...clip, mode: firstMode };
  });
}
