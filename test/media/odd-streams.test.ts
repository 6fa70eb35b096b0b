/**
 * Issue 18: streams real files have that a clean encode does not. Each case failed before its
 * fix: a size change midway (decode: "bytes of an incomplete frame"), and a Matroska file
 * without decode times on its first B-frames (cut: the first packets were taken for repeats, so
 * every clip from the start "has 282 frames instead of 279" and was not cut).
 */
import path from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cutClips } from '../../src/media/cut.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { probe } from '../../src/media/probe.ts';
import { thumbnail } from '../../src/media/thumbnail.ts';
import { runTool } from '../../src/media/ffmpeg.ts';
import { ffmpeg, tempDir, X264_FAST } from './media-fixtures.ts';

let dir: string;
let remove: () => Promise<void>;
let sizeChange: string;
let trimmed: string;

async function frameCount(file: string): Promise<number> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file], file);
  return Number(stdout.trim());
}

beforeAll(async () => {
  ({ dir, remove } = await tempDir());
  // Two recordings joined with a stream copy, as `-f concat -c copy` users do: 1.6 s at 160x120,
  // then 1.6 s at 320x240, B-frames in both, in Matroska (no decode time on the first B-frames).
  const part = (name: string, size: string) =>
    ffmpeg(path.join(dir, name), ['-f', 'lavfi', '-i', `testsrc2=s=${size}:r=25:d=1.6`, ...X264_FAST, '-preset', 'veryfast', '-bf', '2', '-g', '12']);
  await part('a.ts', '160x120');
  await part('b.ts', '320x240');
  await writeFile(path.join(dir, 'parts.txt'), 'file a.ts\nfile b.ts\n');
  sizeChange = await ffmpeg(path.join(dir, 'size change.mkv'), ['-f', 'concat', '-safe', '0', '-i', path.join(dir, 'parts.txt'), '-c', 'copy']);
  // Trimmed with a stream copy from mid-GOP (`ffmpeg -ss 3.3 -i W.mp4 -c copy`): the MP4 starts
  // with packets its edit list hides, which the first shown frames need.
  const whole = await ffmpeg(path.join(dir, 'whole.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25:d=4', ...X264_FAST, '-preset', 'veryfast', '-g', '30']);
  trimmed = await ffmpeg(path.join(dir, 'trimmed.mp4'), ['-ss', '1.5', '-i', whole, '-c', 'copy']);
});
afterAll(() => remove());

describe('a video whose frame size changes midway', () => {
  it('decodes every frame, all at the first frame size', async () => {
    const sizes = new Set<string>();
    let frames = 0;
    for await (const frame of decodeFrames(sizeChange)) {
      frames++;
      sizes.add(`${frame.width}x${frame.height}`);
      expect(frame.data.length).toBe(frame.width * frame.height * 3);
    }
    expect(frames).toBe(await frameCount(sizeChange));
    expect([...sizes]).toEqual(['160x120']);
  });

  it('cuts clips over the change and from the first frame with the planned frames', async () => {
    const out = path.join(dir, 'clips');
    await mkdir(out);
    const clips = await cutClips(sizeChange, [
      { id: 'from-start', start: 0, end: 1.2 },
      { id: 'over-change', start: 1.0, end: 2.6 },
    ], out, { minDuration: 0.5 });
    for (const clip of clips) expect(clip.skipped, clip.id).toBeUndefined();
    expect(await frameCount(path.join(out, 'from-start.mp4'))).toBe(30);
    expect(await frameCount(path.join(out, 'over-change.mp4'))).toBe(40);
  });
});

describe('an MP4 trimmed with a stream copy (an edit list hides its first packets)', () => {
  it('scans: its first shown frame decodes', async () => {
    const facts = await probe(trimmed);
    expect(facts.frameCount).toBe(await frameCount(trimmed));
    expect(facts.startSec).toBe(0);
  });

  it('cuts clips from its start with every planned frame', async () => {
    const out = path.join(dir, 'trimmed clips');
    await mkdir(out);
    const clips = await cutClips(trimmed, [
      { id: 'start', start: 0, end: 2 },
      { id: 'later', start: 0.2, end: 1.6 },
    ], out, { minDuration: 0.5 });
    for (const clip of clips) expect({ id: clip.id, start: clip.start, skipped: clip.skipped }).toEqual({ id: clip.id, start: clip.requestedStart, skipped: undefined });
    expect(await frameCount(path.join(out, 'start.mp4'))).toBe(50);
    expect(await frameCount(path.join(out, 'later.mp4'))).toBe(35);
  });
});

