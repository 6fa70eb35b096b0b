import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { detect } from '../../rules/detect.ts';
import { isErrorLine, type FrameLine } from '../../src/detect/records.ts';
import type { BuildContext, Journal } from '../../src/engine/rule.ts';
import { ruleContext } from '../helpers/rule-context.ts';
import { lacks, TEST_CORPUS, TEST_MODELS } from '../helpers/test-data.ts';
import { corpusVideo, editedScrfdPack, removePacks, scrfdPack } from './fixtures.ts';
import { DETECTIONS_FILE, DETECT_SUMMARY_FILE, type DetectSummary, parseDetectionLines } from '../../src/artifacts/detect.ts';

/** Runs detect on one corpus video with an SCRFD pack, as the engine would; returns its lines, summary and log. */
async function runDetect(video: string, params: Record<string, string | number> = {}) {
  const logs: string[] = [];
  const progress: [number, number][] = [];
  const journals: Journal[] = [];
  const base = ruleContext(detect, corpusVideo(video));
  base.params = { ...base.params, models: scrfdPack(), device: 'cpu', threads: 1, ...params };
  const ctx: BuildContext = {
    ...base,
    log: (message) => logs.push(message),
    progress: (done, total) => progress.push([done, total]),
    journal: async <T>(name: string) => {
      const journal = await base.journal<T>(name);
      journals.push(journal as Journal);
      return journal;
    },
  };
  await detect.run(ctx);
  // The engine closes a build's journals after run() returns.
  for (const journal of journals) await journal.close();
  const workDir = path.join(path.dirname(ctx.outDir), 'work');
  return {
    lines: parseDetectionLines(readFileSync(path.join(workDir, DETECTIONS_FILE), 'utf8')),
    summary: JSON.parse(readFileSync(path.join(ctx.outDir, DETECT_SUMMARY_FILE), 'utf8')) as DetectSummary,
    logs,
    progress,
  };
}

function frames(lines: ReturnType<typeof parseDetectionLines>): FrameLine[] {
  expect(lines.filter(isErrorLine)).toEqual([]);
  return lines as FrameLine[];
}

describe.skipIf(lacks([TEST_MODELS, TEST_CORPUS], 'the detect rule on the corpus'))('detect rule on the corpus (SCRFD-500M)', () => {
  afterAll(removePacks);

  it('writes one line per sample of the face clip, on the pts timeline, a face in each', async () => {
    const { lines, summary, logs, progress } = await runDetect('woman_frontal_static_720p.mp4');
    const sampled = frames(lines);
    // 9.43 s at 2 samples/s, frames at 30 fps from pts 0: samples at 0, 0.5, ..., 9.0.
    expect(sampled.map((l) => l.t)).toEqual(Array.from({ length: 19 }, (_, k) => k / 2));
    expect(sampled.map((l) => l.i)).toEqual(Array.from({ length: 19 }, (_, k) => k));
    for (const line of sampled) {
      expect([line.w, line.h]).toEqual([1280, 720]);
      expect(line.faces).toHaveLength(1);
      const [face] = line.faces;
      expect(face!.score).toBeGreaterThan(0.5);
      expect(face!.box[3] - face!.box[1]).toBeGreaterThan(250);
      expect(face!.kps).toHaveLength(5);
      expect(face!.pose).toBe('kps5');
      expect(Math.abs(face!.yaw!)).toBeLessThan(45);
      expect(face!.emb).toBeNull(); // the pack has no recognition model
    }
    expect(summary).toEqual({ sampledFrames: 19, faces: 19, frameErrors: 0, pack: 'insightface det_500m.onnx', sampleFps: 2 });
    expect(progress.at(-1)).toEqual([19, 19]);
    expect(logs.at(-1)).toMatch(/^19 frames, 19 faces, 0 frame errors;/);
  });

  it('finds no face the score rule would keep on the no-face clip', async () => {
    const { lines, summary } = await runDetect('coffee_pour_noface_720p.mp4', { sample_fps: 1 });
    const sampled = frames(lines);
    expect(sampled).toHaveLength(10);
    // det_thresh 0.3 records weak detections on purpose; none reaches min_det_score 0.5.
    expect(sampled.flatMap((l) => l.faces).filter((f) => f.score >= 0.5)).toEqual([]);
    expect(summary.sampledFrames).toBe(10);
  });

  it('keeps times on a stream that starts late, and samples one interval after another', async () => {
    const { lines } = await runDetect('hamilton_whitehouse_cuts_640x360.mp4', { sample_fps: 1 });
    const sampled = frames(lines);
    // The video starts at pts 0.852 s; the first frame of each later second follows.
    expect(sampled[0]!.t).toBeCloseTo(0.852, 3);
    sampled.slice(1).forEach((line, k) => {
      expect(line.t).toBeGreaterThanOrEqual(k + 1);
      expect(line.t).toBeLessThan(k + 1 + 1 / 29.97 + 1e-6);
      expect(line.i).toBe(k + 1);
    });
    expect(sampled.at(-1)!.t).toBeLessThan(10.03);
    // Shot 3 (pts 3.58-7.88) holds a face of about 110 px.
    const shot3 = sampled.filter((l) => l.t > 4 && l.t < 7.5);
    expect(shot3.every((l) => l.faces.some((f) => f.score >= 0.5 && f.box[3] - f.box[1] > 80))).toBe(true);
  });

  it('loads a detector file of other content with the same network (the pack-switch test relies on it)', async () => {
    const { lines } = await runDetect('woman_frontal_static_720p.mp4', { models: editedScrfdPack(), sample_fps: 0.25 });
    expect(frames(lines).map((l) => l.faces.length)).toEqual([1, 1, 1]);
  });
});
