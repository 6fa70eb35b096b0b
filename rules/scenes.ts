/**
 * Shot detection in two rules, so that retuning the thresholds never decodes again:
 * - `scene_scores` decodes the video once, tiny, and writes one line of content scores per frame
 *   (scores.jsonl);
 * - `scenes` thresholds those scores into cuts and scenes (scenes.json); it is cheap.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { decodeShared, VIDEO_DECODE } from '../src/media/shared-decode.ts';
import { frameGaps } from '../src/media/frame-times.ts';
import { findCuts, scenesFromCuts, type ShotParams } from '../src/media/scene-cuts.ts';
import { GRID_COLUMNS, SceneScorer } from '../src/media/scene-scores.ts';
import { defineRule } from '../src/engine/rule.ts';
import { parseScores, SCORES_FILE, scoreLine } from '../src/artifacts/scene-scores.ts';
import { SCENES_FILE, type ScenesFile } from '../src/artifacts/scenes.ts';
import { DECODING_FILE } from '../src/artifacts/scan.ts';


const PROGRESS_EVERY = 64;

export const sceneScores = defineRule({
  name: 'scene_scores',
  // After scan: a file scan cannot read fails once, on scan's line, and this rule is skipped
  // instead of failing again with ffmpeg's words. Of its outputs, only decoding.json joins the key
  // (the decoder makes the same choice of stream and shape itself).
  deps: ['scan'],
  reads: { scan: [DECODING_FILE] },
  per: 'video',
  // 2: decoded without the in-loop deblocking filter; 3: with it again, as detect decodes, so that
  // one decoder serves both when they meet. Scores differ in the decimals, cuts do not (docs/analysis/scenes.md).
  version: 3,
  resources: { cpu: 1 },
  // Started beside detect of the same video, one ffmpeg decodes for both (src/media/shared-decode.ts).
  sharedSource: VIDEO_DECODE,
  params: {
    scene_width: {
      type: 'integer',
      // The comparison grid's width: ffmpeg averages each grid cell while scaling, which keeps
      // the rule at decode speed; 256 (PySceneDetect's) finds the same cuts on the corpus, slower.
      default: GRID_COLUMNS,
      min: 16,
      max: 1920,
      doc: 'width in pixels frames are decoded at for shot detection (at least 16)',
    },
  },
  async run(ctx) {
    const file = ctx.item.path;
    const width = ctx.param.number('scene_width');
    const out = createWriteStream(path.join(ctx.outDir, SCORES_FILE));
    const closed = once(out, 'close');
    try {
      let scorer: SceneScorer | undefined;
      let frames = 0;
      // Lines go out PROGRESS_EVERY at a time: a write per frame was half a CPU-second of the
      // main thread over the corpus, and the file is staged, so a kill loses it whole either way.
      let lines = '';
      const decode = await decodeShared(ctx.sharedSource, ctx.rule, file, { width, pixFmt: 'rgb24', signal: ctx.signal });
      if (decode.sharedWith.length > 0) ctx.log(`decoding in one ffmpeg with ${decode.sharedWith.join(', ')}`);
      for await (const frame of decode.frames) {
        scorer ??= new SceneScorer(frame.width, frame.height);
        lines += scoreLine(scorer.push(frame.data, frame.time));
        if (++frames % PROGRESS_EVERY !== 0) continue;
        if (!out.write(lines)) await once(out, 'drain');
        lines = '';
        // The frame count is unknown until the end (0 = unknown total); probing for it costs a pass.
        ctx.progress(frames, 0, 'frames');
      }
      if (frames === 0) throw new Error(`no video frames decoded from ${file}`);
      out.write(lines);
      ctx.progress(frames, frames, 'frames');
    } finally {
      out.end();
      await closed;
    }
  },
});

export const scenes = defineRule({
  name: 'scenes',
  per: 'video',
  deps: ['scene_scores'],
  readsItem: false,
  // 2: the gaps in the pictures (a video with none writes what version 1 did).
  version: 2,
  params: {
    adaptive_threshold: {
      type: 'number',
      default: 3,
      min: 0,
      doc: "a frame is a cut when its content score is this many times its neighbours' mean",
    },
    window_width: {
      type: 'integer',
      default: 2,
      min: 1,
      doc: 'neighbours on each side of a frame that form that mean',
    },
    min_content_val: {
      type: 'number',
      default: 15,
      min: 0,
      max: 255,
      doc: 'least content score (0-255) a cut must also reach',
    },
    min_scene_len: {
      type: 'integer',
      default: 15,
      min: 0,
      doc: 'least frames between two cuts (and from the start of the video to the first)',
    },
  },
  async run(ctx) {
    const params: ShotParams = {
      adaptiveThreshold: ctx.param.number('adaptive_threshold'),
      windowWidth: ctx.param.number('window_width'),
      minContentVal: ctx.param.number('min_content_val'),
      minSceneLen: ctx.param.number('min_scene_len'),
    };
    const frames = parseScores(await readFile(ctx.depFile('scene_scores', SCORES_FILE), 'utf8'));
    const cutFrames = findCuts(frames, params);
    const times = frames.map((frame) => frame.time);
    const gaps = frameGaps(times);
    const result: ScenesFile = {
      cuts: cutFrames.map((index) => times[index]!),
      cutFrames,
      scenes: scenesFromCuts(times, cutFrames),
      frameCount: frames.length,
      ...(gaps.length > 0 && { gaps }),
    };
    await writeFile(path.join(ctx.outDir, SCENES_FILE), `${JSON.stringify(result, null, 1)}\n`);
  },
});
