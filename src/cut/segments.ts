/**
 * Reads the score rule's segments.json (src/score/types.ts) at the cut rule's door. Segment ids
 * become file names and times become ffmpeg arguments, so both are checked here rather than trusted.
 */
import type { Segment, SegmentsFile } from '../score/types.ts';

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
