/** A card per written clip: its player (the thumbnail as poster), where it came from, how it was cut, its scores. */
import { escapeHtml, relativeUrl } from './escape.ts';
import type { SegmentScores } from '../score/types.ts';
import { describeCut, describeSpans, plannedSpan } from './delivery.ts';
import { formatRange, formatSeconds } from './format.ts';
import type { PlanClip } from './model.ts';

export const thumbnailPath = (clipId: string) => `thumbs/${clipId}.jpg`;

/** The scores a user picks clips by: face size, how many samples pass, head turn, detector and identity confidence. */
export function scoreLine(scores: SegmentScores): string {
  const parts = [`face ${Math.round(scores.medianFace)} px`, `pass ${Math.round(scores.passRatio * 100)} %`];
  if (scores.maxAbsYaw !== null) parts.push(`|yaw| ≤ ${Math.round(scores.maxAbsYaw)}°`);
  parts.push(`det ${scores.meanDetScore.toFixed(2)}`);
  if (scores.identity !== undefined) parts.push(`identity ${scores.identity.toFixed(2)}`);
  return parts.join(' · ');
}

/**
 * `preload="none"` keeps a page of thousands of clips from opening every file; the poster stands
 * in until the user plays one. Relative URLs keep the player working when the page is opened from disk.
 */
function renderPlayer(clip: PlanClip & { file: string }, clipUrl: string): string {
  const badge = clip.offPlan ? `<span class="badge off-plan" title="${escapeHtml(describeSpans(clip))}">off plan</span>` : '';
  return [
    `<div class="thumb"><video preload="none" controls src="${escapeHtml(clipUrl)}" poster="${escapeHtml(relativeUrl(thumbnailPath(clip.id)))}"></video>`,
    `<span class="duration">${formatSeconds(clip.duration)}</span>${badge}</div>`,
  ].join('');
}

/** `toOutput`: the output folder as seen from the page (`../`), which clip paths are relative to. */
export function renderCard(clip: PlanClip & { file: string }, videoIndex: number, toOutput: string): string {
  const id = escapeHtml(clip.id);
  const clipUrl = toOutput + relativeUrl(clip.file);
  const planned = clip.offPlan ? `<div class="planned">planned ${formatRange(plannedSpan(clip))}</div>` : '';
  return [
    `<article class="card${clip.offPlan ? ' off-plan' : ''}" id="clip-${id}" data-video="${videoIndex}" data-duration="${clip.duration.toFixed(3)}">`,
    renderPlayer(clip, clipUrl),
    '<div class="meta">',
    `<div class="source" title="${escapeHtml(clip.source)}">${escapeHtml(clip.source)}</div>`,
    `<div>${formatRange(clip)} · scene ${clip.scene} · tracks ${escapeHtml(clip.tracks.join(', '))}</div>`,
    planned,
    `<div class="scores">${scoreLine(clip.scores)}</div>`,
    `<div class="how">${escapeHtml(describeCut(clip))} · <a class="open" href="${escapeHtml(clipUrl)}" title="open the clip file">open</a> · <code>${id}</code></div>`,
    '</div>',
    '</article>',
  ].join('');
}
