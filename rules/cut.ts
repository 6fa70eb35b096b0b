/**
 * cut: every planned segment of a video becomes a clip of exactly the planned frames (smart cut
 * by default: the frames before the first keyframe re-encoded, the rest copied), checked after
 * cutting. Clips are published to `<output>/<dir>/<stem>/`; the engine removes clips of an earlier
 * plan that this one no longer has.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule, type Artifact, type ParamReader } from '../src/engine/rule.ts';
import { CUT_MODES, DEFAULT_CRF, cutClips, type CutClip, type CutMode } from '../src/media/cut.ts';
import { hashCutInputs, keepEarlierClips } from '../src/cut/reuse.ts';
import { DEFAULT_X264_PRESET, X264_PRESETS, type X264Preset } from '../src/media/head-encoders.ts';
import { clipFolder } from '../src/cut/clip-folder.ts';
import type { Segment } from '../src/score/types.ts';
import { VBUILD_VERSION } from '../src/version.ts';
import { MIN_DUR_PARAM } from './score.ts';
import { CLIPS_FILE, type ClipEntry, type ClipsFile, type CutParams } from '../src/artifacts/cut.ts';
import { parseSegments, CLIP_PLAN_FILE } from '../src/artifacts/score.ts';
import { DECODING_FILE } from '../src/artifacts/scan.ts';
import { SCENES_FILE, type ScenesFile } from '../src/artifacts/scenes.ts';

// 4: clips.json records the vbuild version; sidecars are the sidecars rule's (they name the source).
const CUT_RULE_VERSION = 4;

function cutParams(param: ParamReader): CutParams {
  // --accurate is the old name of --cut-mode reencode.
  const cutMode = param.boolean('accurate') ? 'reencode' : (param.string('cut_mode') as CutMode);
  const x264Preset = param.string('x264_preset') as X264Preset;
  return { cutMode, crf: param.number('crf'), ...(x264Preset !== DEFAULT_X264_PRESET && { x264Preset }) };
}

function clipEntry(segment: Segment, cut: CutClip, bytes: number): ClipEntry {
  const { scene, tracks, scores } = segment;
  return { ...cut, file: cut.file ? path.basename(cut.file) : '', scene, tracks, scores, bytes };
}

/** scan's decoding.json; null for a video decoded the plain way, for which scan writes none. */
async function decodingOf(scan: Artifact): Promise<string | null> {
  const file = scan.files[DECODING_FILE];
  return file === undefined ? null : readFile(file, 'utf8');
}

/** "12 clips: 8 smart, 3 copy, 1 reencode; 9.4 s re-encoded; 1 not cut". */
function summary(clips: readonly ClipEntry[]): string {
  const written = clips.filter((clip) => clip.mode);
  const byMode = CUT_MODES.map((mode) => [mode, written.filter((clip) => clip.mode === mode).length] as const).filter(([, n]) => n > 0);
  const seconds = written.reduce((sum, clip) => sum + clip.reencodedSeconds, 0);
  const skipped = clips.length - written.length;
  const modes = byMode.length ? `: ${byMode.map(([mode, n]) => `${n} ${mode}`).join(', ')}` : '';
  return `${written.length} clips${modes}; ${seconds.toFixed(1)} s re-encoded${skipped ? `; ${skipped} not cut` : ''}`;
}

export const cut = defineRule({
  name: 'cut',
  per: 'video',
  // scan: order only, so that a file scan rejects fails there once.
  deps: ['scan', 'scenes', 'score'],
  // decoding.json: which stream is cut (the decoders' choice, read again by the cutter).
  reads: { scan: [DECODING_FILE], scenes: [SCENES_FILE], score: [CLIP_PLAN_FILE] },
  version: CUT_RULE_VERSION,
  resources: { cpu: 1, io: 1 },
  params: {
    cut_mode: {
      type: 'string',
      default: 'smart',
      choices: CUT_MODES,
      doc: 'smart: re-encode only up to the first keyframe inside a clip and copy the rest; copy: start at that keyframe (shorter clips); reencode: re-encode every frame',
    },
    accurate: { type: 'boolean', default: false, doc: 'the same as --cut-mode reencode' },
    crf: {
      type: 'integer',
      default: DEFAULT_CRF,
      min: 0,
      max: 51,
      doc: 'x264 quality (0-51, lower is better) of re-encoded frames: smart heads, --cut-mode reencode, clips a copy cannot make',
    },
    x264_preset: {
      type: 'string',
      default: DEFAULT_X264_PRESET,
      choices: X264_PRESETS,
      // Added after clips were cut at `fast`: those keep their keys (and are not cut again).
      inKey: 'unless-default',
      doc: 'x264 speed of re-encoded frames (smart heads, --cut-mode reencode): veryfast takes about 0.4 of fast\'s CPU for about 1 dB less PSNR at the same --crf',
    },
    min_dur: MIN_DUR_PARAM,
  },
  publish: (item) => clipFolder(item!.id),
  // clips.json is for the report; published, two sources with one stem (talk.mp4, talk.mkv) would fight over it.
  publishes: (name) => name !== CLIPS_FILE,
  async run(ctx) {
    const params = cutParams(ctx.param);
    const scenesText = await readFile(ctx.depFile('scenes', SCENES_FILE), 'utf8');
    const { scenes } = JSON.parse(scenesText) as ScenesFile;
    const plan = parseSegments(await readFile(ctx.depFile('score', CLIP_PLAN_FILE), 'utf8'));
    const within = new Map(
      plan.segments.flatMap((segment) => {
        const scene = scenes.find((each) => each.index === segment.scene);
        return scene ? [[segment.id, { start: scene.start, end: scene.end }] as const] : [];
      }),
    );
    const minDuration = ctx.param.number('min_dur');
    const cutInputs = await hashCutInputs({
      sourceHash: ctx.itemHash,
      vbuildVersion: VBUILD_VERSION,
      ruleVersion: CUT_RULE_VERSION,
      cutParams: params,
      minDuration,
      decoding: await decodingOf(ctx.deps['scan']!),
      scenes: scenesText,
    });
    const requests = plan.segments.map(({ id, start, end }) => ({ id, start, end }));
    const kept = await keepEarlierClips(ctx.previous, cutInputs, requests, ctx.outDir);
    const toCut = requests.filter((request) => !kept.has(request.id));
    const made = toCut.length === 0 ? [] : await cutClips(ctx.item.path, toCut, ctx.outDir, { mode: params.cutMode, crf: params.crf, x264Preset: params.x264Preset, minDuration, within, signal: ctx.signal });
    const madeById = new Map(made.map((clip) => [clip.id, clip]));
    const cuts = requests.map((request) => kept.get(request.id) ?? madeById.get(request.id)!);

    const clips = await Promise.all(
      plan.segments.map(async (segment, i) => {
        const result = cuts[i]!;
        return clipEntry(segment, result, result.file ? (await stat(result.file)).size : 0);
      }),
    );
    const record: ClipsFile = { sourceHash: ctx.itemHash, vbuildVersion: VBUILD_VERSION, cutParams: params, cutInputs, clips };
    await writeFile(path.join(ctx.outDir, CLIPS_FILE), `${JSON.stringify(record, null, 1)}\n`);
    ctx.log(`${summary(clips)}${kept.size > 0 ? `; ${kept.size} kept from the last cut` : ''}`);
    for (const clip of clips.filter((each) => each.skipped)) {
      ctx.log(`clip ${clip.id} (${clip.requestedStart.toFixed(3)}–${clip.requestedEnd.toFixed(3)} s) not cut: ${clip.skipped}`);
    }
  },
});
