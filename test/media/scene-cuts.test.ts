import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SHOT_PARAMS,
  adaptiveRatios,
  findCuts,
  isFlash,
  matchCuts,
  scenesFromCuts,
} from '../../src/media/scene-cuts.ts';
import { frameGaps, typicalFrameInterval } from '../../src/media/frame-times.ts';
import { FLASH_FRAMES, type FrameScore } from '../../src/media/scene-scores.ts';

const FPS = 25;

/**
 * Frame scores of a synthetic video whose frames are points on a line: `positions[i]` is frame
 * i's content, and the distance between two frames is how far apart their positions are. A cut
 * is a jump; a flash is a jump that comes back.
 */
function framesAt(positions: readonly number[], start = 0): FrameScore[] {
  return positions.map((position, i) => {
    const distance = (j: number) => Math.abs(position - positions[j]!);
    const change = i === 0 ? 0 : distance(i - 1);
    const back: number[] = [];
    for (let lag = 2; lag <= FLASH_FRAMES + 1 && i - lag >= 0; lag++) back.push(distance(i - lag));
    // contentValue averages three channels: put the whole change in each so that it equals `change`.
    return { time: start + i / FPS, hue: change, sat: change, lum: change, back };
  });
}

/** Slow drift (1 per frame) with a jump of `size` before each frame in `jumps`. */
function drift(length: number, jumps: Record<number, number>): number[] {
  const positions: number[] = [];
  for (let i = 0, at = 0; i < length; i++) positions.push((at += (i === 0 ? 0 : 1) + (jumps[i] ?? 0)));
  return positions;
}

describe('adaptiveRatios', () => {
  it("divides each score by the mean of up to windowWidth neighbours on each side, skipping frame 0", () => {
    expect(adaptiveRatios([0, 2, 2, 12, 2, 2], 2)).toEqual([0, 2 / ((2 + 12) / 2), 2 / ((2 + 12 + 2) / 3), 12 / 2, 2 / ((2 + 12 + 2) / 3), 2 / ((12 + 2) / 2)]);
  });

  it('caps the ratio when the neighbours did not change at all', () => {
    expect(adaptiveRatios([0, 0, 0, 5, 0, 0], 2)[3]).toBe(255);
    expect(adaptiveRatios([0, 0, 0, 0, 0], 2)[2]).toBe(0);
  });
});

describe('findCuts', () => {
  it('finds a jump that stands out from the motion around it', () => {
    expect(findCuts(framesAt(drift(60, { 30: 40 })))).toEqual([30]);
  });

  it('needs min_content_val as well as the ratio', () => {
    const frames = framesAt(drift(60, { 30: 10 }));
    expect(findCuts(frames)).toEqual([]);
    expect(findCuts(frames, { ...DEFAULT_SHOT_PARAMS, minContentVal: 10 })).toEqual([30]);
  });

  it('ignores a jump that the surrounding motion matches', () => {
    const fastMotion = framesAt(Array.from({ length: 60 }, (_, i) => i * 20 + (i >= 30 ? 30 : 0)));
    expect(findCuts(fastMotion)).toEqual([]);
  });

  it('keeps cuts at least min_scene_len frames apart, counting from the first frame', () => {
    const frames = framesAt(drift(80, { 10: 40, 30: 40, 40: 40, 60: 40 }));
    expect(findCuts(frames)).toEqual([30, 60]);
    expect(findCuts(frames, { ...DEFAULT_SHOT_PARAMS, minSceneLen: 5 })).toEqual([10, 30, 40, 60]);
  });

  it('finds a cut in the last frames, where the window is cut short', () => {
    expect(findCuts(framesAt(drift(40, { 39: 40 })))).toEqual([39]);
  });

  it('takes a flash that returns to the picture it left for no cut, up to FLASH_FRAMES long', () => {
    for (let length = 1; length <= FLASH_FRAMES; length++) {
      const positions = drift(60, {});
      for (let i = 30; i < 30 + length; i++) positions[i]! += 40;
      const frames = framesAt(positions);
      expect(findCuts(frames), `flash of ${length} frames`).toEqual([]);
      expect(isFlash(frames, 30, DEFAULT_SHOT_PARAMS)).toBe(true);
      expect(isFlash(frames, 30 + length, DEFAULT_SHOT_PARAMS)).toBe(true);
    }
  });

  it('keeps a cut that a flash runs into, at the flash', () => {
    const positions = drift(60, { 30: 40 });
    positions[29]! += 200;
    expect(findCuts(framesAt(positions))).toEqual([29]);
  });
});

describe('scenesFromCuts', () => {
  it("covers the video from its first frame's pts to the end of its last frame", () => {
    const times = Array.from({ length: 10 }, (_, i) => 0.852 + i / FPS);
    expect(scenesFromCuts(times, [4])).toEqual([
      { index: 0, start: 0.852, end: times[4], firstFrame: 0, endFrame: 4 },
      { index: 1, start: times[4], end: times[9]! + 1 / FPS, firstFrame: 4, endFrame: 10 },
    ]);
    expect(scenesFromCuts([], [])).toEqual([]);
  });

  it('ends the last frame after the median frame interval', () => {
    expect(typicalFrameInterval([0, 0.04, 0.08, 0.2, 0.24])).toBeCloseTo(0.04, 9);
    expect(typicalFrameInterval([3])).toBe(0);
  });

  it('finds the gaps where the pictures stop: from the end of the frame before, a typical frame long, to the next frame', () => {
    const before = Array.from({ length: 30 }, (_, i) => i / FPS);
    const after = Array.from({ length: 30 }, (_, i) => 2 + i / FPS);
    expect(frameGaps([...before, ...after])).toEqual([{ start: 1.2, end: 2 }]);
    // Every third frame (a slower rate) or a dropped frame is no gap: only a stretch longer than
    // ten typical frames and half a second is.
    expect(frameGaps(before.filter((_, i) => i % 3 === 0 || i < 10))).toEqual([]);
    expect(frameGaps([...before.slice(0, 20), ...before.slice(28)])).toEqual([]);
    expect(frameGaps([0.5])).toEqual([]);
  });
});

describe('matchCuts', () => {
  it('matches each true cut to at most one found cut, the closest within tolerance', () => {
    expect(matchCuts([1.0, 1.03, 5, 9.5], [1.01, 5.05, 7], 0.08)).toEqual({
      matched: 2,
      falseCuts: [1.03, 9.5],
      missed: [7],
    });
  });
});
