/**
 * Stretches of one scene closer than merge_gap fused into one candidate segment: a tracker that
 * lost a face and found it again as a new track, or two people in one shot, give one clip.
 */

import { TIME_EPSILON } from './stretches.ts';
import type { Candidate, Stretch } from './types.ts';

function withTrack(stretch: Stretch): Candidate {
  return {
    scene: stretch.scene,
    start: stretch.start,
    end: stretch.end,
    sightings: stretch.sightings.map((s) => ({ ...s, track: stretch.track })),
  };
}

/**
 * Candidates in time order. Only stretches of one scene are fused, so no candidate crosses a cut;
 * overlapping stretches (two faces at once) are fused like close ones.
 */
export function mergeStretches(stretches: readonly Stretch[], mergeGap: number): Candidate[] {
  const sorted = [...stretches].sort((a, b) => a.scene - b.scene || a.start - b.start || a.track - b.track);
  const merged: Candidate[] = [];
  for (const stretch of sorted) {
    const last = merged[merged.length - 1];
    if (last && last.scene === stretch.scene && stretch.start - last.end < mergeGap - TIME_EPSILON) {
      last.end = Math.max(last.end, stretch.end);
      for (const s of withTrack(stretch).sightings) last.sightings.push(s);
    } else {
      merged.push(withTrack(stretch));
    }
  }
  for (const candidate of merged) candidate.sightings.sort((a, b) => a.t - b.t || a.track - b.track);
  return merged;
}
