import { describe, expect, it } from 'vitest';
import {
  ACHROMATIC_FLOOR,
  FLASH_FRAMES,
  GRID_COLUMNS,
  SceneScorer,
  contentDelta,
  contentValue,
  hsvGrid,
} from '../../src/media/scene-scores.ts';
import { DEFAULT_SHOT_PARAMS } from '../../src/media/scene-cuts.ts';

const WIDTH = 64;
const HEIGHT = 36;

/** A rgb24 frame whose pixel colour is given per coordinate. */
function frame(colour: (x: number, y: number) => [number, number, number], width = WIDTH, height = HEIGHT): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgb.set(colour(x, y), (y * width + x) * 3);
  }
  return rgb;
}

const solid = (r: number, g: number, b: number) => frame(() => [r, g, b]);

function firstCell(rgb: Uint8Array) {
  const grid = hsvGrid(rgb, WIDTH, HEIGHT);
  return { hue: grid.hue[0]!, sat: grid.sat[0]!, lum: grid.lum[0]! };
}

describe('hsvGrid', () => {
  it('uses OpenCV 8-bit HSV: hue in degrees / 2, saturation and value 0-255', () => {
    expect(firstCell(solid(255, 0, 0))).toEqual({ hue: 0, sat: 255, lum: 255 });
    expect(firstCell(solid(0, 255, 0))).toEqual({ hue: 60, sat: 255, lum: 255 });
    expect(firstCell(solid(0, 0, 255))).toEqual({ hue: 120, sat: 255, lum: 255 });
    const magenta = firstCell(solid(255, 0, 128));
    expect(magenta.hue).toBeCloseTo(180 - 128 * (30 / 255), 4);
    const orange = firstCell(solid(200, 100, 50));
    expect(orange.hue).toBeCloseTo(10, 4);
    expect(orange.sat).toBeCloseTo((150 * 255) / 200, 4);
    expect(orange.lum).toBe(200);
  });

  it('treats hue and saturation of near-black pixels, and hue of near-grey ones, as 0', () => {
    expect(firstCell(solid(ACHROMATIC_FLOOR - 1, 0, 0))).toEqual({ hue: 0, sat: 0, lum: ACHROMATIC_FLOOR - 1 });
    const greyish = firstCell(solid(200, 190, 190));
    expect(greyish.hue).toBe(0);
    expect(greyish.sat).toBeCloseTo((10 * 255) / 200, 4);
  });

  it('pools into square cells, GRID_COLUMNS across, dropping the leftover bottom rows', () => {
    const grid = hsvGrid(frame(() => [10, 20, 30], 256, 106), 256, 106);
    expect(grid.columns).toBe(GRID_COLUMNS);
    expect(grid.rows).toBe(13);
    expect(grid.lum).toHaveLength(GRID_COLUMNS * 13);
    const halves = hsvGrid(frame((x) => (x < WIDTH / 2 ? [0, 0, 0] : [255, 255, 255])), WIDTH, HEIGHT);
    expect(halves.lum[0]).toBe(0);
    expect(halves.lum[halves.columns - 1]).toBe(255);
  });

  it('rejects a buffer that is too short for the frame size', () => {
    expect(() => hsvGrid(new Uint8Array(10), WIDTH, HEIGHT)).toThrow(RangeError);
  });
});

describe('content scores', () => {
  it('is the mean absolute change of each channel, averaged over the channels', () => {
    const delta = contentDelta(hsvGrid(solid(0, 0, 100), WIDTH, HEIGHT), hsvGrid(solid(0, 0, 200), WIDTH, HEIGHT));
    expect(delta).toEqual({ hue: 0, sat: 0, lum: 100 });
    expect(contentValue(delta)).toBeCloseTo(100 / 3, 6);
  });

  it('measures hue around the colour circle', () => {
    const red = hsvGrid(solid(255, 0, 0), WIDTH, HEIGHT);
    const crimson = hsvGrid(solid(255, 0, 10), WIDTH, HEIGHT);
    expect(crimson.hue[0]).toBeGreaterThan(178);
    expect(contentDelta(red, crimson).hue).toBeCloseTo(180 - crimson.hue[0]!, 4);
  });

  it('barely sees a small shift of detail but fully sees a new picture', () => {
    // At the decode width (256 px) a cell is 8 px: a 1 px shift of fine stripes keeps every cell's mean.
    const [width, height] = [256, 144];
    const grid = (colour: (x: number) => [number, number, number]) => hsvGrid(frame(colour, width, height), width, height);
    const stripes = (offset: number) => grid((x) => ((x + offset) % 4 < 2 ? [40, 90, 160] : [220, 200, 60]));
    const shifted = contentValue(contentDelta(stripes(0), stripes(1)));
    const replaced = contentValue(contentDelta(stripes(0), grid(() => [30, 140, 60])));
    expect(shifted).toBeLessThan(1);
    expect(replaced).toBeGreaterThan(DEFAULT_SHOT_PARAMS.minContentVal);
  });
});

describe('SceneScorer', () => {
  it('scores each frame against the previous one and keeps distances to the few before that', () => {
    const scorer = new SceneScorer(WIDTH, HEIGHT);
    const levels = [0, 30, 60, 90, 120, 150, 180, 210];
    const scores = levels.map((level, i) => scorer.push(solid(level, level, level), i / 25));
    expect(scores[0]).toEqual({ time: 0, hue: 0, sat: 0, lum: 0, back: [] });
    expect(scores[1]!.lum).toBe(30);
    expect(scores[1]!.back).toEqual([]);
    expect(scores[3]!.back.map((d) => d * 3)).toEqual([60, 90]);
    const last = scores[levels.length - 1]!;
    expect(last.time).toBeCloseTo(7 / 25, 9);
    expect(last.back).toHaveLength(FLASH_FRAMES);
    expect(last.back.map((d) => d * 3)).toEqual([60, 90, 120, 150]);
  });
});
