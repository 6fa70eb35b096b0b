/** The batch's headline numbers: how much went in, how much was accepted and cut. */
import type { CutMode } from '../media/cut.ts';
import { isOffPlan } from './delivery.ts';
import type { Totals, VideoReport } from './model.ts';
import type { ClipEntry } from '../artifacts/cut.ts';

const HOUR = 3600;

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function countByMode(clips: readonly ClipEntry[]): Record<CutMode, number> {
  const counts: Record<CutMode, number> = { copy: 0, smart: 0, reencode: 0 };
  for (const clip of clips) if (clip.mode) counts[clip.mode]++;
  return counts;
}

export function computeTotals(videos: readonly VideoReport[]): Totals {
  const segments = videos.flatMap((video) => video.segments);
  const clips = videos.flatMap((video) => video.clips.clips);
  const written = clips.filter((clip) => !clip.skipped);
  const inputSeconds = sum(videos.map((video) => video.durationSec));
  const acceptedSeconds = sum(segments.map((segment) => segment.end - segment.start));
  const sampled = videos.map((video) => video.sampledFrames);
  return {
    videos: videos.length,
    inputHours: inputSeconds / HOUR,
    sampledFrames: sampled.some((frames) => frames === null) ? null : sum(sampled as number[]),
    tracks: sum(videos.map((video) => video.tracks.length)),
    acceptedTracks: sum(videos.map((video) => new Set(video.segments.flatMap((segment) => segment.tracks)).size)),
    segments: segments.length,
    crossTrackMerges: sum(segments.map((segment) => Math.max(0, segment.tracks.length - 1))),
    acceptedHours: acceptedSeconds / HOUR,
    cutHours: sum(written.map((clip) => clip.end - clip.start)) / HOUR,
    acceptanceRate: inputSeconds > 0 ? acceptedSeconds / inputSeconds : null,
    clips: written.length,
    skipped: clips.length - written.length,
    reencodeFallbacks: clips.filter((clip) => clip.fallback).length,
    clipsByMode: countByMode(written),
    reencodedSeconds: sum(written.map((clip) => clip.reencodedSeconds)),
    offPlan: written.filter(isOffPlan).length,
    outputBytes: sum(written.map((clip) => clip.bytes)),
  };
}
