import { describe, expect, it } from 'vitest';
import { normCrop, normCropMatrix, ARCFACE_TEMPLATE_112, landmarkCropMatrix } from '../../src/faces/insightface/align.ts';
import { applyAffine } from '../../src/faces/geometry/affine.ts';
import { letterboxToChw, mirrored, roundPixel, toNchw, warpAffine } from '../../src/faces/onnx/image.ts';
import { invertAffine } from '../../src/faces/geometry/affine.ts';
import type { Point, RgbFrame } from '../../src/faces/types.ts';

const RAW = { mean: 0, std: 1 };

function frameOf(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return { width, height, data };
}

describe('letterbox into the detector input', () => {
  it('halves a wide frame by averaging 2x2 blocks, top-left, and pads below', () => {
    const frame = frameOf(4, 2, (x) => [x < 2 ? 10 : 30, 100, 200]);
    const out = new Float32Array(3 * 2 * 2);
    const scale = letterboxToChw(frame, 2, 2, RAW, out, 0);
    expect(scale).toBe(0.5);
    expect([...out]).toEqual([10, 30, 0, 0, 100, 100, 0, 0, 200, 200, 0, 0]);
  });

  it('pads a tall frame on the right, with the normalised value of black', () => {
    const frame = frameOf(1, 2, () => [255, 255, 255]);
    const out = new Float32Array(3 * 2 * 2).fill(NaN);
    letterboxToChw(frame, 2, 2, { mean: 127.5, std: 128 }, out, 0);
    expect(out[0]).toBeCloseTo(127.5 / 128);
    expect(out[1]).toBeCloseTo(-127.5 / 128);
  });

  it('writes at an offset for batches and checks the frame size', () => {
    const out = new Float32Array(2 * 3);
    letterboxToChw(frameOf(1, 1, () => [1, 2, 3]), 1, 1, RAW, out, 3);
    expect([...out]).toEqual([0, 0, 0, 1, 2, 3]);
    expect(() => letterboxToChw({ width: 2, height: 2, data: new Uint8Array(5) }, 1, 1, RAW, out, 0)).toThrow(/rgb24/);
  });
});

describe('planar tensors', () => {
  it('stacks frames channel by channel and normalises', () => {
    const a = frameOf(2, 1, (x) => [x, 10, 20]);
    const b = frameOf(2, 1, () => [255, 255, 255]);
    expect([...toNchw([a, b], { mean: 127.5, std: 127.5 })].map((v) => +v.toFixed(3))).toEqual([
      -1, -0.992, -0.922, -0.922, -0.843, -0.843, 1, 1, 1, 1, 1, 1,
    ]);
  });
});

describe('warps', () => {
  it('shifts by a translation and fills outside the frame with black', () => {
    const frame = frameOf(3, 1, (x) => [50 * (x + 1), 0, 0]);
    const shifted = warpAffine(frame, [1, 0, 1, 0, 1, 0], 3, 1);
    expect([0, 1, 2].map((x) => shifted.data[x * 3])).toEqual([0, 50, 100]);
  });

  it('interpolates bilinearly between pixels', () => {
    const frame = frameOf(2, 1, (x) => [x * 100, 0, 0]);
    const half = warpAffine(frame, [1, 0, -0.5, 0, 1, 0], 1, 1);
    expect(half.data[0]).toBe(50);
  });

  it('gives the bytes of a plain per-channel sampling, inside the frame and over its edges', () => {
    const frame = frameOf(40, 30, (x, y) => [(x * 37 + y * 11) % 256, (x * y) % 256, (255 - x * 5) % 256]);
    // Rotated, scaled and moved crops, some reaching past every edge.
    for (const [angle, scale, tx, ty] of [[0.3, 1.7, 4, -6], [-1.1, 0.6, 20, 25], [2.5, 2.2, -10, 3], [0, 1, 0.25, 0.75]] as const) {
      const m: [number, number, number, number, number, number] = [scale * Math.cos(angle), -scale * Math.sin(angle), tx, scale * Math.sin(angle), scale * Math.cos(angle), ty];
      expect(Buffer.from(warpAffine(frame, m, 33, 29).data).equals(Buffer.from(plainWarp(frame, m, 33, 29)))).toBe(true);
    }
  });
});

describe('pixel rounding', () => {
  it('is Math.round for every blend value, the ulps beside each half-integer included', () => {
    const bits = new Float64Array(1);
    const word = new BigInt64Array(bits.buffer);
    const mismatches: number[] = [];
    for (let k = 0; k <= 255; k++) {
      bits[0] = k + 0.5;
      const half = word[0]!;
      for (let ulps = -64n; ulps <= 64n; ulps++) {
        word[0] = half + ulps;
        if (roundPixel(bits[0]!) !== Math.round(bits[0]!)) mismatches.push(bits[0]!);
      }
    }
    for (const v of [0, 0.49999999999999994, 0.5, 254.49999999999997, 255]) if (roundPixel(v) !== Math.round(v)) mismatches.push(v);
    expect(mismatches).toEqual([]);
  });
});

