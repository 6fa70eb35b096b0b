/** decodeFrames: exact pts on the file's timeline, sampling, ranges, rotation, backpressure, errors. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, type DecodeOptions, type Frame } from '../../src/media/decode.ts';
import { MediaError } from '../../src/media/ffmpeg.ts';
import { presentationTimes, readVideoPackets } from '../../src/media/probe.ts';
import { fixtureVideo } from '../helpers/test-data.ts';
import { X264_FAST, corpus, ffmpeg, lavfiInputs, tempDir } from './media-fixtures.ts';

const HAMILTON = corpus('hamilton_whitehouse_cuts_640x360.mp4');
const MULTISHOT = fixtureVideo('multishot_8shots_640x360_25fps.mp4');

async function collect(file: string, opts: DecodeOptions): Promise<Frame[]> {
  const frames: Frame[] = [];
  for await (const frame of decodeFrames(file, opts)) frames.push(frame);
  return frames;
}

async function frameTimes(file: string): Promise<number[]> {
  return presentationTimes(await readVideoPackets(file));
}

describe('decodeFrames', () => {
  let dir = '';
  let remove = async () => {};
  beforeAll(async () => ({ dir, remove } = await tempDir()));
  afterAll(() => remove());

  it('returns every frame with its own pts on the real timeline (hamilton starts at 0.852 s)', async () => {
    const frames = await collect(HAMILTON, { width: 256, pixFmt: 'gray' });
    const expected = await frameTimes(HAMILTON);
    expect(frames).toHaveLength(275);
    frames.forEach((frame, i) => {
      expect(frame.index).toBe(i);
      expect(frame.time).toBeCloseTo(expected[i]!, 5);
    });
    expect(frames[0]!.time).toBeCloseTo(0.852019, 6);
    expect(frames[0]).toMatchObject({ width: 256, height: 144 });
    expect(frames[0]!.data.length).toBe(256 * 144);
  });

  it('samples one frame per 1/fps bin of the timeline, keeping the sampled frames own times', async () => {
    const all = await frameTimes(HAMILTON);
    const sampled = (await collect(HAMILTON, { width: 64, pixFmt: 'gray', fps: 2 })).map((frame) => frame.time);
    const firstOfEachBin = all.filter((time, i) => i === 0 || Math.floor(time * 2) > Math.floor(all[i - 1]! * 2));
    expect(sampled).toHaveLength(firstOfEachBin.length);
    sampled.forEach((time, i) => expect(time).toBeCloseTo(firstOfEachBin[i]!, 5));
  });

  it('with reference frames only, samples the first reference frame of each bin: the same count, at most one frame later', async () => {
    const all = await frameTimes(MULTISHOT);
    const position = (time: number) => all.findIndex((t) => Math.abs(t - time) < 5e-6);
    const opts: DecodeOptions = { width: 64, pixFmt: 'gray', fps: 2 };
    const every = (await collect(MULTISHOT, opts)).map((frame) => position(frame.time));
    const references = (await collect(MULTISHOT, { ...opts, referenceFramesOnly: true })).map((frame) => position(frame.time));
    expect([...every, ...references]).not.toContain(-1);
    expect(references).toHaveLength(every.length);
    // x264's default B-pyramid: no two non-reference frames in a row, so a sample moves by one
    // frame or not at all; both happen (the decoder did skip frames).
    expect(new Set(references.map((frame, i) => frame - every[i]!))).toEqual(new Set([0, 1]));
  });

  it('decodes a range that starts at a frame pts, in rgb24 at full size', async () => {
    const all = await frameTimes(HAMILTON);
    const from = all[82]!; // first frame of the third shot
    const frames = await collect(HAMILTON, { start: from, duration: 0.2 });
    expect(frames[0]!.time).toBeCloseTo(from, 6);
    expect(frames.map((frame) => frame.time)).toEqual(all.filter((time) => time >= from && time < from + 0.2).map((t) => expect.closeTo(t, 5)));
    expect(frames[0]!.data.length).toBe(640 * 360 * 3);
  });

  it('gives the exact times of a variable-frame-rate video', async () => {
    const vfr = await ffmpeg(path.join(dir, 'vfr.mp4'), [
      '-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25:d=2',
      '-vf', 'setpts=(N*0.04+gte(N\\,20)*(N-20)*0.04)/TB', // 25 fps, then 12.5 fps
      '-vsync', 'vfr', ...X264_FAST,
    ]);
    const times = (await collect(vfr, { pixFmt: 'gray' })).map((frame) => frame.time);
    expect(times).toEqual((await frameTimes(vfr)).map((t) => expect.closeTo(t, 5)));
    expect(times[1]! - times[0]!).toBeCloseTo(0.04, 3);
    expect(times[21]! - times[20]!).toBeCloseTo(0.08, 3);
  });

  it('turns a rotated video upright, like players do', async () => {
    const plain = await ffmpeg(path.join(dir, 'plain.mp4'), [...lavfiInputs(1), ...X264_FAST, '-shortest']);
    const rotated = await ffmpeg(path.join(dir, 'rotated.mp4'), ['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    const [frame] = await collect(rotated, { pixFmt: 'bgr24' });
    expect(frame).toMatchObject({ width: 120, height: 160 });
    expect(frame!.data.length).toBe(120 * 160 * 3);
  });

  it('stops ffmpeg when the consumer stops early', async () => {
    let seen = 0;
    for await (const frame of decodeFrames(MULTISHOT, { width: 128, pixFmt: 'gray' })) {
      seen = frame.index + 1;
      if (seen === 3) break;
    }
    expect(seen).toBe(3); // and the loop returned: the generator waited for ffmpeg to exit
  });

  it('does not buffer ahead of a slow consumer', async () => {
    const frameBytes = 640 * 360 * 3;
    const before = process.memoryUsage().arrayBuffers;
    let peak = 0;
    for await (const frame of decodeFrames(MULTISHOT, { pixFmt: 'rgb24' })) {
      // Give ffmpeg time to run ahead if nothing held it back (it decodes this far faster than 10 fps).
      await new Promise((resolve) => setTimeout(resolve, 100));
      peak = Math.max(peak, process.memoryUsage().arrayBuffers - before);
      if (frame.index === 5) break;
    }
    expect(peak).toBeLessThan(40 * frameBytes); // the whole video is 775 frames
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    const controller = new AbortController();
    const consume = async () => {
      for await (const frame of decodeFrames(MULTISHOT, { width: 128, pixFmt: 'gray', signal: controller.signal })) {
        if (frame.index === 1) controller.abort(new Error('user stopped'));
      }
    };
    await expect(consume()).rejects.toThrow('user stopped');
  });

  it('fails with the file name and ffmpeg stderr on an undecodable file', async () => {
    const garbage = path.join(dir, 'garbage.mkv');
    await writeFile(garbage, 'not a video at all'.repeat(1000));
    const error = await collect(garbage, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as MediaError).message).toContain(garbage);
    expect((error as MediaError).stderr).toMatch(/Invalid data|EBML|error/i);
  });
});
