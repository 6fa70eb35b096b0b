/**
 * A track's passing samples as stretches: runs of passing faces, joined across gaps shorter than
 * bridge_gap (a blink, a hand, a moment of profile), then held to the track gate.
 */

import type { Sighting, Stretch } from './types.ts';

/** pts carry decoder rounding; limits are compared with this slack so that 3.0 s is 3 s. */
export const TIME_EPSILON = 1e-6;

/**
 * Bridged runs of `sightings` (one track, time order). A sample stands for `step` seconds, so a
 * run ends one step after its last passing sample, and the gap to the next run is the time
 * between.
 */
export function bridgedStretches(
  track: { id: number; scene: number },
  sightings: readonly Sighting[],
  step: number,
  bridgeGap: number,
): Stretch[] {
  const spans: { start: number; lastPass: number }[] = [];
  for (const sighting of sightings) {
    if (sighting.failures.length > 0) continue;
    const current = spans[spans.length - 1];
    if (current && sighting.t - (current.lastPass + step) < bridgeGap - TIME_EPSILON) current.lastPass = sighting.t;
    else spans.push({ start: sighting.t, lastPass: sighting.t });
  }
  return spans.map(({ start, lastPass }) => {
    const end = lastPass + step;
    return {
      track: track.id,
      scene: track.scene,
      start,
      end,
      sightings: sightings.filter((s) => s.t >= start - TIME_EPSILON && s.t < end - TIME_EPSILON),
    };
  });
}

/** Share of the stretch's sampled frames (its length in steps) where its face passes. */
export function passRatio(stretch: Stretch, step: number): number {
  const frames = Math.max(1, Math.round((stretch.end - stretch.start) / step));
  return stretch.sightings.filter((s) => s.failures.length === 0).length / frames;
}

/**
 * Why the stretch fails the track gate, or null when it passes. The gate judges each stretch, not
 * the whole track: a face that starts in profile and turns frontal keeps its frontal part, while
 * a stretch bridged over many failing or missing samples is refused.
 */
export function gateFailure(stretch: Stretch, step: number, minRatio: number): string | null {
  const ratio = passRatio(stretch, step);
  return ratio < minRatio - 1e-9 ? `pass ratio ${ratio.toFixed(2)} < track_pass_ratio ${minRatio}` : null;
}
