/**
 * The score rule's `segments.json` as the cut rule consumes it (docs/artifacts.md). Only the
 * fields cut and report rely on are typed; the rest (scores, params) is carried through as is.
 */

export interface Segment {
  /** UUID v5 of the source's content hash and the requested range: the clip's file name. */
  id: string;
  start: number;
  end: number;
  scene: number;
  tracks: number[];
  scores: Record<string, unknown>;
}

export interface RejectedTrack {
  track: number;
  scene: number;
  start: number;
  end: number;
  reason: string;
}

export interface SegmentsFile {
  segments: Segment[];
  rejected: RejectedTrack[];
  params: Record<string, unknown>;
}

/** Ids become file names: only a UUID is accepted, so no id can reach outside the clip folder or shadow clips.json. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(what: string): never {
  throw new Error(`segments.json: ${what}`);
}

function checkSegment(value: unknown, index: number): Segment {
  const segment = value as Partial<Segment> | null;
  const at = `segment ${index}`;
  if (typeof segment !== 'object' || segment === null) fail(`${at} is not an object`);
  if (typeof segment.id !== 'string' || !UUID.test(segment.id)) fail(`${at} has no UUID id: ${JSON.stringify(segment.id)}`);
  if (typeof segment.start !== 'number' || typeof segment.end !== 'number') fail(`${at} (${segment.id}) has no numeric start/end`);
  if (!Array.isArray(segment.tracks)) fail(`${at} (${segment.id}) has no tracks`);
  return {
    id: segment.id,
    start: segment.start,
    end: segment.end,
    scene: typeof segment.scene === 'number' ? segment.scene : -1,
    tracks: segment.tracks,
    scores: segment.scores ?? {},
  };
}

/** Parses and checks the parts of segments.json the clips depend on; ids must be unique. */
export function parseSegments(text: string): SegmentsFile {
  const raw = JSON.parse(text) as Partial<SegmentsFile> | null;
  if (typeof raw !== 'object' || raw === null || !Array.isArray(raw.segments)) fail('no segments array');
  const segments = raw.segments.map(checkSegment);
  const ids = new Set(segments.map((segment) => segment.id));
  if (ids.size !== segments.length) fail('segment ids are not unique');
  return { segments, rejected: Array.isArray(raw.rejected) ? raw.rejected : [], params: raw.params ?? {} };
}
