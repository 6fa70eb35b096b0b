/**
 * cutClips on a synthetic video whose every frame shows its own index (two flat grey halves:
 * index div 12 and index mod 12), with B-frames and a keyframe every 12 frames.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClips, type ClipRequest, type CutClip } from '../../src/media/cut.ts';
import { CUT_FALLBACKS } from '../../src/media/cut-plan.ts';
import { runTool } from '../../src/media/ffmpeg.ts';
import { probe } from '../../src/media/probe.ts';
import { HOSTILE_NAME, corpus, ffmpeg, tempDir } from './media-fixtures.ts';

const FPS = 25;
const GOP = 12;
/** Fits the grey levels: index div 12 stays <= 13, so 16 + 16 * 13 is inside video range. */
const FRAMES = 168;
/** Shots as [first frame, end frame). Keyframes fall at multiples of GOP, never on a shot start except 0. */
const SHOTS: [number, number][] = [[0, 37], [37, 80], [80, 121], [121, 130], [130, 168]];
const shotClips = (): ClipRequest[] => SHOTS.map(([from, to], i) => ({ id: `shot${i}`, start: from / FPS, end: to / FPS }));

/** Frame indices of a clip, decoded with edit lists ignored, every frame kept. */
async function decodedIndices(file: string): Promise<number[]> {
  const halves = 'scale=2:1:flags=area'; // one pixel per half: their mean grey levels
  const raw = `${file}.gray`;
  await ffmpeg(raw, ['-ignore_editlist', '1', '-i', file, '-vf', halves, '-vsync', 'passthrough', '-pix_fmt', 'gray', '-f', 'rawvideo']);
  const bytes = await readFile(raw);
  await rm(raw);
  const level = (value: number) => Math.round((value * 219) / 255 / 16); // full-range grey back to 16-step levels
  const indices: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) indices.push(level(bytes[i]!) * GOP + level(bytes[i + 1]!));
  return indices;
}

/** Video stream facts of a written clip, honouring its edit list as players do. */
async function clipVideo(file: string): Promise<{ duration: number; frames: number }> {
  const { stdout } = await runTool('ffprobe', [
    '-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=duration,nb_read_packets', '-of', 'json', file,
  ], file);
  const [stream] = (JSON.parse(stdout) as { streams: { duration: string; nb_read_packets: string }[] }).streams;
  return { duration: Number(stream!.duration), frames: Number(stream!.nb_read_packets) };
}

