/** Issue 13: params that cannot work fail once, before any build, with one line and exit 2. */
import { afterEach, describe, expect, it } from 'vitest';
import { defaultPipelineRig, type Rig } from '../helpers/rig.ts';

let rig: Rig;
afterEach(() => rig?.cleanup());

describe('the default pipeline checks its params once, before any build', () => {
  it.each([
    [['--min-dur', '5', '--max-dur', '3'], 'vbuild: max_dur 3 s is too short to split long segments into parts of min_dur 5 s (it must be at least 2 x min_dur + 2 samples = 11 s)'],
    [['--identity', 'missing/face.jpg'], 'vbuild: --identity: identity reference '],
    [['--models', 'no-such-pack'], 'vbuild: --models no-such-pack: '],
    [['--det-size', '100'], 'vbuild: --det-size must be a multiple of 32, got 100'],
    [['--max-yaw', '-5'], 'vbuild: --max-yaw must be at least 0, got -5'],
  ])('%j', async (args, message) => {
    // No cache folder to start with: the run must not create one.
    rig = defaultPipelineRig({ convertedModels: false });
    // Two inputs that are not even videos: had any build started, each would fail on its own.
    rig.write('videos/a.mp4', 'not a video');
    rig.write('videos/b.mp4', 'not a video either');
    for (const dry of [[], ['-n']]) {
      const result = await rig.run(['all', ...dry, ...args]);
      expect(result.code).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toContain(message);
    }
    expect(rig.exists('cache')).toBe(false);
  });
});
