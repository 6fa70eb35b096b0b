/**
 * Real inputs for the track and score rules: detections.jsonl written in docs/artifacts.md's
 * format by a real analyzer on corpus clips (detect may not exist yet), scenes from the real
 * scenes rules, and helpers that run track and score on them through ruleContext.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type Artifact, type ParamValue, type Rule, runRule } from '../../src/engine/rule.ts';
import { decodeFrames } from '../../src/media/decode.ts';
import { createEmbeddedAnalyzer } from '../../src/faces/embedded/analyzer.ts';
import { embeddedPack } from '../../src/faces/embedded/pack.ts';
import { faceRecord } from '../../src/detect/records.ts';
import { createInsightfaceAnalyzer, loadPack, type FaceAnalyzer, type RgbFrame } from '../../src/faces/index.ts';
import { sceneScores, scenes } from '../../rules/scenes.ts';
import { score } from '../../rules/score.ts';
import { track } from '../../rules/track.ts';
import { ruleContext } from '../helpers/rule-context.ts';
import { corpusVideo, folderOfScrfd } from '../vision/fixtures.ts';
import { type SegmentsFile, SEGMENTS_FILE } from '../../src/artifacts/score.ts';
import { type TracksFile, TRACKS_FILE } from '../../src/artifacts/track.ts';
import { DETECTIONS_FILE } from '../../src/artifacts/detect.ts';
import { SCENES_FILE } from '../../src/artifacts/scenes.ts';
import { SCORES_FILE } from '../../src/artifacts/scene-scores.ts';

export { corpusVideo };

export type Pack = 'scrfd' | 'embedded';

const detectors = new Map<Pack, Promise<FaceAnalyzer>>();

function detector(pack: Pack): Promise<FaceAnalyzer> {
  let found = detectors.get(pack);
  if (!found) {
    const session = { device: 'cpu', threads: 1, scoreThreshold: 0.5 } as const;
    found =
      pack === 'scrfd'
        ? folderOfScrfd(['det_500m.onnx']).then(loadPack).then((p) => createInsightfaceAnalyzer(p, { ...session, detSize: 640 }))
        : mkdtemp(path.join(os.tmpdir(), 'vbuild-embedded-'))
            .then(embeddedPack)
            .then((p): Promise<FaceAnalyzer> => createEmbeddedAnalyzer(p, session));
    detectors.set(pack, found);
  }
  return found;
}

/** detections.jsonl of `video` sampled at `fps` with a real detector (SCRFD-500M or the embedded pack). */
export async function detectionsOf(video: string, pack: Pack, fps = 2, duration?: number): Promise<string> {
  const analyzer = await detector(pack);
  const lines: string[] = [];
  for await (const frame of decodeFrames(corpusVideo(video), { fps, duration, pixFmt: 'rgb24' })) {
    const [faces = []] = await analyzer.detect([{ width: frame.width, height: frame.height, data: frame.data }]);
    lines.push(JSON.stringify({ t: frame.time, i: frame.index, w: frame.width, h: frame.height, faces: faces.map(faceRecord) }));
  }
  return `${lines.join('\n')}\n`;
}

function artifact(files: Record<string, string>): Artifact {
  return { files, hashes: Object.fromEntries(Object.keys(files).map((f) => [f, ''])) };
}

/** Runs `rule` and returns the path of its output `name`. */
async function output(rule: Rule, file: string | null, deps: Record<string, Artifact>, name: string, params?: Record<string, ParamValue>): Promise<string> {
  const ctx = ruleContext(rule, file, { deps });
  ctx.params = { ...ctx.params, ...params };
  await runRule(rule, ctx);
  return path.join(ctx.outDir, name);
}

/** scenes.json of `video` from the real scene_scores and scenes rules. */
export async function scenesOf(video: string): Promise<string> {
  const scores = await output(sceneScores, corpusVideo(video), {}, SCORES_FILE);
  return output(scenes, null, { scene_scores: artifact({ [SCORES_FILE]: scores }) }, SCENES_FILE);
}

export interface Inputs {
  video: string;
  detections: string;
  scenes: string;
}

/** Real detections and scenes of `video`, as files the rules read. */
export async function inputsOf(video: string, pack: Pack, fps = 2, duration?: number): Promise<Inputs> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-score-'));
  const detections = path.join(dir, DETECTIONS_FILE);
  const [text, scenesFile] = await Promise.all([detectionsOf(video, pack, fps, duration), scenesOf(video)]);
  await writeFile(detections, text);
  return { video: corpusVideo(video), detections, scenes: scenesFile };
}

export interface Scored {
  tracks: TracksFile;
  segments: SegmentsFile;
}

/** track then score on `inputs`, with param overrides (defaults otherwise). */
export async function trackAndScore(inputs: Inputs, params: Record<string, ParamValue> = {}): Promise<Scored> {
  const detect = artifact({ [DETECTIONS_FILE]: inputs.detections });
  const sceneArtifact = artifact({ [SCENES_FILE]: inputs.scenes });
  const tracksPath = await output(track, inputs.video, { detect, scenes: sceneArtifact }, TRACKS_FILE, params);
  const segmentsPath = await output(score, inputs.video, { detect, scenes: sceneArtifact, track: artifact({ [TRACKS_FILE]: tracksPath }) }, SEGMENTS_FILE, params);
  return {
    tracks: JSON.parse(await readFile(tracksPath, 'utf8')) as TracksFile,
    segments: JSON.parse(await readFile(segmentsPath, 'utf8')) as SegmentsFile,
  };
}
