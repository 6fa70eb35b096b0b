/**
 * score: which stretches of which tracks are swappable clips. Per-frame limits, the track gate,
 * bridging, cross-track merge inside a scene, duration bounds, the optional identity filter;
 * segments.json with a reason for every rejected track (docs/scoring.md).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { paramReader } from '../src/engine/config.ts';
import { defineRule, type ParamReader, type ParamSpec, type ParamValue } from '../src/engine/rule.ts';
import { CLIP_PLAN_FILE, SEGMENTS_FILE } from '../src/artifacts/score.ts';
import { identityFiles, referenceEmbedding } from '../src/score/identity.ts';
import { modelFiles, resolvePack } from '../src/faces/packs.ts';
import type { IdentityFilter } from '../src/score/identity-match.ts';
import { scoreVideo } from '../src/score/segments.ts';
import { splitProblem } from '../src/score/split.ts';
import type { ScoreParams } from '../src/score/types.ts';
import { parseSamples } from '../src/track/detections.ts';
import type { SegmentsFile } from '../src/artifacts/score.ts';
import { type TracksFile, TRACKS_FILE } from '../src/artifacts/track.ts';
import { DETECTIONS_FILE } from '../src/artifacts/detect.ts';
import { SCENES_FILE, type ScenesFile } from '../src/artifacts/scenes.ts';
import { MODELS_PARAM } from './detect.ts';

/** Score's params read by their declarations (checkParams and extraInputs get plain values). */
function read(params: Record<string, ParamValue>): ParamReader {
  return paramReader(score.params, params);
}

function scoreParams(param: ParamReader): ScoreParams {
  return {
    maxYaw: param.number('max_yaw'),
    maxPitch: param.number('max_pitch'),
    minPoseConfidence: param.number('min_pose_confidence'),
    minFace: param.number('min_face'),
    minDetScore: param.number('min_det_score'),
    trackPassRatio: param.number('track_pass_ratio'),
    bridgeGap: param.number('bridge_gap'),
    mergeGap: param.number('merge_gap'),
    minDur: param.number('min_dur'),
    maxDur: param.number('max_dur'),
  };
}

/** Shared with cut, which never keeps a clip shorter than the plan allows. */
export const MIN_DUR_PARAM: ParamSpec = { type: 'number', default: 1, min: 0, doc: 'shortest segment in seconds; shorter ones are rejected, and no shorter clip is kept' };

export const score = defineRule({
  name: 'score',
  per: 'video',
  deps: ['track', 'detect', 'scenes'],
  // Reads no frame, but segment ids derive from the item's content hash (ctx.itemHash): the item
  // must be in the key, or two videos with the same detections would share one cached plan.
  // 3: a face whose pose cannot be measured (poseConfidence) fails the pose gate.
  // 4: no segment starts or ends inside a gap in the pictures (scenes.json's gaps).
  version: 4,
  params: {
    max_yaw: { type: 'number', default: 75, min: 0, max: 180, doc: 'largest |yaw| in degrees of a passing face' },
    max_pitch: { type: 'number', default: 45, min: 0, max: 90, doc: 'largest |pitch| in degrees of a passing face' },
    min_pose_confidence: {
      type: 'number',
      default: 0.5,
      min: 0,
      max: 1,
      doc: "least pose confidence of a passing face: below it the landmarks cannot measure the turn (a profile; docs/pose.md)",
    },
    min_face: { type: 'number', default: 80, min: 0, doc: 'least face size in pixels (the shorter side of the box)' },
    min_det_score: { type: 'number', default: 0.5, min: 0, max: 1, doc: 'least detection confidence of a passing face' },
    track_pass_ratio: { type: 'number', default: 0.7, min: 0, max: 1, doc: "share of a stretch's sampled frames whose face must pass" },
    bridge_gap: { type: 'number', default: 3, min: 0, doc: 'gaps in seconds inside one track shorter than this are bridged' },
    merge_gap: { type: 'number', default: 2, min: 0, doc: 'segments of one scene closer than this many seconds are fused' },
    min_dur: MIN_DUR_PARAM,
    max_dur: { type: 'number', default: 120, min: 0, doc: 'longest segment in seconds; longer ones are split at their weakest sample' },
    identity: {
      type: 'string',
      paths: true,
      default: '',
      doc: 'keep only tracks of this face: images, folders of images or .fsz face sets, comma-separated',
    },
    identity_threshold: {
      type: 'number',
      default: 0.6,
      min: -1,
      max: 1,
      doc: "least cosine similarity of a track's mean embedding to the identity reference",
    },
    models: MODELS_PARAM,
  },
  // Once for the whole run: bounds or references that cannot work would fail every video alike.
  async checkParams(params) {
    const sampleFps = params['sample_fps'];
    const step = typeof sampleFps === 'number' ? 1 / sampleFps : 0;
    const identity = read(params).string('identity');
    const identityProblem =
      identity === '' ? undefined : await identityFiles(identity).then(() => undefined, (error: Error) => `--identity: ${error.message}`);
    return [splitProblem(step, scoreParams(read(params))), identityProblem].filter(Boolean).join('; ') || undefined;
  },
  // The references' content and the models that embed them decide which tracks are kept.
  async extraInputs(params, { cacheDir }) {
    const identity = read(params).string('identity');
    if (identity === '') return [];
    return [...(await identityFiles(identity)), ...modelFiles(await resolvePack(read(params).string('models'), cacheDir))];
  },
  async run(ctx) {
    const params = scoreParams(ctx.param);
    const samples = parseSamples(await readFile(ctx.depFile('detect', DETECTIONS_FILE), 'utf8'));
    const { sampleStep, tracks } = await ctx.readJson<TracksFile>(ctx.depFile('track', TRACKS_FILE));
    const { scenes, gaps = [] } = await ctx.readJson<ScenesFile>(ctx.depFile('scenes', SCENES_FILE));
    const identitySpec = ctx.param.string('identity');
    let identity: IdentityFilter | null = null;
    if (identitySpec !== '') {
      // Imported here: loading onnxruntime costs every command, and only --identity needs it.
      const { openReferenceAnalyzer } = await import('../src/score/identity-models.ts');
      const analyzer = await openReferenceAnalyzer(ctx.param.string('models'), ctx.cacheDir);
      identity = {
        reference: await referenceEmbedding(await identityFiles(identitySpec), analyzer, (m) => ctx.log(m)),
        threshold: ctx.param.number('identity_threshold'),
      };
    }
    const result = scoreVideo({ samples, tracks, scenes, gaps, step: sampleStep, itemHash: ctx.itemHash, identity }, params);
    const written: SegmentsFile = { ...result, params: { ...ctx.params } as Record<string, number | string> };
    await writeFile(path.join(ctx.outDir, SEGMENTS_FILE), `${JSON.stringify(written, null, 1)}\n`);
    await writeFile(path.join(ctx.outDir, CLIP_PLAN_FILE), `${JSON.stringify({ segments: result.segments }, null, 1)}\n`);
  },
});
