import { describe, expect, it } from 'vitest';
import { decodeFloat16Base64, encodeFloat16Base64 } from '../../src/detect/float16.ts';
import { fromFloat16Bits, toFloat16Bits } from '../../src/faces/onnx/half-float.ts';

describe('float16 codec', () => {
  it('encodes exact halves to their IEEE bits', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest half
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [Infinity, 0x7c00],
      [-Infinity, 0xfc00],
    ];
    for (const [value, bits] of cases) {
      expect(toFloat16Bits(value), String(value)).toBe(bits);
      expect(Object.is(fromFloat16Bits(bits), value), String(value)).toBe(true);
    }
    expect(Number.isNaN(fromFloat16Bits(toFloat16Bits(NaN)))).toBe(true);
  });

  it('rounds to nearest, ties to even, overflowing to infinity', () => {
    expect(toFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // tie: stays even
    expect(toFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // tie: up to even
    expect(toFloat16Bits(1 + 2 ** -11 + 2 ** -20)).toBe(0x3c01); // above the tie
    expect(toFloat16Bits(2 ** -25)).toBe(0x0000); // tie between 0 and the smallest subnormal
    expect(toFloat16Bits(65520)).toBe(0x7c00);
  });

  it('keeps an L2-normalised embedding to about 1e-3 and its cosine similarity to about 1e-4', () => {
    const raw = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i * 1.7) + Math.cos(i * 0.3));
    const norm = Math.hypot(...raw);
    const embedding = raw.map((v) => v / norm);
    const text = encodeFloat16Base64(embedding);
    expect(text).toHaveLength(Math.ceil((512 * 2) / 3) * 4);
    const back = decodeFloat16Base64(text);
    expect(back).toHaveLength(512);
    let dot = 0;
    for (let i = 0; i < 512; i++) {
      expect(Math.abs(back[i]! - embedding[i]!)).toBeLessThan(1e-3);
      dot += back[i]! * embedding[i]!;
    }
    expect(Math.abs(dot - 1)).toBeLessThan(1e-4);
  });
});