describe('cutClips', () => {
  let dir = '';
  let remove = async () => {};
  let source = '';
  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    const indexPattern = `color=c=black:s=160x120:r=${FPS}:d=${FRAMES / FPS},geq=lum='if(lt(X\\,W/2)\\,16+16*floor(N/${GOP})\\,16+16*mod(N\\,${GOP}))':cb=128:cr=128`;
    source = await ffmpeg(path.join(dir, 'indexed.mp4'), [
      '-f', 'lavfi', '-i', indexPattern, '-f', 'lavfi', '-i', `sine=f=440:r=48000:d=${FRAMES / FPS}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '10', '-bf', '2', '-pix_fmt', 'yuv420p',
      '-x264-params', `keyint=${GOP}:min-keyint=${GOP}:scenecut=0`, '-c:a', 'aac', '-shortest',
    ]);
  });
  afterAll(() => remove());

  it('the fixture decodes to its own frame indices', async () => {
    expect(await decodedIndices(source)).toEqual(Array.from({ length: FRAMES }, (_, i) => i));
    expect((await probe(source)).keyframes).toEqual(Array.from({ length: FRAMES / GOP }, (_, i) => (i * GOP) / FPS));
  });

  it('copy mode: every clip starts at the first keyframe in its shot and holds only frames of it', async () => {
    const out = path.join(dir, 'copy');
    await mkdir(out);
    const clips = await cutClips(source, shotClips(), out, { mode: 'copy' });
    expect(clips.map((clip) => clip.id)).toEqual(SHOTS.map((_, i) => `shot${i}`));

    // frames 121-129 hold no keyframe: that clip is re-encoded, saying why
    expect(clips.map((clip) => clip.mode)).toEqual(['copy', 'copy', 'copy', 'reencode', 'copy']);
    expect(clips[3]!.fallback).toBe(CUT_FALLBACKS.noKeyframe);
    expect(await readdir(out)).toHaveLength(5); // no temp file left

    for (const clip of clips.filter((c) => c.mode === 'copy')) {
      const [from, to] = SHOTS[Number(clip.id.slice(4))]!;
      const firstKeyframe = Math.ceil(from / GOP) * GOP;
      const indices = await decodedIndices(clip.file);
      expect(indices[0], clip.id).toBe(firstKeyframe);
      expect(Math.max(...indices), clip.id).toBeLessThan(to);
      expect(indices, clip.id).toEqual(Array.from({ length: indices.length }, (_, i) => firstKeyframe + i));
      expectReportedRange(clip, indices);
      const video = await clipVideo(clip.file);
      expect(video.frames).toBe(indices.length);
      expect(video.duration).toBeCloseTo(clip.end - clip.start, 3);
    }
  });

  it('reencode mode: frame-exact starts and ends by re-encoding', async () => {
    const out = path.join(dir, 'accurate');
    await mkdir(out);
    const clips = await cutClips(source, shotClips(), out, { mode: 'reencode', crf: 12 });
    for (const clip of clips) {
      const [from, to] = SHOTS[Number(clip.id.slice(4))]!;
      expect(clip.skipped).toBeUndefined();
      const indices = await decodedIndices(clip.file);
      expect(indices, clip.id).toEqual(Array.from({ length: to - from }, (_, i) => from + i));
      expectReportedRange(clip, indices);
      expect((await clipVideo(clip.file)).duration).toBeCloseTo(clip.end - clip.start, 3);
    }
  });

  it('reports clips whose requested range is empty or holds no frame, writing nothing', async () => {
    const out = path.join(dir, 'empty');
    await mkdir(out);
    const clips = await cutClips(source, [
      { id: 'backwards', start: 2, end: 1 },
      { id: 'between', start: 0.501, end: 0.519 },
    ], out);
    expect(clips.map((clip) => clip.skipped)).toEqual(['its end is not after its start', 'no frame inside the clip']);
    expect(await readdir(out)).toEqual([]);
  });

  it('keeps no clip shorter than the shortest allowed, and none outside its scene', async () => {
    const out = path.join(dir, 'short');
    await mkdir(out);
    const [short, copied, leaving] = await cutClips(source, [
      { id: 'short', start: 1, end: 1.5 },
      { id: 'copied', start: 0.5, end: 2 },
      { id: 'leaving', start: 2, end: 3 },
    ], out, { mode: 'copy', minDuration: 1, within: new Map([['leaving', { start: 2, end: 2.5 }]]) });
    expect(short!.skipped).toMatch(/less than the shortest clip kept/);
    // the copy from the keyframe at 0.96 s would last 1.04 s: kept as a copy
    expect(copied).toMatchObject({ mode: 'copy', start: 0.96 });
    expect(leaving!.skipped).toMatch(/leave its scene/);
    expect(await readdir(out)).toEqual(['copied.mp4']);
  });

  it('keeps WebM codecs in a WebM clip and cuts at the real hard cuts of the corpus', async () => {
    const out = path.join(dir, 'webm');
    await mkdir(out);
    const [clip] = await cutClips(corpus('tears_of_steel_5shots_800x332.webm'), [{ id: 'prone', start: 5.083, end: 6.583 }], out, {});
    expect(clip).toMatchObject({ file: path.join(out, 'prone.webm'), start: 5.083 });
    expect(clip!.end).toBeCloseTo(6.583, 3);
    expect(await probe(clip!.file)).toMatchObject({ videoCodec: 'vp8', audioCodec: 'vorbis', frameCount: 36 });
  });

  it('keeps the rotation of a rotated source and copes with a hostile file name', async () => {
    const rotatedName = path.join(dir, `${HOSTILE_NAME}.mp4`);
    await ffmpeg(rotatedName, ['-i', source, '-c', 'copy', '-metadata:s:v:0', 'rotate=90']);
    const out = path.join(dir, `out ${HOSTILE_NAME}`);
    await mkdir(out);
    const [clip] = await cutClips(rotatedName, [{ id: 'turned', start: 0.9, end: 3 }], out, {});
    expect([clip!.mode, clip!.fallback]).toEqual(['smart', undefined]);
    const [sourceFacts, clipFacts] = await Promise.all([probe(rotatedName), probe(clip!.file)]);
    expect(clipFacts.rotation).toBe(sourceFacts.rotation);
    expect(clipFacts).toMatchObject({ width: 120, height: 160 });
    expect(existsSync(path.join(dir, 'pwned'))).toBe(false);
  });

  it('a source cut short fails only the clips it cannot make, naming why, and leaves no partial file', async () => {
    const whole = await ffmpeg(path.join(dir, 'faststart.mp4'), ['-i', source, '-c', 'copy', '-movflags', '+faststart']);
    const bytes = await readFile(whole);
    const damaged = path.join(dir, 'cut-short.mp4');
    await writeFile(damaged, bytes.subarray(0, Math.floor(bytes.length * 0.55)));
    const out = path.join(dir, 'damaged');
    await mkdir(out);
    const [before, across, after] = await cutClips(damaged, [
      { id: 'before', start: 0.5, end: 2 },
      { id: 'across', start: 2.5, end: 6 },
      { id: 'after', start: 6.2, end: 6.6 },
    ], out);
    expect(before!.skipped).toBeUndefined();
    expect(across!.skipped).toMatch(/would span .* instead of 2\.500–6\.000 s/);
    expect(after!.skipped).toBe('no frame inside the clip');
    expect(await readdir(out)).toEqual(['before.mp4']);
  });

  it('refuses clip ids that are not plain file names', async () => {
    await expect(cutClips(source, [{ id: '../escape', start: 0, end: 1 }], dir, {})).rejects.toThrow(/plain file name/);
  });
});

/** The returned start/end are the first frame's pts and the last frame's end on the source timeline. */
function expectReportedRange(clip: CutClip, indices: number[]): void {
  expect(clip.start, clip.id).toBeCloseTo(indices[0]! / FPS, 6);
  expect(clip.end, clip.id).toBeCloseTo((indices.at(-1)! + 1) / FPS, 6);
}