describe('files with more than one video stream, or more than video', () => {
  let coverFirst: string;
  let renditions: string;
  let subtitled: string;
  beforeAll(async () => {
    const clip = await ffmpeg(path.join(dir, 'clip.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=2', ...X264_FAST]);
    const cover = await ffmpeg(path.join(dir, 'cover.jpg'), ['-f', 'lavfi', '-i', 'color=c=red:s=640x640:d=1', '-frames:v', '1']);
    // A JPEG muxed first as an ordinary track (`-map 1 -map 0`), as some tools store cover art.
    coverFirst = await ffmpeg(path.join(dir, 'cover first.mp4'), ['-i', clip, '-i', cover, '-map', '1', '-map', '0', '-c', 'copy']);
    // Two renditions, the small one first.
    renditions = await ffmpeg(path.join(dir, 'renditions.mkv'), [
      '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25:d=2', '-i', clip, '-map', '0', '-map', '1', ...X264_FAST,
    ]);
    // A subtitle track running 4 s past 2 s of video.
    await writeFile(path.join(dir, 'late.srt'), '1\n00:00:05,000 --> 00:00:06,000\nlate words\n');
    subtitled = await ffmpeg(path.join(dir, 'subtitled.mkv'), ['-i', clip, '-i', path.join(dir, 'late.srt'), '-c', 'copy']);
  });

  it('analyses the main video: not cover art, the largest rendition', async () => {
    for (const [file, index] of [[coverFirst, 1], [renditions, 1]] as const) {
      const facts = await probe(file);
      expect({ file, stream: facts.videoStream, streams: facts.videoStreams, size: `${facts.width}x${facts.height}` }).toEqual({
        file, stream: index, streams: 2, size: '320x240',
      });
      expect(facts.frameCount).toBe(50);
      let frames = 0;
      for await (const frame of decodeFrames(file)) {
        frames++;
        expect(`${frame.width}x${frame.height}`).toBe('320x240');
      }
      expect(frames).toBe(50);
    }
  });

  it('cuts the main video', async () => {
    const out = path.join(dir, 'main video clips');
    await mkdir(out);
    for (const [id, file] of [['cover', coverFirst], ['renditions', renditions]] as const) {
      for (const mode of ['smart', 'reencode'] as const) {
        const [clip] = await cutClips(file, [{ id: `${id}-${mode}`, start: 0.3, end: 1.7 }], out, { mode, minDuration: 0.5 });
        expect(clip!.skipped, clip!.id).toBeUndefined();
        const facts = await probe(path.join(out, `${clip!.id}.mp4`));
        expect({ id: clip!.id, size: `${facts.width}x${facts.height}`, frames: facts.frameCount, streams: facts.videoStreams }).toEqual({
          id: clip!.id, size: '320x240', frames: 35, streams: 1,
        });
      }
    }
  });

  it("gives the video's own duration, not a longer subtitle track's", async () => {
    expect((await probe(subtitled)).durationSec).toBeCloseTo(2, 1);
  });
});

describe('anamorphic video (non-square pixels, SAR 64:45)', () => {
  it('is analysed and shown at its display shape, as a viewer sees it', async () => {
    const anamorphic = await ffmpeg(path.join(dir, 'anamorphic.mp4'), ['-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=25:d=1', '-vf', 'setsar=64/45', ...X264_FAST]);
    const firstFrameSize = async (opts: Parameters<typeof decodeFrames>[1]) => {
      for await (const frame of decodeFrames(anamorphic, opts)) return `${frame.width}x${frame.height}`;
    };
    expect(await firstFrameSize({ fps: 1 })).toBe('454x240');
    expect(await firstFrameSize({ fps: 1, width: 64 })).toBe('64x34');
    const still = path.join(dir, 'anamorphic.png');
    await thumbnail(anamorphic, 0.2, still, { width: 227 });
    const { stdout } = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', still], still);
    expect(stdout.trim()).toBe('227,120');
  });
});

