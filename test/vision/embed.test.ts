import { describe, expect, it } from 'vitest';
import { cosineSimilarity, l2Normalise } from '../../src/faces/geometry/vector.ts';

describe('embeddings', () => {
  it('normalises to unit length', () => {
    const v = l2Normalise(Float32Array.from([3, 4]));
    expect([...v].map((x) => +x.toFixed(6))).toEqual([0.6, 0.8]);
    expect([...l2Normalise(new Float32Array(3))]).toEqual([0, 0, 0]);
  });

  it('compares by cosine', () => {
    const a = Float32Array.from([1, 2, 3]);
    expect(cosineSimilarity(a, Float32Array.from([2, 4, 6]))).toBeCloseTo(1, 6);
    expect(cosineSimilarity(a, Float32Array.from([-1, -2, -3]))).toBeCloseTo(-1, 6);
    expect(cosineSimilarity(Float32Array.from([1, 0]), Float32Array.from([0, 5]))).toBe(0);
    expect(() => cosineSimilarity(a, Float32Array.from([1]))).toThrow(/3 and 1/);
  });
});
