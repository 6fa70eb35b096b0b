/**
 * The sample grid of detect and how a resumed run finds its place on it.
 *
 * Frames are picked by the decoder's `fps` sampling (src/media/decode.ts): the first frame in each
 * interval [k/fps, (k+1)/fps) of the file's timeline. Its select filter decides from two values
 * only, the frame's pts and the pts of the last frame it selected. A resumed decode therefore
 * starts exactly at the last journalled frame: the decoder selects that frame first (nothing
 * before it passes the trim), holds the same "last selected" pts as the interrupted run did, and
 * from there selects the very same frames. That frame is already in the journal and is dropped.
 * Starting anywhere else (e.g. at the next interval boundary) would depend on float rounding at
 * the boundary and could pick a different frame.
 *
 * `i` counts intervals from the first frame's: for a file whose first frame is at pts 0 (most),
 * sample k is the first frame at or after k/fps, as docs/artifacts.md defines; an interval with
 * no frame (variable frame rate) leaves a gap in `i` rather than repeating a frame.
 */

export interface SamplePosition {
  t: number;
  i: number;
}

/** Where a resumed decode starts, and what the next line's index is relative to. */
export interface ResumePoint {
  /** pts of the last journalled frame: the decode starts there and drops that frame. */
  start: number;
  /** pts of the first sampled frame (line 0), the origin of `i`. */
  firstTime: number;
  /** Index of the last journalled line. */
  lastIndex: number;
}

export function resumePoint(existing: readonly SamplePosition[]): ResumePoint | null {
  const first = existing[0];
  const last = existing.at(-1);
  if (!first || !last) return null;
  return { start: last.t, firstTime: first.t, lastIndex: last.i };
}

function interval(time: number, fps: number): number {
  // Times are whole microseconds (the decoder's resolution); the epsilon keeps a frame that sits
  // exactly on a boundary, e.g. t = 0.5 at 2 fps, in the interval it starts.
  return Math.floor(time * fps + 1e-9);
}

/**
 * Numbers sampled frames: the interval of `time` counted from the first frame's, and never less
 * than one past the previous index, so that indices stay strictly increasing even where float
 * rounding puts two selected frames in the same interval.
 */
export function sampleIndex(time: number, firstTime: number, fps: number, previous: number | null): number {
  const index = interval(time, fps) - interval(firstTime, fps);
  return previous === null ? index : Math.max(index, previous + 1);
}

/** Samples expected in a video of this duration, for progress; the last interval may be partial. */
export function expectedSamples(durationSec: number, fps: number): number {
  return Math.max(1, Math.ceil(durationSec * fps));
}
