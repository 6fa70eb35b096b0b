/**
 * detect: samples frames at `sample_fps`, finds the faces in them with a model pack, and appends
 * one line per sampled frame to detections.jsonl (docs/artifacts.md), a journal that a killed
 * run resumes. Decoding (ffmpeg), analysis (a worker thread) and journalling overlap: while the
 * worker analyses one batch, the next is decoded and waits beside it.
 *
 * What is in the key: the pack's model files (through extraInputs), sample_fps, det_size and
 * det_thresh. Device, threads and batch change how detect runs, not what it finds.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { paramReader } from '../src/engine/config.ts';
import { defineRule, type ParamReader, type ParamSpec, type ParamValue, type ResourceClaim } from '../src/engine/rule.ts';
import { DETECT_SUMMARY_FILE, DETECTIONS_FILE, type DetectSummary } from '../src/artifacts/detect.ts';
import type { AnalysisSettings } from '../src/detect/analysis-protocol.ts';
import type { DetectionLine } from '../src/detect/records.ts';
// Imported with the rule, not on demand: an import from inside run() gets another copy of the
// media modules than the config's, and with it another cache of the streams scan read.
import { videoDuration } from '../src/detect/video-duration.ts';
import { analyseVideo } from '../src/detect/analyse-video.ts';
import { DEVICES, type Device } from '../src/faces/onnx/devices.ts';
import { DECODING_FILE } from '../src/artifacts/scan.ts';
import { VIDEO_DECODE } from '../src/media/shared-decode.ts';

/** Detect's params read by their declarations (the engine's resources and extraInputs hooks get plain values). */
function read(params: Record<string, ParamValue>): ParamReader {
  return paramReader(detect.params, params);
}

function device(params: Record<string, ParamValue>): Device {
  return read(params).string('device') as Device;
}

/**
 * Intra-op threads of one inference. `0` leaves one core to ffmpeg, which decodes the next frames
 * meanwhile: on two cores, two inference threads would wait for the core the decoder holds
 * (docs/analysis/vision.md measured 0.5-0.6x of one thread on a busy two-core machine).
 */
export function inferenceThreads(params: Record<string, ParamValue>): number {
  const threads = read(params).number('threads');
  return threads > 0 ? threads : Math.max(1, os.availableParallelism() - 1);
}

function models(params: Record<string, ParamValue>): string {
  return read(params).string('models');
}

/**
 * On a GPU, one core feeds it; on the CPU, detect holds its inference threads. Its decoder is not
 * counted: it needs well under a core (the models are the slow side), and holding a core for it
 * left that core idle a third of the time, since nothing else could start beside detect (on the
 * corpus, 2 cores: 35.5 s instead of 41.6 s). `auto` may end up on either (that is only known once
 * onnxruntime is loaded): it holds the GPU and the CPU share.
 */
function resources(params: Record<string, ParamValue>): ResourceClaim {
  const cores = inferenceThreads(params);
  const chosen = device(params);
  if (chosen === 'cpu') return { cpu: cores };
  if (chosen === 'auto') return { gpu: 1, cpu: cores };
  return { gpu: 1, cpu: 1 };
}

/**
 * `--models`, shared with score's identity filter: references are embedded by the pack that found
 * the faces. The pack's model files and their contents join the key through extraInputs; the
 * folder as spelled (relative, absolute, through a link) must not.
 */
export const MODELS_PARAM: ParamSpec = {
  type: 'string',
  paths: true,
  default: '',
  doc: "folder of insightface models (e.g. buffalo_l: det_10g.onnx, 1k3d68.onnx, w600k_r50.onnx); '' = the embedded pack",
  inKey: false,
};

