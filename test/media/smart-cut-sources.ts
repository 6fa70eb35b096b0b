/**
 * The smart-cut check on the kinds of files users have, and those files, made with ffmpeg: every
 * clip holds exactly the source's frames of the requested range; from the copied keyframe on they
 * are the source's frames bit for bit, the re-encoded ones are close to them (PSNR), the whole clip
 * decodes without a complaint, its audio starts with its video, and it plays in Chromium.
 * smart-cut.test.ts runs it on one source of each codec family on every run;
 * smart-cut-sources.sweep.test.ts on the other containers, GOP structures and oddities.
 */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClipFacts } from '../../src/media/clip-check.ts';
import { cutClips, type ClipRequest, type CutClip } from '../../src/media/cut.ts';
import { runTool } from '../../src/media/ffmpeg.ts';
import { presentationTimes, probe, readVideoPackets } from '../../src/media/probe.ts';
import { playClips } from '../helpers/chromium-playback.ts';
import { hasChromium } from '../report/chromium.ts';
import { ffmpeg, tempDir } from './media-fixtures.ts';

const SIZE = { width: 192, height: 108 };
/** Frames are compared as 16-bit samples, so that 10-bit sources are compared on all their bits. */
const FRAME_BYTES = SIZE.width * SIZE.height * 3;
const SECONDS = 16;
/** testsrc2 moves everywhere, so no frame is a copy of its neighbour. */
const picture = (fps: number) => ['-f', 'lavfi', '-i', `testsrc2=s=${SIZE.width}x${SIZE.height}:r=${fps}:d=${SECONDS}`];
const tone = ['-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${SECONDS}`];
const x264 = (params: string) => ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-pix_fmt', 'yuv420p', '-x264-params', params];
const SPARSE = 'keyint=250:min-keyint=250:scenecut=0';

/** Clips across a keyframe (10 s), ending between keyframes, and before the first keyframe after 0. */
const CLIPS: ClipRequest[] = [
  { id: 'across', start: 7.3, end: 13.1 },
  { id: 'fromkey', start: 10, end: 12.5 },
  { id: 'inside', start: 2.2, end: 4.9 },
];

export interface Fixture {
  name: string;
  /** Whether this source's clips can be smart cuts: else they are copies or whole re-encodes. */
  smart: boolean;
  /** Why its copied and smart clips are not played in Chromium, if they are not. */
  notPlayed?: string;
  /** The MP4 sample entry its smart clips must have, where that is a decision (HEVC: docs/analysis/cutting.md). */
  smartTag?: string;
  /** Writes the source into `dir`; returns its path. */
  make: (dir: string) => Promise<string>;
}

const sparseH264 = (dir: string) => ffmpeg(path.join(dir, 'sparse.mp4'), [...picture(25), ...tone, ...x264(SPARSE), '-c:a', 'aac']);
/** x265's default GOP is open: its keyframe at 10 s is a CRA, followed by a leading picture shown before it. */
const hevcMp4 = (dir: string, { name = 'hevc.mp4', params = '', pixFmt = 'yuv420p' } = {}) =>
  ffmpeg(path.join(dir, name), [
    ...picture(25), ...tone, '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', `keyint=250:min-keyint=250:scenecut=0:log-level=error${params}`,
    '-tag:v', 'hvc1', '-pix_fmt', pixFmt, '-c:a', 'aac',
  ]);
/** ffmpeg's MPEG-4 Part 2 encoder, a keyframe every 10 s, closed GOPs (which it allows only without scene cuts). */
const mpeg4 = (bframes: number) => ['-c:v', 'mpeg4', '-q:v', '3', '-g', '250', '-bf', String(bframes), '-flags', '+cgop', '-sc_threshold', '1000000000'];
const noDecoderInChromium = (codec: string) => `Debian's Chromium has no ${codec} decoder: it reads such a clip's duration but never shows a frame`;

export const FIXTURES: Fixture[] = [
  { name: 'H.264, a keyframe every 10 s', smart: true, make: sparseH264 },
  {
    name: 'H.264 open GOP with a B-pyramid',
    smart: false,
    make: (dir) =>
      ffmpeg(path.join(dir, 'open-gop.mp4'), [...picture(25), ...tone, ...x264('keyint=100:min-keyint=100:scenecut=0:open-gop=1:b-pyramid=normal:bframes=3'), '-c:a', 'aac']),
  },
  { name: 'HEVC in MP4 (hvc1), open GOP', smart: true, notPlayed: noDecoderInChromium('HEVC'), smartTag: 'hev1', make: hevcMp4 },
  {
    name: 'HEVC in MKV, open GOP',
    smart: true,
    notPlayed: noDecoderInChromium('HEVC'),
    smartTag: 'hev1',
    make: async (dir) => ffmpeg(path.join(dir, 'hevc.mkv'), ['-i', await hevcMp4(dir), '-c', 'copy']),
  },
  {
    name: 'HEVC 10-bit in MP4 (hvc1), closed GOP',
    smart: true,
    notPlayed: noDecoderInChromium('HEVC'),
    smartTag: 'hev1',
    make: (dir) => hevcMp4(dir, { name: 'hevc10.mp4', params: ':open-gop=0', pixFmt: 'yuv420p10le' }),
  },
  {
    name: 'MPEG-4 Part 2, Simple profile (no B-frames)',
    smart: true,
    notPlayed: noDecoderInChromium('MPEG-4 Part 2'),
    make: (dir) => ffmpeg(path.join(dir, 'mpeg4-simple.mp4'), [...picture(25), ...tone, ...mpeg4(0), '-c:a', 'aac']),
  },
  {
    name: 'MPEG-4 Part 2 with B-frames',
    smart: true,
    notPlayed: noDecoderInChromium('MPEG-4 Part 2'),
    make: (dir) => ffmpeg(path.join(dir, 'mpeg4-b.mp4'), [...picture(25), ...tone, ...mpeg4(2), '-c:a', 'aac']),
  },
  {
    name: 'a VFR phone-style file',
    smart: true,
    make: (dir) =>
      ffmpeg(path.join(dir, 'vfr.mp4'), [
        ...picture(30), ...tone, '-vf', "settb=1/90000,setpts='(N/30+0.006*mod(N,3))/TB'", '-fps_mode', 'passthrough', '-enc_time_base', '1:90000',
        '-video_track_timescale', '90000', ...x264('keyint=300:min-keyint=300:scenecut=0'), '-c:a', 'aac',
      ]),
  },
  {
    name: 'a rotated file',
    smart: true,
    make: async (dir) => ffmpeg(path.join(dir, 'rotated.mp4'), ['-i', await sparseH264(dir), '-c', 'copy', '-metadata:s:v:0', 'rotate=90']),
  },
  {
    name: 'VP9 in WebM',
    smart: true,
    make: (dir) =>
      ffmpeg(path.join(dir, 'vp9.webm'), [
        ...picture(25), ...tone, '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-g', '250', '-crf', '20', '-b:v', '0', '-c:a', 'libopus',
      ]),
  },
  {
    name: 'VP8 in WebM',
    smart: true,
    make: (dir) =>
      ffmpeg(path.join(dir, 'vp8.webm'), [
        ...picture(25), ...tone, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-g', '250', '-crf', '10', '-b:v', '10M', '-c:a', 'libvorbis',
      ]),
  },
  {
    name: 'H.264 in MKV',
    smart: true,
    make: async (dir) => ffmpeg(path.join(dir, 'h264.mkv'), ['-i', await sparseH264(dir), '-c', 'copy']),
  },
  {
    name: 'video that starts 0.85 s after the audio',
    smart: true,
    make: (dir) => ffmpeg(path.join(dir, 'late-video.mp4'), ['-itsoffset', '0.85', ...picture(25), ...tone, '-map', '0:v', '-map', '1:a', ...x264(SPARSE), '-c:a', 'aac']),
  },
];

/** Every frame of a file as decoded, unrotated, in presentation order. */
async function decodeFrames(file: string): Promise<Buffer[]> {
  const raw = `${file}.yuv`;
  await ffmpeg(raw, ['-noautorotate', '-i', file, '-map', '0:v:0', '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p16le', '-f', 'rawvideo']);
  const bytes = await readFile(raw);
  await rm(raw);
  return Array.from({ length: bytes.length / FRAME_BYTES }, (_, i) => bytes.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES));
}

