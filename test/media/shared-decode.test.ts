/**
 * One ffmpeg decoding for several consumers (DecodeProcess with outputs of their own, and
 * decodeShared through a Rendezvous): each gets byte for byte the frames its own decode gives,
 * and one that stops early does not hold up the other.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Rendezvous } from '../../src/engine/rendezvous.ts';
import { DecodeProcess, decodeFrames, type DecodeOptions, type Frame } from '../../src/media/decode.ts';
import { presentationTimes, readVideoPackets } from '../../src/media/probe.ts';
import { decodeShared } from '../../src/media/shared-decode.ts';
import { fixtureVideo } from '../helpers/test-data.ts';

const MULTISHOT = fixtureVideo('multishot_8shots_640x360_25fps.mp4');
const HAMILTON = fixtureVideo('hamilton_whitehouse_cuts_640x360.mp4');

/** scene_scores' and detect's decodes: one decoder serves both, its frames split between them. */
const GRID: DecodeOptions = { width: 32, pixFmt: 'rgb24' };
const SAMPLED: DecodeOptions = { fps: 2, pixFmt: 'rgb24' };

/** Each frame's time, size and a hash of its bytes. */
async function digest(frames: AsyncIterable<Frame>, stopAfter = Infinity): Promise<string[]> {
  const seen: string[] = [];
  for await (const frame of frames) {
    seen.push(`${frame.index} ${frame.time} ${frame.width}x${frame.height} ${createHash('sha256').update(frame.data).digest('hex')}`);
    if (seen.length === stopAfter) break;
  }
  return seen;
}

describe('a decode shared by several consumers', () => {
  it('gives each output the frames of its own decode', async () => {
    for (const file of [MULTISHOT, HAMILTON]) {
      const [grid, sampled] = await Promise.all([digest(decodeFrames(file, GRID)), digest(decodeFrames(file, SAMPLED))]);
      const shared = await DecodeProcess.start(file, [GRID, SAMPLED]);
      expect(await Promise.all([digest(shared.frames(0)), digest(shared.frames(1))])).toEqual([grid, sampled]);
      expect(grid.length).toBeGreaterThan(sampled.length * 10);
    }
  });

  it('gives an output that asks for other decoder options a decoder of its own', async () => {
    const unfiltered: DecodeOptions = { ...GRID, skipDeblocking: true };
    const alone = await Promise.all([unfiltered, SAMPLED, GRID].map((opts) => digest(decodeFrames(HAMILTON, opts))));
    const shared = await DecodeProcess.start(HAMILTON, [unfiltered, SAMPLED, GRID]);
    expect(await Promise.all([0, 1, 2].map((i) => digest(shared.frames(i))))).toEqual(alone);
    // The comparison can fail: without its deblocking filter, the grid's frames differ.
    expect(alone[0]).not.toEqual(alone[2]);
  });

  it('skips non-reference frames only in the output that asks: the other still gets every frame', async () => {
    const references: DecodeOptions = { ...SAMPLED, referenceFramesOnly: true };
    const [grid, sampled] = await Promise.all([digest(decodeFrames(MULTISHOT, GRID)), digest(decodeFrames(MULTISHOT, references))]);
    const shared = await DecodeProcess.start(MULTISHOT, [GRID, references]);
    expect(await Promise.all([digest(shared.frames(0)), digest(shared.frames(1))])).toEqual([grid, sampled]);
    expect(grid).toHaveLength(presentationTimes(await readVideoPackets(MULTISHOT)).length);
    expect(sampled).not.toEqual(await digest(decodeFrames(MULTISHOT, SAMPLED)));
  });

  it('goes on for one consumer when the other stops early', async () => {
    const alone = await digest(decodeFrames(MULTISHOT, GRID));
    const shared = await DecodeProcess.start(MULTISHOT, [{ ...SAMPLED, pixFmt: 'rgb24' }, GRID]);
    const [early, grid] = await Promise.all([digest(shared.frames(0), 2), digest(shared.frames(1))]);
    expect(early).toHaveLength(2);
    expect(grid).toEqual(alone);
  });

  it('meets through a shared source, and decodes alone when the partner leaves', async () => {
    const together = new Rendezvous(['detect', 'scene_scores']);
    const [scenes, detect] = await Promise.all([
      decodeShared(together.member('scene_scores'), 'scene_scores', HAMILTON, GRID),
      decodeShared(together.member('detect'), 'detect', HAMILTON, SAMPLED),
    ]);
    expect([scenes.sharedWith, detect.sharedWith]).toEqual([['detect'], ['scene_scores']]);
    expect(await Promise.all([digest(scenes.frames), digest(detect.frames)])).toEqual(
      await Promise.all([digest(decodeFrames(HAMILTON, GRID)), digest(decodeFrames(HAMILTON, SAMPLED))]),
    );

    const left = new Rendezvous(['detect', 'scene_scores']);
    left.member('detect').leave();
    const alone = await decodeShared(left.member('scene_scores'), 'scene_scores', HAMILTON, GRID);
    expect(alone.sharedWith).toEqual([]);
    expect(await digest(alone.frames)).toEqual(await digest(decodeFrames(HAMILTON, GRID)));
  });
});