export const detect = defineRule({
  name: 'detect',
  // After scan: a file scan cannot read fails once, on scan's line, and this rule is skipped
  // instead of failing again with ffmpeg's words. Of its outputs, only decoding.json joins the key
  // (the decoder makes the same choice of stream and shape itself).
  deps: ['scan'],
  reads: { scan: [DECODING_FILE] },
  per: 'video',
  // 2: poses fitted to the canonical face, with poseConfidence; the embedded pack drops meshes that are not face-shaped.
  version: 2,
  params: {
    models: MODELS_PARAM,
    sample_fps: { type: 'number', default: 2, min: 0.01, max: 240, doc: 'frames analysed per second of video' },
    det_size: { type: 'integer', default: 640, min: 32, max: 4096, doc: 'square detector input side in pixels (SCRFD models without a fixed size)' },
    det_thresh: {
      type: 'number',
      default: 0.3,
      min: 0,
      max: 1,
      // Low on purpose: faces are kept with their score, and the score rule filters them
      // (--min-det-score, 0.5), so tuning that threshold never re-runs detection.
      doc: 'least detector confidence (0-1) of a recorded face; the score rule filters further with --min-det-score',
    },
    device: { type: 'string', default: 'auto', choices: DEVICES, inKey: false, doc: 'where the models run (auto: the best available, else cpu)' },
    threads: { type: 'integer', default: 0, min: 0, inKey: false, doc: 'CPU threads per inference (0: all cores but one, which decodes)' },
    batch: { type: 'integer', default: 8, min: 1, max: 256, inKey: false, doc: 'frames per batch handed to the models' },
  },
  resources,
  // Started beside scene_scores of the same video, one ffmpeg decodes for both (src/media/shared-decode.ts).
  sharedSource: VIDEO_DECODE,
  async checkParams(params) {
    const detSize = params['det_size'];
    if (typeof detSize === 'number' && detSize % 32 !== 0) return `--det-size must be a multiple of 32, got ${detSize}`;
    const folder = models(params);
    if (folder === '') return undefined;
    const { loadPack } = await import('../src/faces/insightface/pack.ts');
    return loadPack(folder).then(() => undefined, (error: Error) => `--models ${folder}: ${error.message}`);
  },
  async extraInputs(params, { cacheDir }) {
    const { resolvePack, modelFiles } = await import('../src/faces/packs.ts');
    return modelFiles(await resolvePack(models(params), cacheDir));
  },
  async run(ctx) {
    const file = ctx.item.path;
    const fps = ctx.param.number('sample_fps');
    const { resolvePack, packLabel } = await import('../src/faces/packs.ts');
    const pack = await resolvePack(models(ctx.params), ctx.cacheDir);
    const settings: AnalysisSettings = {
      pack,
      device: device(ctx.params),
      threads: inferenceThreads(ctx.params),
      detSize: ctx.param.number('det_size'),
      scoreThreshold: ctx.param.number('det_thresh'),
      batchSize: ctx.param.number('batch'),
    };
    const began = Date.now();
    const journal = await ctx.journal<DetectionLine>(DETECTIONS_FILE);
    const { done, provider, resumedFrom } = await analyseVideo({
      file,
      fps,
      settings,
      journal,
      // Only the progress total: without it, progress has none.
      durationSec: await videoDuration(file, ctx.signal).catch(() => null),
      ...(ctx.sharedSource && { sharedSource: { source: ctx.sharedSource, member: ctx.rule } }),
      signal: ctx.signal,
      log: (message) => ctx.log(message),
      progress: (count, total, unit) => ctx.progress(count, total, unit),
    });
    if (done.lines === 0) throw new Error(`no video frames decoded from ${file}`);
    const summary: DetectSummary = { sampledFrames: done.lines, faces: done.faces, frameErrors: done.errors, pack: packLabel(pack), sampleFps: fps };
    await writeFile(path.join(ctx.outDir, DETECT_SUMMARY_FILE), `${JSON.stringify(summary, null, 2)}\n`);
    const fresh = done.lines - resumedFrom;
    const rate = fresh / Math.max((Date.now() - began) / 1000, 1e-3);
    ctx.log(
      `${done.lines} frames, ${done.faces} faces, ${done.errors} frame errors` +
        (resumedFrom > 0 ? ` (resumed after ${resumedFrom})` : '') +
        `; ${fresh} analysed at ${rate.toFixed(1)} frames/s on ${provider}`,
    );
  },
});
