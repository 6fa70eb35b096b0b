import { describe, expect, it } from 'vitest';
import { expectedSamples, resumePoint, sampleIndex } from '../../src/detect/sampling.ts';

describe('sample grid', () => {
  it('numbers samples by interval from the first frame, boundaries included', () => {
    expect([0, 0.5, 1.0, 1.5333].map((t) => sampleIndex(t, 0, 2, null))).toEqual([0, 1, 2, 3]);
    // A stream starting at 0.852 s: its first frame is sample 0, the next interval's is 1.
    expect(sampleIndex(0.852019, 0.852019, 2, null)).toBe(0);
    expect(sampleIndex(1.018852, 0.852019, 2, 0)).toBe(1);
  });

  it('leaves a gap for an interval without frames and never repeats an index', () => {
    expect(sampleIndex(2.1, 0, 2, 1)).toBe(4);
    expect(sampleIndex(0.9999999, 0, 2, 1)).toBe(2);
  });

  it('resumes at the last journalled frame, indexed from the first', () => {
    expect(resumePoint([])).toBeNull();
    expect(resumePoint([{ t: 0.852019, i: 0 }, { t: 1.018852, i: 1 }, { t: 1.519353, i: 2 }])).toEqual({
      start: 1.519353,
      firstTime: 0.852019,
      lastIndex: 2,
    });
  });

  it('expects duration x fps samples, at least one', () => {
    expect(expectedSamples(9.4, 2)).toBe(19);
    expect(expectedSamples(0.01, 2)).toBe(1);
  });
});
