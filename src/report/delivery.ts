/** What the cut delivered against what score planned: the off-plan test and the words for how a clip was cut. */
import type { CutMode } from '../media/cut.ts';
import { formatRange, formatSeconds } from './format.ts';
import type { ClipEntry } from '../artifacts/cut.ts';

/** Float noise in times read back from a container, so that a clip exactly one frame off is not flagged. */
const TIME_EPSILON = 1e-6;

export const MODE_LABELS: Record<CutMode, string> = { smart: 'smart cut', copy: 'stream copy', reencode: 're-encoded' };

type Delivery = Pick<ClipEntry, 'requestedStart' | 'requestedEnd' | 'start' | 'end' | 'frameDuration' | 'skipped'>;

/** Whether a written clip starts or ends more than a frame away from its plan: the cutter promises within one. */
export function isOffPlan(clip: Delivery): boolean {
  if (clip.skipped) return false;
  const tolerance = clip.frameDuration + TIME_EPSILON;
  return Math.abs(clip.start - clip.requestedStart) > tolerance || Math.abs(clip.end - clip.requestedEnd) > tolerance;
}

/** `smart cut · 1.2 s re-encoded`, `stream copy`, `re-encoded`, with the reason when the cut mode was not followed. */
export function describeCut(clip: Pick<ClipEntry, 'mode' | 'reencodedSeconds' | 'fallback'>): string {
  const parts = [clip.mode ? MODE_LABELS[clip.mode] : 'not cut'];
  if (clip.mode === 'smart') parts.push(`${formatSeconds(clip.reencodedSeconds)} re-encoded`);
  if (clip.fallback) parts.push(clip.fallback);
  return parts.join(' · ');
}

export const plannedSpan = (clip: Pick<ClipEntry, 'requestedStart' | 'requestedEnd'>) => ({ start: clip.requestedStart, end: clip.requestedEnd });

export function describeSpans(clip: Delivery): string {
  return `delivered ${formatRange(clip)}, planned ${formatRange(plannedSpan(clip))}`;
}