async function videoTag(file: string): Promise<string> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_tag_string', '-of', 'csv=p=0', file], file);
  return stdout.trim();
}

const md5 = (frame: Buffer) => createHash('md5').update(frame).digest('hex');

/** PSNR of two frames of 16-bit samples (8- and 10-bit ones scaled up by swscale, which keeps the ratio). */
function psnr(a: Buffer, b: Buffer): number {
  // Little-endian samples at even offsets (frames are whole samples into the file's own buffer).
  const [x, y] = [a, b].map((frame) => new Uint16Array(frame.buffer, frame.byteOffset, frame.length / 2)) as [Uint16Array, Uint16Array];
  let squared = 0;
  for (let i = 0; i < x.length; i++) squared += (x[i]! - y[i]!) ** 2;
  return squared === 0 ? Infinity : 10 * Math.log10((65535 * 65535 * x.length) / squared);
}

/** The one source of each codec family that every run checks (smart-cut.test.ts). */
export const EVERY_RUN = new Set(['H.264, a keyframe every 10 s', 'HEVC in MP4 (hvc1), open GOP', 'VP9 in WebM']);

/** A test per source: cut CLIPS from it and check each clip. */
export function describeSmartCuts(fixtures: readonly Fixture[]): void {
  describe('smart cut', () => {
    let dir = '';
    let remove = async () => {};
    beforeAll(async () => ({ dir, remove } = await tempDir()));
    afterAll(() => remove());

    it.each(fixtures)('$name: every clip is exactly the planned frames, copied ones bit for bit', (fixture) => expectSmartCuts(fixture, dir));
  });
}

