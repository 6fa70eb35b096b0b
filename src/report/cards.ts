/** A card per written clip (thumbnail linking to the clip) and the list of clips that could not be cut. */
import { escapeHtml, relativeUrl } from './escape.ts';
import type { SegmentScores } from '../score/types.ts';
import { formatClock } from './format.ts';
import type { PlanClip } from './model.ts';

/** Where the report page sits relative to the output folder: clip paths get this prefix. */
const PAGE_TO_OUTPUT = '../';

export const thumbnailPath = (clipId: string) => `thumbs/${clipId}.jpg`;

/** The scores a user picks clips by: face size, how many samples pass, head turn, detector and identity confidence. */
export function scoreLine(scores: SegmentScores): string {
  const parts = [`face ${Math.round(scores.medianFace)} px`, `pass ${Math.round(scores.passRatio * 100)} %`];
  if (scores.maxAbsYaw !== null) parts.push(`|yaw| ≤ ${Math.round(scores.maxAbsYaw)}°`);
  parts.push(`det ${scores.meanDetScore.toFixed(2)}`);
  if (scores.identity !== undefined) parts.push(`identity ${scores.identity.toFixed(2)}`);
  return parts.join(' · ');
}

export function renderCard(clip: PlanClip & { file: string }, videoIndex: number): string {
  const id = escapeHtml(clip.id);
  const how = clip.fallback ? 're-encoded (no keyframe to copy from)' : clip.mode === 'reencode' ? 're-encoded' : 'stream copy';
  return [
    `<article class="card" id="clip-${id}" data-video="${videoIndex}" data-duration="${clip.duration.toFixed(3)}">`,
    `<a class="thumb" href="${escapeHtml(PAGE_TO_OUTPUT + relativeUrl(clip.file))}" title="open the clip">`,
    `<img loading="lazy" src="${escapeHtml(thumbnailPath(clip.id))}" alt="clip ${id}"><span class="duration">${clip.duration.toFixed(1)} s</span></a>`,
    '<div class="meta">',
    `<div class="source" title="${escapeHtml(clip.source)}">${escapeHtml(clip.source)}</div>`,
    `<div>${formatClock(clip.start)}–${formatClock(clip.end)} · scene ${clip.scene} · tracks ${escapeHtml(clip.tracks.join(', '))}</div>`,
    `<div class="scores">${scoreLine(clip.scores)}</div>`,
    `<div class="how">${how} · <code>${id}</code></div>`,
    '</div>',
    '</article>',
  ].join('');
}

export function renderSkipped(clips: readonly PlanClip[]): string {
  if (clips.length === 0) return '';
  const rows = clips
    .map(
      (clip) =>
        `<tr><td>${escapeHtml(clip.source)}</td><td>${formatClock(clip.requestedStart)}–${formatClock(clip.requestedEnd)}</td><td>${escapeHtml(clip.skipped ?? '')}</td></tr>`,
    )
    .join('');
  return `<h2>Not cut (${clips.length})</h2><table class="skipped"><tr><th>source</th><th>requested</th><th>why</th></tr>${rows}</table>`;
}
