/** probe() on the real corpus and on synthetic edge cases (rotation, VFR, HEVC, containers, broken files). */
import { existsSync } from 'node:fs';
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MediaError } from '../../src/media/ffmpeg.ts';
import { isVariableFrameRate, probe } from '../../src/media/probe.ts';
import { FIXTURE_VIDEOS, lacksVideo } from '../helpers/test-data.ts';
import { expectKeyframeLists } from './keyframe-lists.ts';
import { HOSTILE_NAME, X264_FAST, corpus, ffmpeg, hasEncoder, lavfiInputs, tempDir } from './media-fixtures.ts';

describe('probe on the corpus', () => {
  it('puts the hamilton video on its real timeline (video starts at 0.852 s)', async () => {
    const facts = await probe(corpus('hamilton_whitehouse_cuts_640x360.mp4'));
    expect(facts.startSec).toBeCloseTo(0.852019, 6);
    expect(facts.keyframes[0]).toBe(facts.startSec);
    expect(facts.frameCount).toBe(275);
    expect(facts.fpsAvg).toBeCloseTo(29.97, 2);
    expect(facts.durationSec).toBeCloseTo(10.01, 1); // ffprobe 5.1 says 10.008, 6.x 10.020
    expect(facts).toMatchObject({ width: 640, height: 360, rotation: 0, videoCodec: 'h264', audioCodec: 'aac', hasAudio: true, vfr: false });
    expect(facts.container).toContain('mp4');
  });

  const SELFIE = 'man_selfie_vertical_720x1280_noaudio.mp4';
  it.skipIf(lacksVideo(SELFIE, 'probe of a portrait video'))('reports a portrait video without audio', async () => {
    const facts = await probe(corpus(SELFIE));
    expect(facts).toMatchObject({ width: 720, height: 1280, codedWidth: 720, codedHeight: 1280, hasAudio: false, audioCodec: null, frameCount: 352 });
  });

  const MPEG4 = 'congresswoman_address_mpeg4_512.mp4';
  it.skipIf(lacksVideo(MPEG4, 'probe of MPEG-4 Part 2'))('reads MPEG-4 Part 2', async () => {
    expect((await probe(corpus(MPEG4))).videoCodec).toBe('mpeg4');
  });

  it('reads VP8/Vorbis WebM', async () => {
    const webm = await probe(corpus('tears_of_steel_5shots_800x332.webm'));
    expect(webm).toMatchObject({ videoCodec: 'vp8', audioCodec: 'vorbis', frameCount: 309, fpsReal: 24, vfr: false });
    expect(webm.container).toContain('webm');
    // Its hard cuts were encoded as keyframes.
    expect(webm.keyframes).toEqual(expect.arrayContaining([2.167, 5.083, 6.583]));
  });

  // The same over every corpus video: probe-corpus.sweep.test.ts (npm run test:reliability).
  it('gives every fixture video an ascending keyframe list that starts at its first frame', () => expectKeyframeLists(FIXTURE_VIDEOS, 4));
});

