/**
 * Shot detection on the real corpus, through the two rules as the engine would run them:
 * real ffmpeg decode, ground truth from the corpus's ground_truth.json; without the corpus, on the
 * fixtures and their ground_truth.json (test/helpers/test-data.ts).
 */
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Artifact, ParamValue, Rule } from '../../src/engine/rule.ts';
import { typicalFrameInterval } from '../../src/media/frame-times.ts';
import { matchCuts } from '../../src/media/scene-cuts.ts';
import { sceneScores, scenes } from '../../rules/scenes.ts';
import { type ContextOf, ruleContext } from '../helpers/rule-context.ts';
import { corpusVideo, FIXTURE_VIDEOS, lacks, lacksVideo, TEST_CORPUS } from '../helpers/test-data.ts';
import { SCENES_FILE, type ScenesFile } from '../../src/artifacts/scenes.ts';
import { SCORES_FILE, parseScores } from '../../src/artifacts/scene-scores.ts';

const LATE_START = 'hamilton_whitehouse_cuts_640x360.mp4';

interface TruthEntry {
  hard_cuts: number[];
  video_start_pts?: number;
}
const truthFile = path.join(TEST_CORPUS.dir ?? FIXTURE_VIDEOS, 'ground_truth.json');
const truth = (JSON.parse(readFileSync(truthFile, 'utf8')) as { files: Record<string, TruthEntry> }).files;
const named = (prefix: string) => Object.keys(truth).find((video) => video.startsWith(prefix))!;
const MULTISHOT = named('multishot_8shots_');

const videoPath = corpusVideo;

/** ruleContext gives each build a temp folder of its own (outDir's parent): removed at the end. */
const buildFolders: string[] = [];
function context<R extends Rule>(rule: R, file: string | null, overrides: Partial<ContextOf<R>> = {}): ContextOf<R> {
  const ctx = ruleContext(rule, file, overrides);
  buildFolders.push(path.dirname(ctx.outDir));
  return ctx;
}
afterAll(() => buildFolders.forEach((folder) => rmSync(folder, { recursive: true, force: true })));
const scoresArtifact = (scoresPath: string): Record<string, Artifact> => ({
  scene_scores: { files: { [SCORES_FILE]: scoresPath }, hashes: {} },
});

/** Runs `scenes` on stored scores, with some params changed from their defaults. */
async function detect(scoresPath: string, video: string, changed: Record<string, ParamValue> = {}): Promise<ScenesFile> {
  const ctx = context(scenes, videoPath(video), { deps: scoresArtifact(scoresPath) });
  ctx.params = { ...ctx.params, ...changed };
  await scenes.run(ctx);
  return JSON.parse(readFileSync(path.join(ctx.outDir, SCENES_FILE), 'utf8')) as ScenesFile;
}

interface Detection {
  scoresPath: string;
  frameInterval: number;
  firstFrameTime: number;
  result: ScenesFile;
}
const detections = new Map<string, Detection>();

function detection(video: string): Detection {
  const found = detections.get(video);
  if (!found) throw new Error(`${video} was not scored`);
  return found;
}

beforeAll(async () => {
  for (const video of Object.keys(truth)) {
    const ctx = context(sceneScores, videoPath(video));
    await sceneScores.run(ctx);
    const scoresPath = path.join(ctx.outDir, SCORES_FILE);
    const times = parseScores(readFileSync(scoresPath, 'utf8')).map((frame) => frame.time);
    detections.set(video, {
      scoresPath,
      frameInterval: typicalFrameInterval(times),
      firstFrameTime: times[0]!,
      result: await detect(scoresPath, video),
    });
  }
});

describe('scenes on the corpus (or the fixtures)', () => {
  it('finds the hard cuts with pooled F1 >= 0.90 at +-2 frames', () => {
    let matched = 0;
    let found = 0;
    let real = 0;
    for (const [video, entry] of Object.entries(truth)) {
      const { result, frameInterval } = detection(video);
      matched += matchCuts(result.cuts, entry.hard_cuts, 2 * frameInterval).matched;
      found += result.cuts.length;
      real += entry.hard_cuts.length;
    }
    const f1 = (2 * matched) / (found + real);
    expect(f1).toBeGreaterThanOrEqual(0.9);
  });

  it('finds exactly the 7 cuts of the multi-shot file, each within 1 frame', () => {
    const { result, frameInterval } = detection(MULTISHOT);
    const match = matchCuts(result.cuts, truth[MULTISHOT]!.hard_cuts, frameInterval);
    expect(match).toEqual({ matched: 7, falseCuts: [], missed: [] });
  });

  it.skipIf(lacks(TEST_CORPUS, 'shot detection on the single-shot clips'))('finds no cut in the single-shot clips', () => {
    const singleShot = Object.keys(truth).filter((video) => truth[video]!.hard_cuts.length === 0);
    expect(singleShot.length).toBeGreaterThan(5);
    for (const video of singleShot) {
      expect(detection(video).result.cuts, video).toEqual([]);
    }
  });

  it("reports times on the file's own pts timeline when its video starts late", () => {
    const { result, frameInterval, firstFrameTime } = detection(LATE_START);
    const entry = truth[LATE_START]!;
    expect(firstFrameTime).toBeCloseTo(entry.video_start_pts!, 2);
    expect(result.scenes[0]!.start).toBe(firstFrameTime);
    expect(matchCuts(result.cuts, entry.hard_cuts, frameInterval).missed).toEqual([]);
  });

  it('covers every video with contiguous scenes that start at cuts', () => {
    for (const video of Object.keys(truth)) {
      const { result, firstFrameTime, frameInterval } = detection(video);
      const { scenes: list, cuts, frameCount } = result;
      expect(list[0]!.start).toBe(firstFrameTime);
      expect(list.slice(1).map((scene) => scene.start)).toEqual(cuts);
      list.forEach((scene, i) => {
        expect(scene.index).toBe(i);
        expect(scene.end).toBeGreaterThan(scene.start);
        if (i > 0) expect(scene.start).toBe(list[i - 1]!.end);
        if (i > 0) expect(scene.firstFrame).toBe(list[i - 1]!.endFrame);
      });
      expect(list.at(-1)!.endFrame).toBe(frameCount);
      expect(list.at(-1)!.end).toBeGreaterThan(list.at(-1)!.start + (list.at(-1)!.endFrame - list.at(-1)!.firstFrame - 1) * frameInterval * 0.99);
    }
  });

  // Its 70 s of flashes and fast motion hold cuts that a laxer threshold finds and a stricter one drops.
  const TEARS_OF_STEEL = 'tears_of_steel_battle_cuts_800x332.webm';
  it.skipIf(lacksVideo(TEARS_OF_STEEL, 're-thresholding shot detection'))('re-thresholds from the stored scores alone', async () => {
    const video = TEARS_OF_STEEL;
    const { scoresPath, result } = detection(video);
    const laxer = await detect(scoresPath, video, { adaptive_threshold: 2 });
    const stricter = await detect(scoresPath, video, { min_content_val: 40 });
    expect(laxer.cuts.length).toBeGreaterThan(result.cuts.length);
    expect(stricter.cuts.length).toBeLessThan(result.cuts.length);
  });

  it('rejects params out of range', async () => {
    const { scoresPath } = detection(MULTISHOT);
    await expect(detect(scoresPath, MULTISHOT, { window_width: 0 })).rejects.toThrow(/window_width/);
  });
});
