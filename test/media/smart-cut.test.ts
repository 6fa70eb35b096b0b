/**
 * Smart cut on one source of each codec family (H.264, HEVC, VP9; smart-cut-sources.ts has the
 * check), and on the corpus clips a stream copy got wrong. The other containers, GOP structures
 * and oddities go through the same check in smart-cut-sources.sweep.test.ts
 * (`npm run test:reliability`).
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readClipFacts } from '../../src/media/clip-check.ts';
import { cutClips } from '../../src/media/cut.ts';
import { X264_PRESETS, type X264Preset } from '../../src/media/head-encoders.ts';
import { lacksVideo } from '../helpers/test-data.ts';
import { corpus, ffmpeg, lavfiInputs, tempDir, X264_FAST } from './media-fixtures.ts';
import { describeSmartCuts, EVERY_RUN, FIXTURES } from './smart-cut-sources.ts';

describeSmartCuts(FIXTURES.filter((fixture) => EVERY_RUN.has(fixture.name)));

describe('the clips a copy got wrong on the corpus', () => {
  let dir = '';
  let remove = async () => {};
  beforeAll(async () => ({ dir, remove } = await tempDir()));
  afterAll(() => remove());

  // Stream copies of these came out as 0.474 s (the next shot), 0.289 s, 1.77 s, 3.05 s and 1.56 s
  // (MPEG-4 Part 2, now a smart cut: cutting.md's codec decisions).
  it.for([
    { video: 'tears_of_steel_battle_cuts_800x332.webm', start: 36.5, end: 38 },
    { video: 'woman_closeup_grimaces_480x480_33s.mp4', start: 29, end: 33.6 },
    { video: 'woman_closeup_grimaces_480x480_33s.mp4', start: 9, end: 18.5 },
    { video: 'hamilton_whitehouse_cuts_640x360.mp4', start: 3.58, end: 7.45 },
    { video: 'congresswoman_address_mpeg4_512.mp4', start: 1.1, end: 3 },
  ])('$video $start-$end s is delivered within a frame of the plan', async ({ video, start, end }, ctx) => {
    if (lacksVideo(video, `the smart cut of ${video}`)) return ctx.skip();
    const [clip] = await cutClips(corpus(video), [{ id: 'planned', start, end }], dir, { minDuration: 1 });
    expect(clip!.skipped).toBeUndefined();
    expect(Math.abs(clip!.start - start)).toBeLessThanOrEqual(clip!.frameDuration);
    expect(Math.abs(clip!.end - end)).toBeLessThanOrEqual(clip!.frameDuration);
    const facts = await readClipFacts(clip!.file);
    expect(facts.videoLast - facts.videoStart).toBeCloseTo(clip!.end - clip!.start - clip!.frameDuration, 1);
  });
});

describe('x264 presets for re-encoded frames', () => {
  let dir = '';
  let source = '';
  let remove = async () => {};
  beforeAll(async () => {
    ({ dir, remove } = await tempDir());
    source = await ffmpeg(path.join(dir, 'gop2s.mp4'), [...lavfiInputs(5), ...X264_FAST, '-g', '50', '-c:a', 'aac']);
  });
  afterAll(() => remove());

  /** x264's `subme` for each preset: what its settings SEI, written into the head, shows of the preset used. */
  const SUBME: Record<X264Preset, number> = { ultrafast: 0, superfast: 1, veryfast: 2, faster: 4, fast: 6, medium: 7, slow: 8, slower: 9, veryslow: 10 };

  it.for(X264_PRESETS)('%s: the head joins the copy and the clip holds the planned frames', async (preset) => {
    const out = await mkdtemp(path.join(dir, `${preset}-`));
    const [clip] = await cutClips(source, [{ id: 'planned', start: 0.52, end: 3.6 }], out, { x264Preset: preset });
    expect(clip!.mode).toBe('smart');
    expect(clip!.fallback).toBeUndefined();
    expect(clip!.reencodedSeconds).toBeCloseTo(2 - 0.52, 3);
    const settings = /x264 - core .*?subme=(\d+)/.exec((await readFile(clip!.file)).toString('latin1'));
    expect(Number(settings?.[1])).toBe(SUBME[preset]);
  });
});
