/** The lists under the cards: failed inputs, clips that could not be cut, and clips delivered off their plan. */
import { describeCut, plannedSpan } from './delivery.ts';
import { escapeHtml } from './escape.ts';
import { formatRange } from './format.ts';
import type { FailedSource } from '../artifacts/report.ts';
import type { PlanClip } from './model.ts';

/** `cells` are HTML, already escaped. */
function clipTable(id: string, heading: string, header: readonly string[], rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const head = header.map((cell) => `<th>${cell}</th>`).join('');
  const body = rows.map((cells) => `<tr>${cells.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('');
  return `<h2 id="${id}">${heading} (${rows.length})</h2><table class="${id}"><tr>${head}</tr>${body}</table>`;
}

export function renderSkipped(clips: readonly PlanClip[]): string {
  const rows = clips.map((clip) => [escapeHtml(clip.source), formatRange(plannedSpan(clip)), escapeHtml(clip.skipped ?? '')]);
  return clipTable('skipped', 'Not cut', ['source', 'requested', 'why'], rows);
}

/** Inputs without clips because a build of theirs failed. */
export function renderFailed(failed: readonly FailedSource[]): string {
  const rows = failed.map((input) => [escapeHtml(input.source), escapeHtml(input.build), escapeHtml(input.reason)]);
  return clipTable('failed', 'Failed inputs', ['source', 'build', 'why'], rows);
}

/** Each row links to its card, where the clip can be played. */
export function renderOffPlan(clips: readonly PlanClip[]): string {
  const rows = clips.map((clip) => [
    `<a href="#clip-${escapeHtml(clip.id)}">${escapeHtml(clip.source)}</a>`,
    formatRange(plannedSpan(clip)),
    formatRange(clip),
    escapeHtml(describeCut(clip)),
  ]);
  return clipTable('off-plan', 'Off plan by more than a frame', ['source', 'planned', 'delivered', 'cut'], rows);
}
