/**
 * Per-frame content scores for shot detection, computed from raw rgb24 frames as they stream by.
 *
 * The content measure is PySceneDetect's ContentDetector one: convert to HSV and take the mean
 * absolute difference of each channel against the previous frame, each on a 0-255 scale. Changes,
 * each measured on the shared corpus (docs/analysis/scenes.md):
 *
 * - Frames are compared on a coarse grid, GRID_COLUMNS cells across. Handheld motion moves
 *   detail by a few pixels, which a 256 px comparison counts as change and a 32-cell grid mostly
 *   does not; a cut replaces the whole picture and survives. This is what lets the adaptive ratio
 *   see cuts into or out of shaky, high-motion shots. Decoded exactly GRID_COLUMNS wide, ffmpeg's
 *   area scaler does the pooling (fast: each cell is one pixel); a wider decode is converted to
 *   HSV per pixel and averaged per cell here.
 * - Hue and saturation are undefined for near-black pixels and hue is undefined for near-grey
 *   ones; there they are pure noise (a fade from black "changes" saturation by 120), so they count
 *   as 0. Hue differences are taken around the colour circle.
 *
 * Besides the change against the previous frame, each frame keeps its distance to the few frames
 * before that (`back`), so that the thresholding can tell a flash, which comes back to the
 * picture it left, from a cut, which does not, without decoding again.
 */

/** Cells across the comparison grid, whatever the decode width. */
export const GRID_COLUMNS = 32;
/** Longest flash, in frames, that the lookback distances can recognise. */
export const FLASH_FRAMES = 4;
/** Below this value (0-255) a pixel's hue and saturation are noise; below this saturation, its hue. */
export const ACHROMATIC_FLOOR = 24;

const HUE_STEPS = 180;

/** Mean absolute change of each HSV channel against the previous frame (0-255 scale). */
export interface ContentDelta {
  hue: number;
  sat: number;
  lum: number;
}

export interface FrameScore extends ContentDelta {
  /** Presentation time of the frame, seconds. */
  time: number;
  /**
   * Content distance from this frame to the frames 2, 3, ... FLASH_FRAMES + 1 before it, in that
   * order (fewer at the start of the video).
   */
  back: number[];
}

/** HSV cell means of one frame, channel-planar. Hue is in OpenCV's 0-179 range (degrees / 2). */
export interface HsvGrid {
  columns: number;
  rows: number;
  hue: Float32Array;
  sat: Float32Array;
  lum: Float32Array;
}

/** One number per frame pair: the channels weighted equally, as ContentDetector's defaults do. */
export function contentValue(delta: ContentDelta): number {
  return (delta.hue + delta.sat + delta.lum) / 3;
}

// Both divisors of the HSV conversion are bytes: tabulate the divisions.
const hueStepsPerChroma = Float64Array.from({ length: 256 }, (_, chroma) => (chroma === 0 ? 0 : 30 / chroma));
const satPerValue = Float64Array.from({ length: 256 }, (_, value) => (value === 0 ? 0 : 255 / value));

/**
 * Converts packed rgb24 to HSV and averages it into the comparison grid. Cells are square, as
 * wide as `width / GRID_COLUMNS` pixels; pixels past the last whole row of cells are left out.
 */
export function hsvGrid(rgb: Uint8Array, width: number, height: number): HsvGrid {
  if (rgb.length < width * height * 3) {
    throw new RangeError(`rgb24 frame of ${rgb.length} bytes is short of ${width}x${height}`);
  }
  const cell = Math.max(1, Math.floor(width / GRID_COLUMNS));
  const columns = Math.floor(width / cell);
  const rows = Math.max(1, Math.floor(height / cell));
  const usedHeight = Math.min(height, rows * cell);
  const cells = columns * rows;
  // Sums first, means at the end. Plain loops: TypedArray.from with a map function costs more
  // than the whole conversion of a small frame.
  const hue = new Float32Array(cells);
  const sat = new Float32Array(cells);
  const lum = new Float32Array(cells);
  const rowWidth = columns * cell;

  for (let y = 0; y < usedHeight; y++) {
    const rowCells = Math.floor(y / cell) * columns;
    let i = y * width * 3;
    for (let x = 0; x < rowWidth; x++, i += 3) {
      const r = rgb[i]!;
      const g = rgb[i + 1]!;
      const b = rgb[i + 2]!;
      const max = r > g ? (r > b ? r : b) : g > b ? g : b;
      const min = r < g ? (r < b ? r : b) : g < b ? g : b;
      const c = rowCells + ((x / cell) | 0);
      lum[c]! += max;
      if (max < ACHROMATIC_FLOOR) continue;
      const chroma = max - min;
      const saturation = chroma * satPerValue[max]!;
      sat[c]! += saturation;
      if (saturation < ACHROMATIC_FLOOR) continue;
      let h: number;
      if (max === r) h = (g - b) * hueStepsPerChroma[chroma]!;
      else if (max === g) h = 60 + (b - r) * hueStepsPerChroma[chroma]!;
      else h = 120 + (r - g) * hueStepsPerChroma[chroma]!;
      hue[c]! += h < 0 ? h + HUE_STEPS : h;
    }
  }

  const perCell = 1 / (cell * cell);
  for (let c = 0; c < cells; c++) {
    hue[c]! *= perCell;
    sat[c]! *= perCell;
    lum[c]! *= perCell;
  }
  return { columns, rows, hue, sat, lum };
}

function meanAbsDiff(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length;
}

/** Hue is an angle: 179 and 1 are 2 steps apart, not 178. */
function meanHueDiff(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d > HUE_STEPS / 2 ? HUE_STEPS - d : d;
  }
  return sum / a.length;
}

export function contentDelta(previous: HsvGrid, current: HsvGrid): ContentDelta {
  if (previous.hue.length !== current.hue.length) throw new RangeError('frames of different sizes');
  return {
    hue: meanHueDiff(previous.hue, current.hue),
    sat: meanAbsDiff(previous.sat, current.sat),
    lum: meanAbsDiff(previous.lum, current.lum),
  };
}

/** Scores a stream of frames; holds only the last FLASH_FRAMES + 1 grids, never the frames. */
export class SceneScorer {
  /** Most recent first. */
  private readonly recent: HsvGrid[] = [];

  constructor(
    private readonly width: number,
    private readonly height: number,
  ) {}

  push(rgb: Uint8Array, time: number): FrameScore {
    const grid = hsvGrid(rgb, this.width, this.height);
    const [previous, ...earlier] = this.recent;
    const delta = previous ? contentDelta(previous, grid) : { hue: 0, sat: 0, lum: 0 };
    const back = earlier.map((old) => contentValue(contentDelta(old, grid)));
    this.recent.unshift(grid);
    if (this.recent.length > FLASH_FRAMES + 1) this.recent.pop();
    return { time, ...delta, back };
  }
}
