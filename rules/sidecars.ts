/**
 * sidecars: with --sidecar, `<uuid>.json` beside each clip, published with it: the clip described
 * on its own (src/cut/sidecar.ts). A rule of its own because a sidecar names its source, which no
 * other artifact does: a renamed video rebuilds only these (readsItemId), its clips are restored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule, type ParamSpec } from '../src/engine/rule.ts';
import { clipFolder } from '../src/cut/clip-folder.ts';
import { sidecarOf } from '../src/cut/sidecar.ts';
import { CLIPS_FILE, parseClipsFile } from '../src/artifacts/cut.ts';
import { parseSegments, SEGMENTS_FILE } from '../src/artifacts/score.ts';
import { PROBE_FILE, type ProbeFile } from '../src/artifacts/scan.ts';

/** Shared with report, which lists it among the run's params in plan.json. */
export const SIDECAR_PARAM: ParamSpec = {
  type: 'boolean',
  default: false,
  doc: "write <uuid>.json beside each clip: its source (path, name, hash), times, scene, scores, the score and cut params, the vbuild version",
};

export const sidecars = defineRule({
  name: 'sidecars',
  per: 'video',
  deps: ['scan', 'score', 'cut'],
  reads: { scan: [PROBE_FILE], score: [SEGMENTS_FILE], cut: [CLIPS_FILE] },
  // The source's content is known through clips.json's hash; its name is what this rule adds, and
  // only with --sidecar: without, a renamed video restores this rule's (empty) outputs too.
  readsItem: false,
  readsItemId: (params) => params['sidecar'] === true,
  version: 1,
  params: { sidecar: SIDECAR_PARAM },
  publish: (item) => clipFolder(item!.id),
  async run(ctx) {
    if (!ctx.param.boolean('sidecar')) return;
    const clips = parseClipsFile(await readFile(ctx.depFile('cut', CLIPS_FILE), 'utf8'));
    const probe = await ctx.readJson<ProbeFile>(ctx.depFile('scan', PROBE_FILE));
    const { params } = parseSegments(await readFile(ctx.depFile('score', SEGMENTS_FILE), 'utf8'));
    for (const clip of clips.clips.filter((each) => each.file)) {
      const sidecar = sidecarOf(clip, clips, ctx.item, probe, params);
      await writeFile(path.join(ctx.outDir, `${clip.id}.json`), `${JSON.stringify(sidecar, null, 1)}\n`);
    }
  },
});
