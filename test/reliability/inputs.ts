/**
 * Odd and hostile input videos for the reliability suite, made with the real ffmpeg from a short
 * face clip of the fixtures or lavfi.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fixtureVideo } from '../helpers/test-data.ts';
import { ffmpeg, X264_FAST } from '../media/media-fixtures.ts';

/**
 * The singer's near-frontal shot in hamilton (3.58–7.88 s): 3.4 s of it is long enough for a clip
 * (min_dur 1 s), short enough to stay fast, and leaves 0.8 s to start later for other content.
 * Scaled to twice its size: the face, about 80 px wide in the file, is then clearly above
 * min_face (80 px) in every variant made from it (rotated, cut in half).
 */
const FACE_SOURCE = fixtureVideo('hamilton_whitehouse_cuts_640x360.mp4');
const FACE_START = 3.62;
export const FACE_SECONDS = '3.4';

/** H.264 + AAC face clip, moov at the end (ffmpeg's default for MP4); `laterSec` (up to 0.8) starts it later in the shot. */
export function faceClip(out: string, laterSec = 0): Promise<string> {
  return ffmpeg(out, ['-ss', String(FACE_START + laterSec), '-t', FACE_SECONDS, '-i', FACE_SOURCE, '-vf', 'scale=1280:720', ...X264_FAST, '-c:a', 'aac']);
}

/**
 * The same pictures under different bytes (a title tag, stream copy): a separate input with its
 * own content hash, so every copy really goes through ffmpeg under its own name.
 */
export function retitled(source: string, out: string, title: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-c', 'copy', '-metadata', `title=${title}`]);
}

export function withMoovAtFront(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-c', 'copy', '-movflags', '+faststart']);
}

/** Phone-style rotation: the pictures stay landscape, a display matrix says "turn by 90°". */
export function rotated(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-c', 'copy', '-metadata:s:v', 'rotate=90']);
}

/** Variable frame rate: every frame of the first 1.5 s, then every third (30 fps, then 10 fps). */
export function variableFrameRate(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-vf', String.raw`select='lt(t\,1.5)+not(mod(n\,3))'`, '-fps_mode', 'vfr', '-an', ...X264_FAST]);
}

export function hevc10Bit(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-c:a', 'copy']);
}

export function halfSecond(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-t', '0.5', '-i', source, ...X264_FAST, '-c:a', 'aac']);
}

export function audioOnly(out: string): Promise<string> {
  return ffmpeg(out, ['-f', 'lavfi', '-i', 'sine=f=440:d=3', '-c:a', 'aac']);
}

/** A moving test pattern: a valid video with nothing face-like in it. */
export function noFaces(out: string): Promise<string> {
  return ffmpeg(out, ['-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25:d=3', ...X264_FAST]);
}

/** The first half of `source`'s bytes, as an interrupted download leaves it. */
export function truncatedHalf(source: string, out: string): string {
  const bytes = readFileSync(source);
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length / 2)));
  return out;
}

/** Bytes that look like nothing: a fixed pseudo-random sequence, so a failure reproduces. */
export function randomBytes(out: string): string {
  const bytes = Buffer.alloc(200_000);
  let state = 0x9e3779b9;
  for (let i = 0; i < bytes.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes[i] = state >>> 24;
  }
  writeFileSync(out, bytes);
  return out;
}

/*
 * Files as real disks hold them (issue 18), each made from the face clip the way users' tools
 * make them.
 */

/** Two recordings joined with a stream copy: the face clip at 1280x720, then its last 1.5 s at 640x360. */
export async function sizeChange(source: string, out: string): Promise<string> {
  const [big, small, list] = [`${out}.a.ts`, `${out}.b.ts`, `${out}.txt`];
  await ffmpeg(big, ['-t', '1.9', '-i', source, ...X264_FAST, '-c:a', 'aac']);
  await ffmpeg(small, ['-ss', '1.9', '-i', source, '-vf', 'scale=640:360', ...X264_FAST, '-c:a', 'aac']);
  writeFileSync(list, `file '${big}'\nfile '${small}'\n`);
  await ffmpeg(out, ['-f', 'concat', '-safe', '0', '-i', list, '-c', 'copy']);
  for (const part of [big, small, list]) rmSync(part);
  return out;
}

/** Trimmed with a stream copy from inside a GOP: the MP4's edit list hides its first packets. */
export function trimmedCopy(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-ss', '1.0', '-i', source, '-c', 'copy']);
}

/** A JPEG muxed before the video as an ordinary track (`-map 1 -map 0`). */
export async function coverFirst(source: string, out: string): Promise<string> {
  const cover = await ffmpeg(`${out}.jpg`, ['-f', 'lavfi', '-i', 'color=c=navy:s=600x600:d=1', '-frames:v', '1']);
  await ffmpeg(out, ['-i', source, '-i', cover, '-map', '1', '-map', '0', '-c', 'copy']);
  rmSync(cover);
  return out;
}

/** A 320x180 rendition first, then the full-size one. */
export function twoRenditions(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-map', '0:v', '-map', '0:v', '-map', '0:a', '-filter:v:0', 'scale=320:180', '-c:v:0', 'libx264', '-preset', 'ultrafast', '-c:v:1', 'copy', '-c:a', 'copy']);
}

/** Variable frame rate with a gap: 1.2–2.0 s cut out with select. */
export function frameRateGap(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-vf', String.raw`select='not(between(t\,1.2\,2.0))'`, '-fps_mode', 'vfr', '-an', ...X264_FAST]);
}

/** MPEG-TS whose timestamps wrap (33 bits at 90 kHz) about 4 s in. */
export function wrappingTs(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-c', 'copy', '-output_ts_offset', '95439.7', '-f', 'mpegts']);
}

/** Anamorphic: stored at 960x720 with 4:3 pixels, shown at 1280x720. */
export function anamorphic(source: string, out: string): Promise<string> {
  return ffmpeg(out, ['-i', source, '-vf', 'scale=960:720,setsar=4/3', ...X264_FAST, '-c:a', 'copy']);
}

/** A subtitle track running past the video. */
export async function subtitledPastTheEnd(source: string, out: string): Promise<string> {
  const srt = `${out}.srt`;
  writeFileSync(srt, '1\n00:00:09,000 --> 00:00:10,000\nlate words\n');
  await ffmpeg(out, ['-i', source, '-i', srt, '-c', 'copy']);
  rmSync(srt);
  return out;
}
