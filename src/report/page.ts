/** report/index.html: totals, filters, per-video timelines and one card per clip, in one self-contained file. */
import { STYLE, SCRIPT } from './assets.ts';
import { renderCard } from './cards.ts';
import { renderFailed, renderOffPlan, renderSkipped } from './clip-tables.ts';
import { CUT_MODES } from '../media/cut-plan.ts';
import { MODE_LABELS } from './delivery.ts';
import { escapeHtml, relativeUrl } from './escape.ts';
import { formatBytes, formatHours, formatPercent, formatParam } from './format.ts';
import type { PlanFile } from '../artifacts/report.ts';
import type { PlanClip, Totals, VideoReport } from './model.ts';
import { renderTimeline } from './timeline.ts';

export interface PageOptions {
  /**
   * The output folder as seen from the page, which clip paths are relative to: `../` for
   * `<output>/report/index.html`, `../../` for a filtered run's `<output>/selection/report/index.html`.
   */
  toOutput: string;
  /** The FaceFusion job script, relative to the folder the page's `report/` is in, when one was written. */
  facefusionScript?: string;
}

/** Seconds re-encoded, and their share of the time delivered: what smart cut keeps small. */
function reencodedShare(totals: Totals): string {
  const cutSeconds = totals.cutHours * 3600;
  return `${formatHours(totals.reencodedSeconds / 3600)} · ${formatPercent(cutSeconds > 0 ? totals.reencodedSeconds / cutSeconds : null)}`;
}

function renderTotals(totals: Totals): string {
  const entries: [string, string][] = [
    ['videos', String(totals.videos)],
    ['input', formatHours(totals.inputHours)],
    ['sampled frames', totals.sampledFrames === null ? 'n/a' : String(totals.sampledFrames)],
    ['tracks', String(totals.tracks)],
    ['accepted tracks', String(totals.acceptedTracks)],
    ['segments', String(totals.segments)],
    ['cross-track merges', String(totals.crossTrackMerges)],
    ['accepted', formatHours(totals.acceptedHours)],
    ['acceptance rate', formatPercent(totals.acceptanceRate)],
    ['cut', formatHours(totals.cutHours)],
    ['clips', String(totals.clips)],
    ['not cut', String(totals.skipped)],
    ...CUT_MODES.map((mode): [string, string] => [`${MODE_LABELS[mode]} clips`, String(totals.clipsByMode[mode])]),
    ['re-encoded time', reencodedShare(totals)],
    ['fallbacks', String(totals.reencodeFallbacks)],
    ['off plan by over a frame', totals.offPlan > 0 ? `<a href="#off-plan">${totals.offPlan}</a>` : '0'],
    ['output size', formatBytes(totals.outputBytes)],
  ];
  return `<div class="totals">${entries.map(([label, value]) => `<div><small>${label}</small><b>${value}</b></div>`).join('')}</div>`;
}

function renderParams(params: Record<string, unknown>): string {
  const rows = Object.entries(params)
    .map(([name, value]) => `<tr><td>${escapeHtml(name)}</td><td>${escapeHtml(formatParam(value))}</td></tr>`)
    .join('');
  return `<details><summary>params</summary><table>${rows}</table></details>`;
}

function renderFilters(videos: readonly VideoReport[]): string {
  const options = videos.map((video, i) => `<option value="${i}">${escapeHtml(video.source)}</option>`).join('');
  return [
    '<div class="filters">',
    `<label>video <select id="filter-video"><option value="">all videos</option>${options}</select></label>`,
    '<label>duration from <input id="filter-min" type="number" min="0" step="0.5"> to <input id="filter-max" type="number" min="0" step="0.5"> s</label>',
    '<span id="shown" class="muted"></span>',
    '</div>',
  ].join('');
}

const LEGEND =
  '<p class="legend muted">Timelines:<span style="background:var(--scene-b)"></span>scenes<span style="background:var(--accepted)"></span>accepted track' +
  '<span style="background:var(--rejected)"></span>rejected track<span style="background:var(--segment)"></span>segment (click: its clip)' +
  '<span style="background:var(--clip)"></span>clip as delivered<span style="background:var(--off-plan)"></span>clip off plan by more than a frame</p>';

/** `videos` in the order their timelines and filter options appear; plan clips refer to them by source. */
export function renderReport(plan: PlanFile, videos: readonly VideoReport[], options: PageOptions): string {
  const indexOf = new Map(videos.map((video, i) => [video.source, i]));
  const written = plan.clips.filter((clip): clip is PlanClip & { file: string } => clip.file !== null);
  const facefusion = options.facefusionScript
    ? `<p>FaceFusion jobs for these clips: <a href="${escapeHtml(`../${relativeUrl(options.facefusionScript)}`)}">${escapeHtml(options.facefusionScript)}</a> (see docs/facefusion.md).</p>`
    : '';
  return [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    // No favicon request: the page must load with no failed fetch.
    '<link rel="icon" href="data:,">',
    '<title>vbuild report</title>',
    `<style>${STYLE}</style>`,
    '</head><body>',
    '<h1>vbuild report</h1>',
    renderTotals(plan.totals),
    renderParams(plan.params),
    facefusion,
    renderFilters(videos),
    '<h2>Timelines</h2>',
    LEGEND,
    videos.map(renderTimeline).join('\n'),
    '<h2>Clips</h2>',
    `<div class="cards">${written.map((clip) => renderCard(clip, indexOf.get(clip.source)!, options.toOutput)).join('\n')}</div>`,
    renderOffPlan(plan.clips.filter((clip) => clip.offPlan)),
    renderSkipped(plan.clips.filter((clip) => clip.file === null)),
    renderFailed(plan.failed),
    `<script>${SCRIPT}</script>`,
    '</body></html>',
    '',
  ].join('\n');
}