describe('an MPEG-TS whose timestamps wrap (33 bits at 90 kHz: 95443.7 s)', () => {
  it('is cut from its first frame with every planned frame', async () => {
    // As a recorder's file: an MP4 with sound copied into MPEG-TS near the wrap.
    const recorded = await ffmpeg(path.join(dir, 'recorded.mp4'), [
      '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25:d=4', '-f', 'lavfi', '-i', 'sine=d=4', ...X264_FAST, '-preset', 'veryfast', '-g', '25', '-c:a', 'aac',
    ]);
    const wrapping = await ffmpeg(path.join(dir, 'wrapping.ts'), ['-i', recorded, '-c', 'copy', '-output_ts_offset', '95439.7']);
    const facts = await probe(wrapping);
    expect(facts.frameCount).toBe(100);
    const out = path.join(dir, 'wrapping clips');
    await mkdir(out);
    const clips = await cutClips(wrapping, [{ id: 'first', start: facts.startSec, end: facts.startSec + 3 }], out, { minDuration: 0.5 });
    expect(clips.map((clip) => ({ start: clip.start, skipped: clip.skipped }))).toEqual([{ start: facts.startSec, skipped: undefined }]);
    expect(await frameCount(path.join(out, 'first.mp4'))).toBe(75);
  });
});

describe('a variable-frame-rate video with a gap (3 s cut out with select)', () => {
  it('cuts the clips on either side of the gap, neither spanning it', async () => {
    const gap = await ffmpeg(path.join(dir, 'gap.mp4'), [
      '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25:d=6', '-vf', String.raw`select='not(between(t\,2\,4.96))'`, '-fps_mode', 'vfr', ...X264_FAST,
    ]);
    const out = path.join(dir, 'gap clips');
    await mkdir(out);
    const clips = await cutClips(gap, [
      { id: 'before', start: 0, end: 2 },
      { id: 'after', start: 5, end: 6 },
    ], out, { minDuration: 0.5 });
    expect(clips.map((clip) => [clip.id, clip.start, clip.end, clip.skipped])).toEqual([
      ['before', 0, 2, undefined],
      ['after', 5, 6, undefined],
    ]);
    expect(await frameCount(path.join(out, 'before.mp4'))).toBe(50);
    expect(await frameCount(path.join(out, 'after.mp4'))).toBe(25);
  });
});

describe('the packet table a cut plans from', () => {
  // Sources up to WHOLE_TABLE_BYTES are planned from their whole table, larger ones from ranges
  // around the clips: on these odd files both give the same clips, byte for byte.
  it('plans the same clips from the whole table as from ranges around the clips', async () => {
    const gap = await ffmpeg(path.join(dir, 'gap for tables.mp4'), [
      '-f', 'lavfi', '-i', 'testsrc2=s=160x120:r=25:d=6', '-vf', String.raw`select='not(between(t\,2\,4.96))'`, '-fps_mode', 'vfr', ...X264_FAST,
    ]);
    const cases = [
      { name: 'size change', file: sizeChange, clips: [{ id: 'a', start: 0.3, end: 1.2 }, { id: 'b', start: 1.0, end: 2.6 }] },
      { name: 'trimmed', file: trimmed, clips: [{ id: 'a', start: 0, end: 1.1 }, { id: 'b', start: 0.7, end: 2.3 }] },
      { name: 'gap', file: gap, clips: [{ id: 'a', start: 0.5, end: 1.9 }, { id: 'b', start: 5, end: 5.9 }] },
    ];
    for (const { name, file, clips } of cases) {
      const cut = async (way: string, wholeTableBytes: number) => {
        const out = path.join(dir, `tables ${name} ${way}`);
        await mkdir(out);
        const made = await cutClips(file, clips, out, { minDuration: 0.5, wholeTableBytes });
        const bytes = await Promise.all(made.map((clip) => readFile(clip.file)));
        return { made: made.map((clip) => ({ ...clip, file: path.basename(clip.file) })), bytes };
      };
      const [whole, ranged] = [await cut('whole', Number.POSITIVE_INFINITY), await cut('ranged', 0)];
      for (const clip of whole.made) expect(clip.skipped, `${name} ${clip.id}`).toBeUndefined();
      expect(whole.made, name).toEqual(ranged.made);
      expect(whole.bytes, name).toEqual(ranged.bytes);
    }
  });
});
