/**
 * Scoring of one video: tracks -> per-frame pass/fail -> bridged stretches -> track gate ->
 * cross-track merge inside a scene -> clamp to the scene -> duration bounds -> segments, and a
 * reason for every track that ends up in none. docs/scoring.md tells the whole story.
 */

import type { Scene } from '../media/scene-cuts.ts';
import type { Sample } from '../track/detections.ts';
import type { Track } from '../track/types.ts';
import { faceFailures } from './face-check.ts';
import { identityVerdict, type IdentityFilter } from './identity-match.ts';
import { mergeStretches } from './merge.ts';
import { noPassReason, tooShortReason } from './reasons.ts';
import { segmentScores } from './scores.ts';
import { splitLong, splitProblem } from './split.ts';
import { bridgedStretches, gateFailure, TIME_EPSILON } from './stretches.ts';
import type { Candidate, Rejection, ScoreParams, Segment, Sighting, Span, Stretch } from './types.ts';
import { segmentId } from './uuid5.ts';

export interface ScoreInput {
  samples: readonly Sample[];
  tracks: readonly Track[];
  scenes: readonly Scene[];
  /** Where the video has no picture (scenes.json's gaps). */
  gaps: readonly Span[];
  /** Seconds one sample stands for. */
  step: number;
  /** Content hash of the video: with the time range, it names each segment. */
  itemHash: string;
  identity: IdentityFilter | null;
}

export interface ScoreResult {
  segments: Segment[];
  rejected: Rejection[];
}

/** Segment times are written in milliseconds, and the id is made from the written times. */
const roundMs = (t: number) => Math.round(t * 1000) / 1000;

function trackSightings(track: Track, byTime: ReadonlyMap<number, Sample>, params: ScoreParams): Sighting[] {
  return track.samples.map(({ t, face }) => {
    const detected = byTime.get(t)?.faces?.[face];
    if (!detected) throw new Error(`track ${track.id} names face ${face} at ${t} s, which detections.jsonl does not have`);
    return { t, face: detected, failures: faceFailures(detected, params) };
  });
}

/** Why each track was dropped, longest stretch first, so the reason given is the one that mattered most. */
class Reasons {
  private readonly byTrack = new Map<number, { duration: number; reason: string }[]>();

  note(track: number, duration: number, reason: string): void {
    let list = this.byTrack.get(track);
    if (!list) this.byTrack.set(track, (list = []));
    list.push({ duration, reason });
  }

  reasonFor(track: number): string {
    const list = this.byTrack.get(track) ?? [];
    const longest = list.reduce<{ duration: number; reason: string } | null>((a, b) => (a && a.duration >= b.duration ? a : b), null);
    // Only a track seen solely at the sample where a long segment was split has no note.
    return longest?.reason ?? 'left out where a long segment was split';
  }
}

function clampToScene(candidate: Candidate, scene: Scene | undefined): Candidate {
  if (!scene) return candidate;
  return { ...candidate, start: Math.max(candidate.start, scene.start), end: Math.min(candidate.end, scene.end) };
}

/**
 * A span held to where the video has pictures. A sample stands for a step, so a span ending one
 * step past its last sample may end inside a gap (a stretch cut out of a variable-frame-rate
 * video), where no frame is for a clip to hold: it ends where the gap starts. A split's second
 * part, starting a step past its split sample, starts where the gap ends.
 */
function clampToPictures<S extends Span>(span: S, gaps: readonly Span[]): S {
  let { start, end } = span;
  for (const gap of gaps) {
    if (start > gap.start - TIME_EPSILON && start < gap.end - TIME_EPSILON) start = gap.end;
    if (end > gap.start + TIME_EPSILON && end < gap.end + TIME_EPSILON) end = gap.start;
  }
  return start === span.start && end === span.end ? span : { ...span, start, end };
}

export function scoreVideo(input: ScoreInput, params: ScoreParams): ScoreResult {
  const unsplittable = splitProblem(input.step, params);
  if (unsplittable !== undefined) throw new Error(unsplittable);
  const byTime = new Map(input.samples.map((s) => [s.t, s]));
  const scenes = new Map(input.scenes.map((s) => [s.index, s]));
  const reasons = new Reasons();
  const identity = new Map<number, number>();
  const stretches: Stretch[] = [];

  for (const track of input.tracks) {
    const sightings = trackSightings(track, byTime, params);
    const trackDuration = track.end + input.step - track.start;
    if (input.identity) {
      const verdict = identityVerdict(sightings, input.identity);
      identity.set(track.id, verdict.similarity);
      if (verdict.reason) {
        reasons.note(track.id, trackDuration, verdict.reason);
        continue;
      }
    }
    const bridged = bridgedStretches(track, sightings, input.step, params.bridgeGap);
    if (bridged.length === 0) reasons.note(track.id, trackDuration, noPassReason(sightings, params));
    for (const stretch of bridged) {
      const failure = gateFailure(stretch, input.step, params.trackPassRatio);
      if (failure) reasons.note(track.id, stretch.end - stretch.start, failure);
      else stretches.push(stretch);
    }
  }

  const segments: Segment[] = [];
  for (const merged of mergeStretches(stretches, params.mergeGap)) {
    for (const split of splitLong(clampToScene(merged, scenes.get(merged.scene)), input.step, params)) {
      const part = clampToPictures(split, input.gaps);
      const tracks = [...new Set(part.sightings.map((s) => s.track))].sort((a, b) => a - b);
      const duration = part.end - part.start;
      if (duration < params.minDur - TIME_EPSILON) {
        for (const track of tracks) reasons.note(track, duration, tooShortReason(duration, params));
        continue;
      }
      const start = roundMs(part.start);
      const end = roundMs(part.end);
      const scores = segmentScores(part.sightings);
      if (input.identity) scores.identity = roundMs(Math.max(...tracks.map((t) => identity.get(t) ?? 0)));
      segments.push({ id: segmentId(input.itemHash, start, end), start, end, scene: part.scene, tracks, scores });
    }
  }

  const used = new Set(segments.flatMap((s) => s.tracks));
  const rejected = input.tracks
    .filter((track) => !used.has(track.id))
    .map((track): Rejection => {
      const sceneEnd = scenes.get(track.scene)?.end ?? Infinity;
      const { start, end } = clampToPictures({ start: track.start, end: Math.min(track.end + input.step, sceneEnd) }, input.gaps);
      return { track: track.id, scene: track.scene, start: roundMs(start), end: roundMs(end), reason: reasons.reasonFor(track.id) };
    });
  return { segments, rejected };
}
