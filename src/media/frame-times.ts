/**
 * What a video's frame times say about its timeline: how long a frame typically lasts, and where
 * the pictures stop for a while (a stretch cut out with `select`, a recorder's pause). Shared by
 * shot detection, which records the gaps, and cutting, which must not let a clip's last frame run
 * on into one.
 */

/** A stretch of the timeline, end exclusive; pts seconds. */
export interface TimeSpan {
  start: number;
  end: number;
}

/**
 * How long a frame is typically shown. Frame pts carry no duration; the median interval is robust
 * to the odd irregular frame of variable-frame-rate files.
 */
export function typicalFrameInterval(times: readonly number[]): number {
  const intervals = times.slice(1).map((t, i) => t - times[i]!).filter((d) => d > 0);
  if (intervals.length === 0) return 0;
  intervals.sort((a, b) => a - b);
  return intervals[Math.floor(intervals.length / 2)]!;
}

/** A frame followed by the next only this much later is followed by a gap: 10 typical frames, and half a second. */
export function gapThreshold(typicalInterval: number): number {
  return Math.max(0.5, 10 * typicalInterval);
}

/** Decoders give pts in whole microseconds; times computed from them stay on that grid. */
export const toMicroseconds = (t: number) => Math.round(t * 1e6) / 1e6;

/**
 * The gaps between `times` (ascending frame pts): each from the end of the frame before it, which
 * lasts a typical frame, to the next frame.
 */
export function frameGaps(times: readonly number[]): TimeSpan[] {
  const typical = typicalFrameInterval(times);
  const threshold = gapThreshold(typical);
  const gaps: TimeSpan[] = [];
  for (let i = 1; i < times.length; i++) {
    const [before, after] = [times[i - 1]!, times[i]!];
    if (after - before > threshold) gaps.push({ start: toMicroseconds(before + typical), end: after });
  }
  return gaps;
}
