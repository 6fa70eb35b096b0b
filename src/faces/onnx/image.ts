/**
 * Pixel operations on rgb24 frames, matching the OpenCV calls insightface makes (cv2.resize and
 * cv2.warpAffine with bilinear sampling), and the conversion to normalised NCHW float32 input.
 */

import { invertAffine } from '../geometry/affine.ts';
import type { Affine2D, RgbFrame } from '../types.ts';

/** A network input normalisation: (pixel - mean) / std, the same for the three channels. */
export interface Normalisation {
  mean: number;
  std: number;
}

function assertRgbFrame(frame: RgbFrame): void {
  const expected = frame.width * frame.height * 3;
  if (frame.width <= 0 || frame.height <= 0 || frame.data.length !== expected) {
    throw new Error(
      `expected an rgb24 frame of ${frame.width}x${frame.height} (${expected} bytes), got ${frame.data.length} bytes`,
    );
  }
}

/**
 * Samples `frame` through the forward matrix `m` (frame -> output coordinates, as cv2.warpAffine
 * takes it) into a width x height picture; pixels that fall outside the frame are black.
 *
 * Every face crop of every sampled frame passes here (two per face with the embedded pack), so an
 * output pixel whose four neighbours all lie inside the frame, nearly all of them, reads them
 * without the edge tests; both paths blend with the same arithmetic, so the bytes are the same.
 */
export function warpAffine(frame: RgbFrame, m: Affine2D, width: number, height: number): RgbFrame {
  const { width: sw, height: sh, data: src } = frame;
  const [a, b, c, d, e, f] = invertAffine(m);
  const out = new Uint8Array(width * height * 3);
  const stride = sw * 3;
  let o = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++, o += 3) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < sw && y0 + 1 < sh) {
        const top = y0 * stride + x0 * 3;
        const bottom = top + stride;
        out[o] = lerp2(src[top]!, src[top + 3]!, src[bottom]!, src[bottom + 3]!, fx, fy);
        out[o + 1] = lerp2(src[top + 1]!, src[top + 4]!, src[bottom + 1]!, src[bottom + 4]!, fx, fy);
        out[o + 2] = lerp2(src[top + 2]!, src[top + 5]!, src[bottom + 2]!, src[bottom + 5]!, fx, fy);
        continue;
      }
      for (let ch = 0; ch < 3; ch++) {
        out[o + ch] = lerp2(
          pixelOrBlack(src, sw, sh, x0, y0, ch),
          pixelOrBlack(src, sw, sh, x0 + 1, y0, ch),
          pixelOrBlack(src, sw, sh, x0, y0 + 1, ch),
          pixelOrBlack(src, sw, sh, x0 + 1, y0 + 1, ch),
          fx,
          fy,
        );
      }
    }
  }
  return { width, height, data: out };
}

function pixelOrBlack(src: Uint8Array, w: number, h: number, x: number, y: number, ch: number): number {
  return x >= 0 && y >= 0 && x < w && y < h ? src[(y * w + x) * 3 + ch]! : 0;
}

/** Writes `frame` as normalised planar RGB (one CHW image) into `out` at `offset`. */
function writeChw(frame: RgbFrame, norm: Normalisation, out: Float32Array, offset: number): void {
  const plane = frame.width * frame.height;
  const src = frame.data;
  const scale = 1 / norm.std;
  for (let i = 0, p = 0; i < plane; i++, p += 3) {
    out[offset + i] = (src[p]! - norm.mean) * scale;
    out[offset + plane + i] = (src[p + 1]! - norm.mean) * scale;
    out[offset + 2 * plane + i] = (src[p + 2]! - norm.mean) * scale;
  }
}

/** Stacks same-sized frames into one normalised NCHW float32 batch. */
export function toNchw(frames: readonly RgbFrame[], norm: Normalisation): Float32Array {
  const first = frames[0];
  if (!first) throw new Error('toNchw needs at least one frame');
  const size = first.width * first.height * 3;
  const out = new Float32Array(size * frames.length);
  frames.forEach((frame, i) => {
    if (frame.width !== first.width || frame.height !== first.height) {
      throw new Error(`cannot batch a ${frame.width}x${frame.height} frame with ${first.width}x${first.height} ones`);
    }
    writeChw(frame, norm, out, i * size);
  });
  return out;
}

