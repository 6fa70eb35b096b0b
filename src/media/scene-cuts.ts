/**
 * Shot boundaries from per-frame content scores (scene-scores.ts), by the AdaptiveDetector
 * method: a frame starts a new shot when its score stands out from the scores of its neighbours
 * (ratio to their mean >= adaptive threshold) and is large in absolute terms (>= min content
 * value), at least min scene length frames after the previous boundary. Pure and cheap: changing
 * a threshold re-runs this, never the decode.
 */
import { toMicroseconds, typicalFrameInterval } from './frame-times.ts';
import { contentValue, FLASH_FRAMES, type FrameScore } from './scene-scores.ts';

/** The thresholds that find shot boundaries (the scenes rule's params; the cut rule's encoder settings are CutParams). */
export interface ShotParams {
  /** A frame's score over the mean of its neighbours' must reach this. */
  adaptiveThreshold: number;
  /** Neighbours on each side that form the mean. */
  windowWidth: number;
  /** The frame's own score must reach this (0-255 scale). */
  minContentVal: number;
  /** Frames from the start of the video, or from the previous cut, before a cut may follow. */
  minSceneLen: number;
}

export const DEFAULT_SHOT_PARAMS: Readonly<ShotParams> = {
  adaptiveThreshold: 3,
  windowWidth: 2,
  minContentVal: 15,
  minSceneLen: 15,
};

/** Stands in for an infinite ratio when the neighbours did not change at all. */
const MAX_RATIO = 255;

export interface Scene {
  index: number;
  /** pts of the shot's first frame, seconds. */
  start: number;
  /** End of the shot's last frame (the next shot's start, or the end of the video), seconds. */
  end: number;
  firstFrame: number;
  /** Exclusive. */
  endFrame: number;
}

/**
 * Ratio of each frame's score to the mean score of up to `windowWidth` frames on each side.
 * Near either end of the video the window holds the neighbours that exist. Frame 0 has no
 * previous frame, so no score: it is neither a candidate nor a neighbour.
 */
export function adaptiveRatios(scores: readonly number[], windowWidth: number): number[] {
  return scores.map((score, i) => {
    if (i === 0) return 0;
    let sum = 0;
    let count = 0;
    for (let j = Math.max(1, i - windowWidth); j <= Math.min(scores.length - 1, i + windowWidth); j++) {
      if (j === i) continue;
      sum += scores[j]!;
      count++;
    }
    if (count === 0) return 0;
    const mean = sum / count;
    return mean > 0 ? Math.min(score / mean, MAX_RATIO) : score > 0 ? MAX_RATIO : 0;
  });
}

/**
 * Whether the change into frame `at` is a flash: within FLASH_FRAMES the picture comes back to
 * what it was. That is, some frame before the change and some frame after it match each other:
 * their distance would pass for no cut (below min content value) and is at most 1 / adaptive
 * threshold of the change. Covers both the onset of a flash and the return from it.
 */
export function isFlash(frames: readonly FrameScore[], at: number, params: ShotParams): boolean {
  const match = Math.min(params.minContentVal, contentValue(frames[at]!) / params.adaptiveThreshold);
  for (let after = at; after <= Math.min(frames.length - 1, at + FLASH_FRAMES); after++) {
    const back = frames[after]!.back;
    // back[k] is the distance from `after` to the frame k + 2 before it.
    for (let k = 0; k < back.length; k++) {
      const before = after - (k + 2);
      if (before >= at - 1 - FLASH_FRAMES && before <= at - 1 && back[k]! < match) return true;
    }
  }
  return false;
}

/** Frame indices of the first frames of new shots (never 0). */
export function findCuts(frames: readonly FrameScore[], params: ShotParams = DEFAULT_SHOT_PARAMS): number[] {
  const scores = frames.map(contentValue);
  const ratios = adaptiveRatios(scores, params.windowWidth);
  const cuts: number[] = [];
  let previousCut = 0;
  for (let i = 1; i < frames.length; i++) {
    if (i - previousCut < params.minSceneLen) continue;
    if (scores[i]! < params.minContentVal || ratios[i]! < params.adaptiveThreshold) continue;
    if (isFlash(frames, i, params)) continue;
    cuts.push(i);
    previousCut = i;
  }
  return cuts;
}

/** Splits the frames at the cuts into scenes that cover the whole video on its pts timeline. */
export function scenesFromCuts(times: readonly number[], cuts: readonly number[]): Scene[] {
  if (times.length === 0) return [];
  const end = toMicroseconds(times[times.length - 1]! + typicalFrameInterval(times));
  const starts = [0, ...cuts];
  return starts.map((firstFrame, index) => {
    const endFrame = starts[index + 1] ?? times.length;
    return {
      index,
      start: times[firstFrame]!,
      end: endFrame < times.length ? times[endFrame]! : end,
      firstFrame,
      endFrame,
    };
  });
}

export interface CutMatch {
  matched: number;
  /** Found cuts with no true cut within the tolerance. */
  falseCuts: number[];
  /** True cuts that no found cut matched. */
  missed: number[];
}

/**
 * Scores found cut times against true ones: each true cut matches at most one found cut within
 * `tolerance` seconds, the closest first, so that two detections of one cut count one false.
 */
export function matchCuts(found: readonly number[], truth: readonly number[], tolerance: number): CutMatch {
  const pairs = found
    .flatMap((f, fi) => truth.map((t, ti) => ({ fi, ti, distance: Math.abs(f - t) })))
    .filter((pair) => pair.distance <= tolerance)
    .sort((a, b) => a.distance - b.distance);
  const usedFound = new Set<number>();
  const usedTruth = new Set<number>();
  for (const { fi, ti } of pairs) {
    if (usedFound.has(fi) || usedTruth.has(ti)) continue;
    usedFound.add(fi);
    usedTruth.add(ti);
  }
  return {
    matched: usedFound.size,
    falseCuts: found.filter((_, fi) => !usedFound.has(fi)),
    missed: truth.filter((_, ti) => !usedTruth.has(ti)),
  };
}
