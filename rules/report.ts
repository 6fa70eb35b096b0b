/**
 * The batch's outputs for people: `plan.json` (every clip with its provenance) and
 * `report/index.html` (totals, timelines, a card per clip), published to the output folder,
 * and with --facefusion-jobs a FaceFusion job script. Thumbnails are their own per-video rule,
 * so adding a video or re-cutting one never re-extracts the thumbnails of the others.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { defineRule, type BatchBuildContext, type Item } from '../src/engine/rule.ts';
import { PLAN_FILE, REPORT_PAGE } from '../src/artifacts/report.ts';
import { CLIP_VIDEO_STREAM } from '../src/media/cut.ts';
import { inOrder } from '../src/engine/in-order.ts';
import { thumbnail } from '../src/media/thumbnail.ts';
import { clipFolder } from '../src/cut/clip-folder.ts';
import { thumbnailPath } from '../src/report/cards.ts';
import { FACEFUSION_SCRIPT, facefusionScript } from '../src/report/facefusion.ts';
import type { VideoReport } from '../src/report/model.ts';
import { renderReport } from '../src/report/page.ts';
import { buildPlan } from '../src/report/plan.ts';
import { computeTotals } from '../src/report/totals.ts';
import { SIDECAR_PARAM } from './sidecars.ts';
import { CLIPS_FILE, parseClipsFile } from '../src/artifacts/cut.ts';
import { parseSegments, SEGMENTS_FILE } from '../src/artifacts/score.ts';
import { type TracksFile, TRACKS_FILE } from '../src/artifacts/track.ts';
import { DETECT_SUMMARY_FILE, type DetectSummary } from '../src/artifacts/detect.ts';
import { PROBE_FILE, type ProbeFile } from '../src/artifacts/scan.ts';
import { SCENES_FILE, type ScenesFile } from '../src/artifacts/scenes.ts';

const THUMBNAIL_WIDTH = 320;
/** Below this a clip's thumbnail is its first frame: its middle may be past its only frame. */
const SHORTEST_MIDDLE_THUMBNAIL = 0.2;
const THUMBNAILS_AT_ONCE = 2;

/** The output folder as seen from `dir`, a folder of the report's outputs published under `batchDir` ('../' per level). */
function toOutput(batchDir: string, dir: string): string {
  return '../'.repeat(`${batchDir}/${dir}`.split('/').filter(Boolean).length);
}

export const thumbnails = defineRule({
  name: 'thumbnails',
  per: 'video',
  deps: ['cut'],
  readsItem: false,
  version: 1,
  async run(ctx) {
    const { clips } = parseClipsFile(await readFile(ctx.depFile('cut', CLIPS_FILE), 'utf8'));
    // Two at a time, as the clips are cut: each is one single-threaded ffmpeg.
    await inOrder(clips.filter((each) => each.file), THUMBNAILS_AT_ONCE, (clip) => {
      const duration = clip.end - clip.start;
      const time = duration >= SHORTEST_MIDDLE_THUMBNAIL ? duration / 2 : 0;
      const options = { width: THUMBNAIL_WIDTH, videoStream: CLIP_VIDEO_STREAM, signal: ctx.signal };
      return thumbnail(ctx.depFile('cut', clip.file), time, path.join(ctx.outDir, `${clip.id}.jpg`), options);
    });
  },
});

async function gatherVideo(ctx: BatchBuildContext, item: Item): Promise<VideoReport> {
  const file = (rule: string, name: string) => ctx.depFile(rule, name, item.id);
  const probe = await ctx.readJson<ProbeFile>(file('scan', PROBE_FILE));
  const { scenes } = await ctx.readJson<ScenesFile>(file('scenes', SCENES_FILE));
  const { tracks } = await ctx.readJson<TracksFile>(file('track', TRACKS_FILE));
  const plan = parseSegments(await readFile(file('score', SEGMENTS_FILE), 'utf8'));
  const clips = parseClipsFile(await readFile(file('cut', CLIPS_FILE), 'utf8'));
  const summary = ctx.batch['detect']?.[item.id]?.files[DETECT_SUMMARY_FILE];
  const sampledFrames = summary ? (await ctx.readJson<DetectSummary>(summary)).sampledFrames : null;
  return {
    source: item.id,
    clipFolder: clipFolder(item.id),
    durationSec: probe.durationSec,
    scenes: scenes.map(({ index, start, end }) => ({ index, start, end })),
    tracks: tracks.map(({ id, scene, start, end }) => ({ id, scene, start, end })),
    segments: plan.segments,
    rejected: plan.rejected,
    clips,
    scoreParams: plan.params,
    sampledFrames,
  };
}

async function copyThumbnails(ctx: BatchBuildContext, videos: readonly VideoReport[]): Promise<void> {
  await mkdir(path.join(ctx.outDir, 'report', 'thumbs'), { recursive: true });
  for (const video of videos) {
    for (const clip of video.clips.clips.filter((each) => each.file)) {
      const name = `${clip.id}.jpg`;
      await copyFile(ctx.depFile('thumbnails', name, video.source), path.join(ctx.outDir, 'report', thumbnailPath(clip.id)));
    }
  }
}

export const report = defineRule({
  name: 'report',
  per: 'batch',
  deps: ['scan', 'scenes', 'detect', 'track', 'score', 'cut', 'thumbnails'],
  // 5: plan.json and the page list the inputs left out after a failure.
  version: 5,
  params: {
    facefusion_jobs: {
      type: 'boolean',
      default: false,
      doc: 'also write facefusion/jobs.sh: a FaceFusion job per clip, the source face left for you to fill in',
    },
    // Declared alike: plan.json lists it among the params of the run.
    sidecar: SIDECAR_PARAM,
  },
  publish: () => '',
  // docs/facefusion.md tells the user to fill in the source face there.
  editable: (name) => name === FACEFUSION_SCRIPT,
  async run(ctx) {
    const items = [...ctx.items].sort((a, b) => a.id.localeCompare(b.id));
    const videos = await Promise.all(items.map((item) => gatherVideo(ctx, item)));
    const withJobs = ctx.param.boolean('facefusion_jobs');
    const failed = ctx.failed.map(({ item, build, error }) => ({ source: item, build, reason: error }));
    const plan = buildPlan(videos, computeTotals(videos), { sidecar: ctx.param.boolean('sidecar'), facefusion_jobs: withJobs }, failed);

    await writeFile(path.join(ctx.outDir, PLAN_FILE), `${JSON.stringify(plan, null, 1)}\n`);
    await copyThumbnails(ctx, videos);
    const page = renderReport(plan, videos, {
      toOutput: toOutput(ctx.batchDir, path.posix.dirname(REPORT_PAGE)),
      ...(withJobs && { facefusionScript: FACEFUSION_SCRIPT }),
    });
    await writeFile(path.join(ctx.outDir, REPORT_PAGE), page);
    if (withJobs) {
      const clips = plan.clips.flatMap((clip) => (clip.file ? [{ id: clip.id, file: clip.file }] : []));
      await mkdir(path.join(ctx.outDir, path.dirname(FACEFUSION_SCRIPT)), { recursive: true });
      const script = facefusionScript(clips, toOutput(ctx.batchDir, path.posix.dirname(FACEFUSION_SCRIPT)));
      await writeFile(path.join(ctx.outDir, FACEFUSION_SCRIPT), script);
    }
    ctx.log(`${plan.totals.clips} clips from ${videos.length} videos`);
  },
});
