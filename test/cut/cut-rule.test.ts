/** The cut rule on real videos (test/fixtures/videos) with hand-written segments.json, run as the engine would. */
import { createHash } from 'node:crypto';
import { readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cut } from '../../rules/cut.ts';
import { VBUILD_VERSION } from '../../src/version.ts';
import { CUT_FALLBACKS } from '../../src/media/cut-plan.ts';
import { runTool } from '../../src/media/ffmpeg.ts';
import { fixtureVideo } from '../helpers/test-data.ts';
import { ruleContext } from '../helpers/rule-context.ts';
import { MULTISHOT_CUTS, MULTISHOT_SEGMENTS, cutInputs, segment } from './fixtures.ts';
import { CLIPS_FILE, type ClipsFile } from '../../src/artifacts/cut.ts';
import type { VideoBuildContext } from '../../src/engine/rule.ts';

const MULTISHOT = fixtureVideo('multishot_8shots_640x360_25fps.mp4');
const FPS = 25;
const EPSILON = 0.002;
const roots: string[] = [];

async function runCut(video: string, segments = MULTISHOT_SEGMENTS, overrides: Partial<VideoBuildContext> = {}) {
  const ctx = ruleContext(cut, video, { deps: await cutInputs(video, segments), itemHash: 'f00dfeedf00dfeed', ...overrides });
  roots.push(path.dirname(ctx.outDir));
  await cut.run(ctx);
  const record = JSON.parse(await readFile(path.join(ctx.outDir, CLIPS_FILE), 'utf8')) as ClipsFile;
  return { outDir: ctx.outDir, record };
}

