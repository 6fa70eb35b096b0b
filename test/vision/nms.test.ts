import { describe, expect, it } from 'vitest';
import { nonMaxSuppression } from '../../src/faces/geometry/nms.ts';
import type { Box } from '../../src/faces/types.ts';

describe('non-maximum suppression', () => {
  it('keeps the best of overlapping boxes and every separate one, best first', () => {
    const boxes: Box[] = [[1, 1, 11, 11], [100, 100, 120, 120], [0, 0, 10, 10]];
    expect(nonMaxSuppression(boxes, [0.8, 0.7, 0.9], 0.4)).toEqual([2, 1]);
  });

  it('counts pixels inclusively like insightface', () => {
    // Inclusive areas give IoU 50/150 = 0.33; exclusive ones would give 36/126 = 0.29.
    const boxes: Box[] = [[0, 0, 9, 9], [5, 0, 14, 9]];
    expect(nonMaxSuppression(boxes, [0.9, 0.8], 0.3)).toEqual([0]);
    expect(nonMaxSuppression(boxes, [0.9, 0.8], 0.34)).toEqual([0, 1]);
  });
});
