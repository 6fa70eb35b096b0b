/**
 * cut: every planned segment of a video becomes a clip, all in one ffmpeg pass, keyframe-snapped
 * (or frame-exact with --accurate). Clips are published to `<output>/<dir>/<stem>/`; the engine
 * removes clips of an earlier plan that this one no longer has.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule, type BuildContext, type ParamValue } from '../src/engine/rule.ts';
import { DEFAULT_CRF } from '../src/media/cut.ts';
import { clipFolder } from '../src/cut/clip-folder.ts';
import { CLIPS_FILE, clipEntry, type ClipsFile, type CutParams, type Sidecar } from '../src/cut/clips-file.ts';
import { cutSegments } from '../src/cut/cut-segments.ts';
import { parseSegments } from '../src/cut/segments.ts';
import { PROBE_FILE, type ProbeFile } from './scan.ts';
import { CLIP_PLAN_FILE } from './score.ts';

function dependencyFile(ctx: BuildContext, rule: string, name: string): string {
  const file = ctx.deps[rule]?.files[name];
  if (!file) throw new Error(`${ctx.rule} needs ${name} from ${rule}`);
  return file;
}

function cutParams(params: Record<string, ParamValue>): CutParams {
  const { accurate, crf, sidecar } = params;
  if (typeof crf !== 'number' || !Number.isInteger(crf) || crf < 0 || crf > 51) throw new Error(`param crf must be an integer 0-51, got ${String(crf)}`);
  return { accurate: accurate === true, crf, sidecar: sidecar === true };
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

export const cut = defineRule({
  name: 'cut',
  per: 'video',
  deps: ['scan', 'score'],
  reads: { score: [CLIP_PLAN_FILE] },
  version: 2,
  resources: { cpu: 1, io: 1 },
  params: {
    accurate: {
      type: 'boolean',
      default: false,
      doc: 're-encode every clip (libx264) for frame-exact starts instead of stream-copying from a keyframe',
    },
    crf: {
      type: 'integer',
      default: DEFAULT_CRF,
      doc: 'x264 quality (0-51, lower is better) of re-encoded clips: --accurate, and clips without a keyframe to copy from',
    },
    sidecar: { type: 'boolean', default: false, doc: "write <uuid>.json beside each clip with the clip's full provenance" },
  },
  publish: (item) => clipFolder(item!.id),
  // clips.json is for the report; published, two sources with one stem (talk.mp4, talk.mkv) would fight over it.
  publishes: (name) => name !== CLIPS_FILE,
  async run(ctx) {
    if (!ctx.item || !ctx.itemHash) throw new Error(`${ctx.rule} is a per-video rule but ran without an item`);
    const params = cutParams(ctx.params);
    const probe = await readJson<ProbeFile>(dependencyFile(ctx, 'scan', PROBE_FILE));
    const plan = parseSegments(await readFile(dependencyFile(ctx, 'score', CLIP_PLAN_FILE), 'utf8'));
    const requests = plan.segments.map(({ id, start, end }) => ({ id, start, end }));
    const cuts = await cutSegments(ctx.item.path, requests, ctx.outDir, {
      accurate: params.accurate,
      crf: params.crf,
      keyframes: probe.keyframes,
      signal: ctx.signal,
    });

    const clips = await Promise.all(
      plan.segments.map(async (segment, i) => {
        const result = cuts[i]!;
        const bytes = result.file ? (await stat(result.file)).size : 0;
        return clipEntry(segment, result, result.file ? path.basename(result.file) : '', bytes);
      }),
    );
    const record: ClipsFile = { sourceHash: ctx.itemHash, cutParams: params, clips };
    await writeFile(path.join(ctx.outDir, CLIPS_FILE), `${JSON.stringify(record, null, 1)}\n`);

    if (params.sidecar) {
      const { durationSec, fpsAvg, width, height, videoCodec, audioCodec, rotation } = probe;
      const source = { durationSec, fpsAvg, width, height, rotation, videoCodec, audioCodec };
      await Promise.all(
        clips
          .filter((clip) => clip.file)
          .map((clip) => {
            const sidecar: Sidecar = { ...clip, sourceHash: ctx.itemHash!, source, cutParams: params };
            return writeFile(path.join(ctx.outDir, `${clip.id}.json`), `${JSON.stringify(sidecar, null, 1)}\n`);
          }),
      );
    }
    const written = clips.filter((clip) => clip.file).length;
    ctx.log(`${written} of ${clips.length} clips cut`);
  },
});
