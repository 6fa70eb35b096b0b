/**
 * Duration bounds. A candidate longer than max_dur is split, not rejected: a 5-minute interview
 * is a good source of clips, only too long for one. It is split at its weakest sample (no passing
 * face, else the least frontal one; the middle one among equals), which is left out of both
 * parts, and each part at least min_dur long; parts still too long are split again.
 */

import { faceComfort } from './face-check.ts';
import { TIME_EPSILON } from './stretches.ts';
import type { Candidate, ScoreParams } from './types.ts';

function within(candidate: Candidate, start: number, end: number): Candidate {
  return {
    scene: candidate.scene,
    start,
    end,
    sightings: candidate.sightings.filter((s) => s.t >= start - TIME_EPSILON && s.t < end - TIME_EPSILON),
  };
}

/** Comfort of the best face at the sample nearest `t`, -1 when no sighting is there (a bridged gap). */
function comfortAt(candidate: Candidate, t: number, step: number, params: ScoreParams): number {
  let best = -1;
  for (const s of candidate.sightings) {
    if (Math.abs(s.t - t) < step / 2) best = Math.max(best, faceComfort(s.face, s.failures, params));
  }
  return best;
}

/** The sample time to split at: weakest first, then nearest the middle; null when no sample leaves two long enough parts. */
function weakestSample(candidate: Candidate, step: number, params: ScoreParams): number | null {
  const middle = (candidate.start + candidate.end) / 2;
  let best: { t: number; comfort: number } | null = null;
  for (let k = 1; candidate.start + k * step < candidate.end - TIME_EPSILON; k++) {
    const t = candidate.start + k * step;
    if (t - candidate.start < params.minDur - TIME_EPSILON || candidate.end - (t + step) < params.minDur - TIME_EPSILON) continue;
    const comfort = comfortAt(candidate, t, step, params);
    if (!best || comfort < best.comfort || (comfort === best.comfort && Math.abs(t - middle) < Math.abs(best.t - middle))) {
      best = { t, comfort };
    }
  }
  return best?.t ?? null;
}

/** Why some candidate longer than max_dur could not be split into parts of at least min_dur, or undefined. */
export function splitProblem(step: number, params: Pick<ScoreParams, 'minDur' | 'maxDur'>): string | undefined {
  const least = 2 * params.minDur + 2 * step;
  if (params.maxDur >= least - TIME_EPSILON) return undefined;
  return (
    `max_dur ${params.maxDur} s is too short to split long segments into parts of min_dur ${params.minDur} s ` +
    `(it must be at least 2 x min_dur + 2 samples = ${Number(least.toFixed(2))} s)`
  );
}

/** Parts of `candidate` no longer than max_dur (the candidate itself when it already is). */
export function splitLong(candidate: Candidate, step: number, params: ScoreParams): Candidate[] {
  if (candidate.end - candidate.start <= params.maxDur + TIME_EPSILON) return [candidate];
  const t = weakestSample(candidate, step, params);
  // Cannot happen with max_dur >= 2 x min_dur + 2 steps, which scoring checks first.
  if (t === null) throw new Error(`cannot split ${candidate.start}-${candidate.end} s into parts of min_dur..max_dur`);
  return [
    ...splitLong(within(candidate, candidate.start, t), step, params),
    ...splitLong(within(candidate, t + step, candidate.end), step, params),
  ];
}
