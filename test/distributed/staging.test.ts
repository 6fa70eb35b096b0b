/**
 * Staged folders in the shared cache: a worker's outputs wait there for their coordinator. One
 * that nobody will collect (its worker died, its coordinator never came back) is garbage that
 * `vbuild gc` removes; one a running build keeps fresh, or a finished one waiting for a
 * coordinator within the hour, stays.
 */
import { existsSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ABANDONED_AFTER_MS } from '../../src/distributed/staging.ts';
import { ToyRig } from '../engine/toy-rig.ts';

describe('vbuild gc and the staged folders of queue workers', () => {
  const rig = new ToyRig({ 'a.mp4': 'alpha' });
  afterAll(() => rig.cleanup());

  it('removes the folders untouched for longer than a finished job is kept, and only those', async () => {
    expect((await rig.run(['all'])).code).toBe(0);
    const abandoned = rig.write('cache/staged/worker-gone-41-aaa/upper.txt', 'old');
    const waiting = rig.write('cache/staged/worker-busy-42-bbb/upper.txt', 'recent');
    const old = new Date(Date.now() - ABANDONED_AFTER_MS - 60_000);
    utimesSync(path.dirname(abandoned), old, old);
    const recent = new Date(Date.now() - ABANDONED_AFTER_MS / 2);
    utimesSync(path.dirname(waiting), recent, recent);

    const result = await rig.run(['gc']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('removed 1 staging folders queue workers left');
    expect(existsSync(path.dirname(abandoned))).toBe(false);
    expect(rig.read('cache/staged/worker-busy-42-bbb/upper.txt')).toBe('recent');
    // The built outputs are untouched.
    expect((await rig.run(['all'])).stderr).toContain('0 ran');
  });
});