describe('probe on synthetic files', () => {
  let dir = '';
  let remove = async () => {};
  const file = (name: string) => path.join(dir, name);
  beforeAll(async () => ({ dir, remove } = await tempDir()));
  afterAll(() => remove());

  it('swaps the display size of a video rotated by its display matrix', async () => {
    const plain = await ffmpeg(file('plain.mp4'), [...lavfiInputs(1), ...X264_FAST, '-shortest']);
    // The legacy rotate tag becomes a display matrix; ffmpeg versions disagree on its sign.
    const rotated = await ffmpeg(file('rotated.mp4'), ['-i', plain, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    const facts = await probe(rotated);
    expect([90, 270]).toContain(facts.rotation);
    expect(facts).toMatchObject({ width: 120, height: 160, codedWidth: 160, codedHeight: 120 });
  });

  it('flags variable frame rate and keeps constant rate unflagged', async () => {
    const vfr = await ffmpeg(file('vfr.mp4'), [
      '-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25:d=3',
      '-vf', 'setpts=(N*0.04+gte(N\\,25)*(N-25)*0.04)/TB', // 25 fps for 1 s, then 12.5 fps
      '-vsync', 'vfr', ...X264_FAST,
    ]);
    const facts = await probe(vfr);
    expect(facts.vfr).toBe(true);
    expect(facts.frameCount).toBe(75);
    expect((await probe(await ffmpeg(file('cfr.mp4'), [...lavfiInputs(2), ...X264_FAST, '-shortest']))).vfr).toBe(false);
  });

  it('tolerates millisecond timestamps of Matroska at 24 fps', () => {
    const times = Array.from({ length: 48 }, (_, i) => Math.round((i / 24) * 1000) / 1000);
    expect(isVariableFrameRate(times)).toBe(false);
  });

  it('reads HEVC (libx265) when this ffmpeg can encode it', async (ctx) => {
    if (!(await hasEncoder('libx265'))) ctx.skip('this ffmpeg has no libx265 encoder: HEVC probe not tested');
    const hevc = await ffmpeg(file('hevc.mp4'), [...lavfiInputs(1), '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error', '-shortest']);
    expect(await probe(hevc)).toMatchObject({ videoCodec: 'hevc', width: 160, height: 120, hasAudio: true });
  });

  it.each([
    ['mkv', ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'libopus'], 'matroska', 'h264'],
    ['mov', ['-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'], 'mov', 'h264'],
    ['webm', ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-c:a', 'libopus'], 'webm', 'vp9'],
  ])('reads %s', async (ext, codecArgs, container, videoCodec) => {
    const made = await ffmpeg(file(`container.${ext}`), [...lavfiInputs(1), ...codecArgs, '-shortest']);
    const facts = await probe(made);
    expect(facts.container).toContain(container);
    expect(facts).toMatchObject({ videoCodec, hasAudio: true, width: 160, height: 120 });
    expect(facts.keyframes[0]).toBe(facts.startSec);
  });

  it('rejects an audio-only file, naming it', async () => {
    const audio = await ffmpeg(file('voice.m4a'), ['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac']);
    const error = await probe(audio).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toMatch(/no video stream/);
    expect((error as Error).message).toContain(audio);
  });

  it('rejects garbage and a truncated MP4, naming the file and quoting ffprobe', async () => {
    const garbage = file('garbage.mp4');
    await writeFile(garbage, Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 7919) % 251)));
    const whole = await ffmpeg(file('whole.mp4'), [...lavfiInputs(2), ...X264_FAST, '-shortest']);
    const bytes = await readFile(whole);
    const truncated = file('truncated.mp4'); // the index (moov) is at the end, so half a file has none
    await writeFile(truncated, bytes.subarray(0, bytes.length >> 1));
    for (const broken of [garbage, truncated]) {
      const error = await probe(broken).catch((e: unknown) => e);
      expect(error, broken).toBeInstanceOf(MediaError);
      expect((error as MediaError).message).toContain(broken);
      expect((error as MediaError).stderr.length, broken).toBeGreaterThan(0);
    }
  });

  it('rejects a video whose streams and packets list but whose frames do not decode, naming it', async () => {
    // The container is intact; every byte of the frames is zero, so no frame decodes from the first
    // packets that the streams listing decodes, and the full decode check says why.
    const bytes = await readFile(await ffmpeg(file('intact.mp4'), [...lavfiInputs(1), ...X264_FAST, '-an']));
    const mdat = bytes.indexOf('mdat');
    bytes.fill(0, mdat + 4, mdat - 4 + bytes.readUInt32BE(mdat - 4));
    const zeroed = file('zeroed frames.mp4');
    await writeFile(zeroed, bytes);
    const error = await probe(zeroed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MediaError);
    expect((error as Error).message).toMatch(/cannot decode the video/);
    expect((error as Error).message).toContain(zeroed);
  });

  it('handles a file name with spaces, quotes, $() and unicode', async () => {
    const hostile = file(`${HOSTILE_NAME}.mp4`);
    await copyFile(corpus('hamilton_whitehouse_cuts_640x360.mp4'), hostile);
    const facts = await probe(hostile);
    expect(facts).toMatchObject({ file: hostile, width: 640, height: 360, frameCount: 275 });
    expect(existsSync(file('pwned'))).toBe(false);
    expect(existsSync('pwned')).toBe(false);
  });
});
