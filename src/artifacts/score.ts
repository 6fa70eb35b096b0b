/**
 * What the score rule writes: segments.json (the plan, with why every other track was rejected)
 * and clip-plan.json (the accepted segments alone, what cut reads). Segment ids become file names
 * and times become ffmpeg arguments, so both are checked when read rather than trusted.
 */
import type { Rejection, Segment } from '../score/types.ts';

export const SEGMENTS_FILE = 'segments.json';
/**
 * Just the accepted segments: what cut reads. Kept apart from segments.json (which also holds
 * rejection reasons and params) so a param change that plans the same clips re-cuts nothing.
 */
export const CLIP_PLAN_FILE = 'clip-plan.json';

export interface SegmentsFile {
  segments: Segment[];
  rejected: Rejection[];
  params: Record<string, number | string>;
}

/** Only a UUID is accepted as an id, so no id can reach outside the clip folder or shadow clips.json. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(what: string): never {
  throw new Error(`segments.json: ${what}`);
}

function checkSegment(segment: Segment, index: number): void {
  const at = `segment ${index}`;
  if (typeof segment !== 'object' || segment === null) fail(`${at} is not an object`);
  if (typeof segment.id !== 'string' || !UUID.test(segment.id)) fail(`${at} has no UUID id: ${JSON.stringify(segment.id)}`);
  if (!Number.isFinite(segment.start) || !Number.isFinite(segment.end)) fail(`${at} (${segment.id}) has no numeric start/end`);
  if (!Array.isArray(segment.tracks)) fail(`${at} (${segment.id}) has no tracks`);
}

/** Parses segments.json and checks what the clips depend on; ids must be unique. */
export function parseSegments(text: string): SegmentsFile {
  const file = JSON.parse(text) as SegmentsFile | null;
  if (typeof file !== 'object' || file === null || !Array.isArray(file.segments)) fail('no segments array');
  file.segments.forEach(checkSegment);
  if (new Set(file.segments.map((segment) => segment.id)).size !== file.segments.length) fail('segment ids are not unique');
  return { segments: file.segments, rejected: file.rejected ?? [], params: file.params ?? {} };
}