/** cv2.warpAffine's bilinear sampling written out the slow way: every neighbour tested, Math.round. */
function plainWarp(frame: RgbFrame, m: [number, number, number, number, number, number], width: number, height: number): Uint8Array {
  const [a, b, c, d, e, f] = invertAffine(m);
  const at = (x: number, y: number, ch: number) => (x >= 0 && y >= 0 && x < frame.width && y < frame.height ? frame.data[(y * frame.width + x) * 3 + ch]! : 0);
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const [fx, fy] = [sx - x0, sy - y0];
      for (let ch = 0; ch < 3; ch++) {
        const top = at(x0, y0, ch) + (at(x0 + 1, y0, ch) - at(x0, y0, ch)) * fx;
        const bottom = at(x0, y0 + 1, ch) + (at(x0 + 1, y0 + 1, ch) - at(x0, y0 + 1, ch)) * fx;
        out[(y * width + x) * 3 + ch] = Math.round(top + (bottom - top) * fy);
      }
    }
  }
  return out;
}

describe('ArcFace norm-crop', () => {
  it('is the identity for keypoints already on the template', () => {
    const m = normCropMatrix(ARCFACE_TEMPLATE_112);
    [1, 0, 0, 0, 1, 0].forEach((v, i) => expect(m[i]).toBeCloseTo(v, 9));
  });

  it('maps keypoints of a scaled, rotated, moved face onto the template', () => {
    const angle = (20 * Math.PI) / 180;
    const place = ([x, y]: Point): Point => [
      300 + 2.5 * (Math.cos(angle) * x - Math.sin(angle) * y),
      150 + 2.5 * (Math.sin(angle) * x + Math.cos(angle) * y),
    ];
    const kps = ARCFACE_TEMPLATE_112.map(place);
    const m = normCropMatrix(kps);
    kps.forEach((p, i) => {
      const [x, y] = applyAffine(m, p);
      expect(x).toBeCloseTo(ARCFACE_TEMPLATE_112[i]![0], 6);
      expect(y).toBeCloseTo(ARCFACE_TEMPLATE_112[i]![1], 6);
    });
  });

  it('crops so that bright dots at the keypoints land on the template', () => {
    const kps: Point[] = ARCFACE_TEMPLATE_112.map(([x, y]) => [2 * x + 40, 2 * y + 10]);
    const frame = frameOf(320, 260, (x, y) =>
      kps.some(([kx, ky]) => Math.abs(x - kx) <= 2 && Math.abs(y - ky) <= 2) ? [255, 255, 255] : [0, 0, 0],
    );
    const crop = normCrop(frame, kps);
    expect([crop.width, crop.height]).toEqual([112, 112]);
    for (const [x, y] of ARCFACE_TEMPLATE_112) {
      expect(crop.data[(Math.round(y) * 112 + Math.round(x)) * 3]).toBeGreaterThan(200);
    }
    expect(crop.data[(20 * 112 + 20) * 3]).toBe(0);
  });

  it('shifts the template for 128-multiple crops and rejects other sizes', () => {
    const m = normCropMatrix(ARCFACE_TEMPLATE_112, 128);
    expect(m[2]).toBeCloseTo(8, 9);
    expect(() => normCropMatrix(ARCFACE_TEMPLATE_112, 100)).toThrow(/multiple of 112 or 128/);
  });
});

describe('landmark crop', () => {
  it('centres the box with its longer side at two thirds of the crop', () => {
    const m = landmarkCropMatrix([100, 50, 200, 250], 192);
    expect(applyAffine(m, [150, 150])).toEqual([96, 96]);
    const [, top] = applyAffine(m, [150, 50]);
    expect(96 - top).toBeCloseTo(192 / 3, 9);
  });
});

describe('mirror image', () => {
  it('swaps columns left to right, keeping each pixel whole and the original untouched', () => {
    // 3x2 frame, pixel (x, y) = [10x + y, 100 + x, 200 + y].
    const data = new Uint8Array(18);
    for (let y = 0; y < 2; y++) for (let x = 0; x < 3; x++) data.set([10 * x + y, 100 + x, 200 + y], (y * 3 + x) * 3);
    const flipped = mirrored({ width: 3, height: 2, data });
    expect([...flipped.data.subarray(0, 3)]).toEqual([20, 102, 200]);
    expect([...flipped.data.subarray(15, 18)]).toEqual([1, 100, 201]);
    expect([...mirrored(flipped).data]).toEqual([...data]);
    expect(data[0]).toBe(0);
  });
});
