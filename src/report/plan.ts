/** plan.json: every clip of every video with its source, time ranges, scores and params. */
import { isOffPlan } from './delivery.ts';
import type { FailedSource, PlanFile } from '../artifacts/report.ts';
import type { PlanClip, Totals, VideoReport } from './model.ts';
import type { ClipEntry } from '../artifacts/cut.ts';

function planClip(video: VideoReport, clip: ClipEntry): PlanClip {
  const { file, bytes, ...rest } = clip;
  return {
    ...rest,
    file: file ? `${video.clipFolder}/${file}` : null,
    source: video.source,
    sourceHash: video.clips.sourceHash,
    duration: clip.skipped ? 0 : clip.end - clip.start,
    bytes,
    offPlan: isOffPlan(clip),
  };
}

/** Every clip in source order, then time order. */
export function planClips(videos: readonly VideoReport[]): PlanClip[] {
  return [...videos]
    .sort((a, b) => a.source.localeCompare(b.source))
    .flatMap((video) => [...video.clips.clips].sort((a, b) => a.requestedStart - b.requestedStart).map((clip) => planClip(video, clip)));
}

/**
 * The params of the run. Every video of one run is cut and scored with the same values, so
 * the first video's stand for all; `report` adds its own.
 */
export function runParams(videos: readonly VideoReport[], reportParams: Record<string, unknown>): Record<string, unknown> {
  const first = videos[0];
  return { ...(first?.scoreParams ?? {}), ...(first?.clips.cutParams ?? {}), ...reportParams };
}

export function buildPlan(
  videos: readonly VideoReport[],
  totals: Totals,
  reportParams: Record<string, unknown>,
  failed: readonly FailedSource[] = [],
): PlanFile {
  return { version: 1, params: runParams(videos, reportParams), totals, clips: planClips(videos), failed: [...failed] };
}
