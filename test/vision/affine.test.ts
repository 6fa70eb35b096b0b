import { describe, expect, it } from 'vitest';
import { applyAffine, estimateSimilarity, invertAffine } from '../../src/faces/geometry/affine.ts';
import type { Affine2D, Point } from '../../src/faces/types.ts';

function similarity(scale: number, degrees: number, tx: number, ty: number): Affine2D {
  const a = scale * Math.cos((degrees * Math.PI) / 180);
  const b = scale * Math.sin((degrees * Math.PI) / 180);
  return [a, -b, tx, b, a, ty];
}

const SOURCE: Point[] = [[10, 20], [60, 18], [35, 45], [15, 70], [58, 72]];

describe('affine matrices', () => {
  it('recovers a known similarity exactly', () => {
    const truth = similarity(1.7, 30, 12, -4);
    const estimated = estimateSimilarity(SOURCE, SOURCE.map((p) => applyAffine(truth, p)));
    estimated.forEach((v, i) => expect(v).toBeCloseTo(truth[i]!, 9));
  });

  it('fits the least-squares similarity, never a reflection', () => {
    const mirrored = SOURCE.map(([x, y]): Point => [-x, y]);
    const m = estimateSimilarity(SOURCE, mirrored);
    expect(m[0]).toBeCloseTo(m[4], 12); // [a -b; b a]: a rotation and a scale
    expect(m[1]).toBeCloseTo(-m[3], 12);
  });

  it('inverts', () => {
    const m = similarity(0.5, -70, 100, 3);
    const back = applyAffine(invertAffine(m), applyAffine(m, [7, 9]));
    expect(back[0]).toBeCloseTo(7, 10);
    expect(back[1]).toBeCloseTo(9, 10);
  });
});