/** Makes `fixture`'s source in a folder of its own under `dir`, cuts CLIPS from it and checks each clip. */
async function expectSmartCuts(fixture: Fixture, dir: string): Promise<void> {
  const at = await mkdtemp(path.join(dir, 'source-'));
  const file = await fixture.make(at);
  const out = path.join(at, 'clips');
  await mkdir(out);
  const [clips, sourceFrames, times, { keyframes }] = await Promise.all([
    cutClips(file, CLIPS, out),
    decodeFrames(file),
    readVideoPackets(file).then(presentationTimes),
    probe(file),
  ]);
  expect(sourceFrames.length).toBe(times.length);
  for (const clip of clips) await expectExact(fixture.name, clip, { sourceFrames, times, keyframes });
  for (const clip of clips.filter((clip) => fixture.smartTag && clip.mode === 'smart')) expect(await videoTag(clip.file), clip.id).toBe(fixture.smartTag);
  expect(clips.some((clip) => clip.mode === 'smart')).toBe(fixture.smart);
  if (hasChromium) await expectPlays(clips.filter((clip) => !(fixture.notPlayed && clip.mode !== 'reencode')), keyframes);
}

/**
 * Each clip plays in Chromium: its duration is the planned one (±1 frame), and seeks to its end,
 * its join and its start each show a frame. Seeks go end first and to distinct frames: a seek to
 * the frame already shown presents no new frame. HEVC and Matroska copies are not played:
 * Chromium builds without them are common.
 */
async function expectPlays(clips: readonly CutClip[], keyframes: readonly number[]): Promise<void> {
  const playable = clips.filter((clip) => clip.file && !(clip.mode === 'copy' && clip.file.endsWith('.mkv')));
  const byFile = new Map(playable.map((clip) => [clip.file, clip]));
  const seeksOf = (clip: CutClip): number[] => {
    const lastFrame = clip.end - clip.start - clip.frameDuration;
    const join = (keyframes.find((time) => time >= clip.start - 0.0005) ?? clip.start) - clip.start;
    const times = [lastFrame, ...(join > 0 && join < lastFrame ? [join] : []), 0];
    return times.map((time) => time + clip.frameDuration / 2);
  };
  const played = await playClips([...byFile.keys()], (file) => seeksOf(byFile.get(file)!));
  for (const playback of played) {
    const clip = byFile.get(playback.file)!;
    expect(playback.error, `${clip.id} plays`).toBeNull();
    expect(Math.abs(playback.duration - (clip.end - clip.start)), `${clip.id}: duration`).toBeLessThanOrEqual(clip.frameDuration + 0.01);
    expect(playback.frames, `${clip.id}: a frame after each seek`).toHaveLength(seeksOf(clip).length);
  }
}

interface SourceFrames {
  sourceFrames: Buffer[];
  times: number[];
  keyframes: number[];
}

async function expectExact(sourceName: string, clip: CutClip, source: SourceFrames): Promise<void> {
  const what = `${sourceName}, clip ${clip.id}`;
  expect(clip.skipped, what).toBeUndefined();

  // The frames of the requested range, and only those.
  const wanted = source.times.flatMap((time, i) => (time >= clip.requestedStart - 0.0005 && time < clip.requestedEnd - 0.0005 ? [i] : []));
  const decoded = await decodeFrames(clip.file);
  expect(decoded.length, what).toBe(wanted.length);
  expect(clip.start, what).toBeCloseTo(source.times[wanted[0]!]!, 3);

  // Copied frames are the source's own; re-encoded ones (the head before the keyframe, the foot
  // after the last copied frame) are close to them.
  const copyFrom = clip.mode === 'reencode' ? Infinity : source.keyframes.find((time) => time >= clip.start - 0.0005)!;
  const copyTo = clip.mode === 'reencode' ? -Infinity : clip.end - (clip.reencodedSeconds - (copyFrom - clip.start)) - 0.0005;
  wanted.forEach((index, i) => {
    const time = source.times[index]!;
    const original = source.sourceFrames[index]!;
    if (time >= copyFrom - 0.0005 && time < copyTo) expect(md5(decoded[i]!), `${what}: frame at ${time} s is copied`).toBe(md5(original));
    else expect(psnr(decoded[i]!, original), `${what}: frame at ${time} s is re-encoded`).toBeGreaterThanOrEqual(38);
  });

  const { stderr } = await runTool('ffmpeg', ['-v', 'error', '-xerror', '-i', clip.file, '-f', 'null', '-'], clip.file);
  expect(stderr, `${what} decodes cleanly`).toBe('');
  const facts = await readClipFacts(clip.file);
  expect(Math.abs(facts.audioStart! - facts.videoStart), `${what}: audio starts with video`).toBeLessThanOrEqual(facts.audioFrame! + 0.001);
}