/** Frames and first/last pts of a written clip's video stream, as players see it. */
async function clipFrames(file: string): Promise<number> {
  const { stdout } = await runTool('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file], file);
  return Number(stdout.trim());
}

const sha1 = async (file: string) => createHash('sha1').update(await readFile(file)).digest('hex');

describe('cut rule', () => {
  afterAll(() => Promise.all(roots.map((dir) => rm(dir, { recursive: true, force: true }))));

  let multishot: Promise<Awaited<ReturnType<typeof runCut>>>;
  beforeAll(() => {
    multishot = runCut(MULTISHOT);
  });

  it('cuts every segment of the multishot video inside its shot, named by its UUID', async () => {
    const { outDir, record } = await multishot;
    expect(record.sourceHash).toBe('f00dfeedf00dfeed');
    expect(record.clips.map((clip) => clip.file)).toEqual(MULTISHOT_SEGMENTS.map((s) => `${s.id}.mp4`));
    expect((await readdir(outDir)).sort()).toEqual([CLIPS_FILE, ...MULTISHOT_SEGMENTS.map((s) => `${s.id}.mp4`)].sort());

    for (const clip of record.clips) {
      const at = `${clip.id} ${clip.requestedStart}-${clip.requestedEnd}`;
      expect(clip.skipped, at).toBeUndefined();
      // Inside the requested range (to a frame), and so inside its shot: no clip crosses a cut.
      expect(clip.start, at).toBeGreaterThanOrEqual(clip.requestedStart - EPSILON);
      expect(clip.end, at).toBeLessThanOrEqual(clip.requestedEnd + 1 / FPS + EPSILON);
      for (const cutTime of MULTISHOT_CUTS) expect(clip.start < cutTime - EPSILON && clip.end > cutTime + EPSILON, `${at} spans ${cutTime}`).toBe(false);
      // The file holds exactly the frames clips.json says it does.
      expect(await clipFrames(path.join(outDir, clip.file)), at).toBe(Math.round((clip.end - clip.start) * FPS));
      expect(clip.bytes).toBeGreaterThan(0);
    }
  });

  it('copies what it can from a keyframe on, and re-encodes only what a copy cannot make', async () => {
    const { record } = await multishot;
    expect(record.clips.map((clip) => clip.mode)).toEqual(['reencode', 'smart', 'reencode', 'copy', 'copy']);
    const [first, smart, , copied] = record.clips;
    expect(first!.fallback).toBe(CUT_FALLBACKS.noKeyframe);
    expect(first!.reencodedSeconds).toBeCloseTo(first!.end - first!.start, 6);
    // Every clip starts on its requested frame (2.5 s lies between frames 2.48 and 2.52).
    expect(first!.start).toBeCloseTo(2.52, 2);
    expect(smart!.start).toBeCloseTo(11, 3);
    // Shot 4 starts on the keyframe at its cut but ends mid-shot: the B-frames shown before 14.9 s
    // but decoded after the P-frame at 14.92 s are re-encoded, so it ends on its requested frame.
    expect(smart!.end).toBeCloseTo(14.92, 3);
    expect(smart!.reencodedSeconds).toBeGreaterThan(0);
    expect(smart!.reencodedSeconds).toBeLessThanOrEqual(3 / FPS + EPSILON);
    // Shot 7 ends where shot 8's keyframe starts: a plain copy, to the frame.
    expect([copied!.start, copied!.end, copied!.reencodedSeconds]).toEqual([23, 27, 0]);
  });

  it('names are deterministic: cutting the same plan again gives the same files, byte for byte', async () => {
    const plan = MULTISHOT_SEGMENTS.filter((_, i) => i === 1 || i === 4);
    const [a, b] = [await runCut(MULTISHOT, plan), await runCut(MULTISHOT, plan)];
    for (const clip of a.record.clips) {
      expect(await sha1(path.join(a.outDir, clip.file))).toBe(await sha1(path.join(b.outDir, clip.file)));
    }
  });

  it('keeps the clips of its last cut that the plan asks for again, byte for byte, and cuts only the others', async () => {
    const earlier = await multishot;
    const previous = Object.fromEntries((await readdir(earlier.outDir)).map((name) => [name, path.join(earlier.outDir, name)]));
    // The smart-cut clip ends 0.4 s sooner; the other four are asked for as they were.
    const moved = MULTISHOT_SEGMENTS.map((each, i) => (i === 1 ? { ...each, end: each.end - 0.4 } : each));
    const said: string[] = [];
    const again = await runCut(MULTISHOT, moved, { previous, log: (message: string) => said.push(message) });
    expect(said.join('\n')).toContain('4 kept from the last cut');
    // What a cut of the new plan with no earlier one writes: the same files and the same clips.json.
    const fresh = await runCut(MULTISHOT, moved);
    expect(again.record).toEqual(fresh.record);
    for (const [i, clip] of again.record.clips.entries()) {
      const file = path.join(again.outDir, clip.file);
      expect(await sha1(file), clip.id).toBe(await sha1(path.join(fresh.outDir, clip.file)));
      expect(await sha1(file) === (await sha1(path.join(earlier.outDir, clip.file))), clip.id).toBe(i !== 1);
    }
    // Another crf changes every clip's re-encoded frames: nothing is kept.
    const defaults = Object.fromEntries(Object.entries(cut.params!).map(([name, spec]) => [name, spec.default]));
    const otherCrf = await runCut(MULTISHOT, moved, { previous, params: { ...defaults, crf: 20 }, log: (message: string) => said.push(message) });
    expect(otherCrf.record.cutParams.crf).toBe(20);
    expect(said.at(-1)).not.toContain('kept');
  });

  it('a video with a single keyframe still gets its clip (re-encoded); clips.json records the cut params and the vbuild version', async () => {
    const video = fixtureVideo('leaf_noface_720p_noaudio.mp4');
    const { record } = await runCut(video, [segment('leaf', 1, 2.5, 0, [0])]);
    const [clip] = record.clips;
    expect(clip).toMatchObject({ mode: 'reencode', file: `${clip!.id}.mp4` });
    expect(clip!.start).toBeCloseTo(1, 1);
    expect(clip!.end - clip!.start).toBeCloseTo(1.5, 1);
    expect(record.cutParams).toEqual({ cutMode: 'smart', crf: 18 });
    expect(record.vbuildVersion).toBe(VBUILD_VERSION);
  });

  it('--x264-preset: re-encoded frames at that speed, recorded in clips.json (the default is recorded as before, absent)', async () => {
    const video = fixtureVideo('leaf_noface_720p_noaudio.mp4');
    const defaults = Object.fromEntries(Object.entries(cut.params!).map(([name, spec]) => [name, spec.default]));
    const { record, outDir } = await runCut(video, [segment('leaf', 1, 2.5, 0, [0])], { params: { ...defaults, x264_preset: 'veryfast' } });
    const [clip] = record.clips;
    expect(clip).toMatchObject({ mode: 'reencode' });
    expect(record.cutParams).toEqual({ cutMode: 'smart', crf: 18, x264Preset: 'veryfast' });
    // x264's settings SEI in the clip: veryfast is subme=2 (fast, the default, is 6).
    expect((await readFile(path.join(outDir, clip!.file))).toString('latin1')).toMatch(/x264 - core .*?subme=2 /);
  });

  it('keeps a WebM source in WebM when it can stream-copy, and reports a segment with no frame as skipped', async () => {
    const video = fixtureVideo('tears_of_steel_5shots_800x332.webm');
    // From the keyframe at the prone soldier's shot to the frame before the next one.
    const { outDir, record } = await runCut(video, [segment('tos prone', 5.083, 6.57, 0, [0]), segment('tos empty', 20, 21, 1, [1])]);
    const [copied, past] = record.clips;
    expect(copied).toMatchObject({ mode: 'copy', file: `${copied!.id}.webm` });
    expect(past!.skipped).toMatch(/no frame/);
    expect(past!.file).toBe('');
    expect((await readdir(outDir)).sort()).toEqual([`${copied!.id}.webm`, CLIPS_FILE].sort());
  });

  it('rejects a segments.json whose ids are not UUIDs (they become file names)', async () => {
    const bad = { ...segment('x', 1, 2, 0, [0]), id: '../escape' };
    await expect(runCut(MULTISHOT, [bad])).rejects.toThrow(/UUID/);
  });
});
