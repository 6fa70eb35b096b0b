import { describe, expect, it } from 'vitest';
import { decodeScrfd, scrfdLayout } from '../../src/faces/insightface/scrfd-decode.ts';

const INPUT = { width: 64, height: 64 };
const STRIDES = [8, 16, 32];
const anchorsAt = (stride: number) => (64 / stride) ** 2 * 2;

/** Outputs of `images` images with one confident anchor: image `image`, stride 16, row 1, column 2, second anchor. */
function outputs(images: number, image: number, withKps: boolean): Float32Array[] {
  const make = (width: number) => STRIDES.map((s) => new Float32Array(images * anchorsAt(s) * width));
  const [scores, boxes, kps] = [make(1), make(4), make(10)];
  const anchor = image * anchorsAt(16) + (1 * 4 + 2) * 2 + 1;
  scores[1]![anchor] = 0.9;
  boxes[1]!.set([1, 0.5, 2, 1.5], anchor * 4);
  kps[1]!.set([0, 0, 0.1, -0.2, 0.2, -0.4, 0.3, -0.6, 0.4, -0.8], anchor * 10);
  return withKps ? [...scores, ...boxes, ...kps] : [...scores, ...boxes];
}

describe('SCRFD decoding', () => {
  it('knows the layouts by output count', () => {
    expect(scrfdLayout(9)).toEqual({ strides: [8, 16, 32], anchorsPerCell: 2, hasKps: true });
    expect(scrfdLayout(6).hasKps).toBe(false);
    expect(scrfdLayout(15)).toEqual({ strides: [8, 16, 32, 64, 128], anchorsPerCell: 1, hasKps: true });
    expect(() => scrfdLayout(7)).toThrow(/expected 6, 9, 10 or 15 outputs, got 7/);
  });

  it('decodes box distances and keypoint offsets from the anchor centre, in strides', () => {
    const [candidate, ...rest] = decodeScrfd(outputs(1, 0, true), scrfdLayout(9), INPUT, 0, 0.5);
    expect(rest).toEqual([]);
    expect(candidate!.score).toBeCloseTo(0.9);
    // Anchor centre (32, 16); distances left/top/right/bottom times 16.
    expect(candidate!.box).toEqual([16, 8, 64, 40]);
    candidate!.kps!.forEach(([x, y], k) => {
      expect(x).toBeCloseTo(32 + 1.6 * k, 5);
      expect(y).toBeCloseTo(16 - 3.2 * k, 5);
    });
  });

  it('drops anchors under the score threshold', () => {
    expect(decodeScrfd(outputs(1, 0, true), scrfdLayout(9), INPUT, 0, 0.95)).toEqual([]);
  });

  it('reads the rows of one image from batched outputs', () => {
    const batched = outputs(2, 1, false);
    expect(decodeScrfd(batched, scrfdLayout(6), INPUT, 0, 0.5)).toEqual([]);
    const [candidate] = decodeScrfd(batched, scrfdLayout(6), INPUT, 1, 0.5);
    expect(candidate!.box).toEqual([16, 8, 64, 40]);
    expect(candidate!.kps).toBeNull();
  });

  it('rejects outputs that do not fit the input size', () => {
    expect(() => decodeScrfd(outputs(1, 0, true), scrfdLayout(9), { width: 128, height: 64 }, 0, 0.5)).toThrow(
      /score stride 8 output has 128 values/,
    );
  });
});