/**
 * Writes the frame letterboxed into a `width` x `height` normalised CHW image at `offset` of `out`,
 * as insightface prepares SCRFD input: scaled to fit keeping its aspect ratio (bilinear with pixel
 * centres at half-integers and no low-pass before shrinking, like cv2.resize INTER_LINEAR, rounded
 * to 8 bits as cv2 does), placed top-left, black padding right or below. Returns the scale from
 * frame to input pixels (divide by it to map detections back). One pass, no intermediate picture:
 * this runs on every sampled frame.
 */
export function letterboxToChw(
  frame: RgbFrame,
  width: number,
  height: number,
  norm: Normalisation,
  out: Float32Array,
  offset: number,
): number {
  assertRgbFrame(frame);
  const frameRatio = frame.height / frame.width;
  // insightface truncates the scaled side and derives the scale from the height.
  const fitHeight = Math.max(1, frameRatio > height / width ? height : Math.trunc(width * frameRatio));
  const fitWidth = Math.max(1, frameRatio > height / width ? Math.trunc(height / frameRatio) : width);
  const plane = width * height;
  const inv = 1 / norm.std;
  out.fill((0 - norm.mean) * inv, offset, offset + 3 * plane);
  const src = frame.data;
  const stride = frame.width * 3;
  const xs = bilinearTaps(frame.width, fitWidth);
  const ys = bilinearTaps(frame.height, fitHeight);
  for (let y = 0; y < fitHeight; y++) {
    const row0 = ys.lo[y]! * stride;
    const row1 = ys.hi[y]! * stride;
    const fy = ys.frac[y]!;
    let o = offset + y * width;
    for (let x = 0; x < fitWidth; x++, o++) {
      const c0 = xs.lo[x]! * 3;
      const c1 = xs.hi[x]! * 3;
      const fx = xs.frac[x]!;
      const a = row0 + c0, b = row0 + c1, c = row1 + c0, d = row1 + c1;
      out[o] = (lerp2(src[a]!, src[b]!, src[c]!, src[d]!, fx, fy) - norm.mean) * inv;
      out[o + plane] = (lerp2(src[a + 1]!, src[b + 1]!, src[c + 1]!, src[d + 1]!, fx, fy) - norm.mean) * inv;
      out[o + 2 * plane] = (lerp2(src[a + 2]!, src[b + 2]!, src[c + 2]!, src[d + 2]!, fx, fy) - norm.mean) * inv;
    }
  }
  return fitHeight / frame.height;
}

/** Bilinear blend of four neighbours, rounded to an 8-bit value. */
function lerp2(p00: number, p10: number, p01: number, p11: number, fx: number, fy: number): number {
  const top = p00 + (p10 - p00) * fx;
  const bottom = p01 + (p11 - p01) * fx;
  return roundPixel(top + (bottom - top) * fy);
}

/** The largest double below 0.5: the one value where adding 0.5 rounds up to the next integer. */
const JUST_BELOW_HALF = 0.49999999999999994;

/**
 * `Math.round(v)` for 0 <= v < 2^31, the range of a blend of 8-bit values, at half its cost (which
 * the crop and letterbox loops pay per channel of every pixel). Adding 0.5 and truncating is exact
 * there except for JUST_BELOW_HALF; test/vision/image.test.ts checks it against Math.round.
 */
export function roundPixel(v: number): number {
  return v === JUST_BELOW_HALF ? 0 : (v + 0.5) | 0;
}

interface Taps {
  lo: Int32Array;
  hi: Int32Array;
  frac: Float32Array;
}

/** Source neighbours and weights per output coordinate, pixel centres aligned as in cv2.resize. */
function bilinearTaps(srcSize: number, dstSize: number): Taps {
  const lo = new Int32Array(dstSize);
  const hi = new Int32Array(dstSize);
  const frac = new Float32Array(dstSize);
  const scale = srcSize / dstSize;
  for (let i = 0; i < dstSize; i++) {
    const s = Math.max(0, (i + 0.5) * scale - 0.5);
    const i0 = Math.min(Math.floor(s), srcSize - 1);
    lo[i] = i0;
    hi[i] = Math.min(i0 + 1, srcSize - 1);
    frac[i] = s - i0;
  }
  return { lo, hi, frac };
}

/** The frame flipped left to right: a face in it turns the other way (the pose benches and tests read both). */
export function mirrored(frame: RgbFrame): RgbFrame {
  const data = new Uint8Array(frame.data.length);
  for (let y = 0; y < frame.height; y++) {
    const row = y * frame.width;
    for (let x = 0; x < frame.width; x++) data.set(frame.data.subarray((row + x) * 3, (row + x) * 3 + 3), (row + frame.width - 1 - x) * 3);
  }
  return { ...frame, data };
}
