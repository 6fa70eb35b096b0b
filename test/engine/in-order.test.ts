import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { inOrder } from '../../src/engine/in-order.ts';

describe('inOrder', () => {
  it('gives results in the items’ order, never more than the limit at once', async () => {
    let running = 0;
    let most = 0;
    const results = await inOrder([30, 5, 20, 1, 10], 2, async (ms) => {
      most = Math.max(most, ++running);
      await sleep(ms);
      running--;
      return ms * 2;
    });
    expect(results).toEqual([60, 10, 40, 2, 20]);
    expect(most).toBe(2);
  });

  it('after a failure starts nothing more, waits for the work running, then throws the failure', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const outcome = inOrder([1, 2, 3, 4], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('item 1 failed');
      // Item 2 is still running when item 1 fails: it must end before inOrder does.
      await sleep(50);
      finished.push(item);
      return item;
    });
    await expect(outcome).rejects.toThrow('item 1 failed');
    expect(started).toEqual([1, 2]);
    expect(finished).toEqual([2]);
  });
});
