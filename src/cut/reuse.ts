/**
 * Clips of a video's last cut that its new plan asks for again. A threshold change (`--max-yaw`)
 * moves some clips of a video and leaves the others as they were; the cut rule is one build per
 * video, so without this every clip of the video would be cut again, re-encoding every smart-cut
 * head (most of such a run's time: docs/analysis/pipeline.md, sessions 7 and 8). A clip is kept
 * when the plan asks for the same span under the same id and everything else that decides its
 * bytes is unchanged: the source, vbuild, the cut settings and the scenes (`cutInputs`).
 */
import { copyFile, readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson, hashString } from '../engine/hash.ts';
import { CLIPS_FILE, parseClipsFile, type ClipEntry, type CutParams } from '../artifacts/cut.ts';
import type { ClipRequest, CutClip } from '../media/cut.ts';

/** What decides a clip's bytes besides its span. */
export interface CutInputs {
  sourceHash: string;
  vbuildVersion: string;
  ruleVersion: number;
  cutParams: CutParams;
  minDuration: number;
  /** scan's decoding.json (which stream is cut), null where scan wrote none. */
  decoding: string | null;
  /** scenes.json: each clip must stay inside its scene. */
  scenes: string;
}

/** The hash clips.json records as `cutInputs`. */
export function hashCutInputs(inputs: CutInputs): Promise<string> {
  return hashString(canonicalJson(inputs));
}

/**
 * Copies into `outDir` each clip of the last cut (`previous`: its outputs, ctx.previous) that a
 * request asks for again under the same `cutInputs`; gives them by id, as the cutter would. The
 * requests left out are the ones to cut.
 */
export async function keepEarlierClips(
  previous: Readonly<Record<string, string>> | undefined,
  cutInputs: string,
  requests: readonly ClipRequest[],
  outDir: string,
): Promise<Map<string, CutClip>> {
  const earlier = await earlierClips(previous, cutInputs);
  const kept = new Map<string, CutClip>();
  for (const request of requests) {
    const clip = sameClip(earlier, request);
    const copy = clip && (await keepClip(clip, outDir));
    if (copy) kept.set(request.id, copy);
  }
  return kept;
}

/** A clip of the last cut, and its stored file. */
interface EarlierClip {
  entry: ClipEntry;
  stored: string;
}

/**
 * The clips of the last cut made under the same `cutInputs`, by id; none when there was no such
 * cut or its clips.json cannot be read.
 */
async function earlierClips(previous: Readonly<Record<string, string>> | undefined, cutInputs: string): Promise<Map<string, EarlierClip>> {
  const kept = new Map<string, EarlierClip>();
  const record = previous?.[CLIPS_FILE];
  if (!record) return kept;
  let clips: ClipEntry[];
  try {
    const parsed = parseClipsFile(await readFile(record, 'utf8'));
    if (parsed.cutInputs !== cutInputs) return kept;
    clips = parsed.clips;
  } catch {
    // Collected by gc, or unreadable: the clips are cut again.
    return kept;
  }
  for (const entry of clips) {
    const stored = entry.file ? previous[entry.file] : undefined;
    if (entry.mode && stored) kept.set(entry.id, { entry, stored });
  }
  return kept;
}

/** The earlier clip that `request` asks for again, if any. */
function sameClip(earlier: ReadonlyMap<string, EarlierClip>, request: ClipRequest): EarlierClip | undefined {
  const clip = earlier.get(request.id);
  return clip && clip.entry.requestedStart === request.start && clip.entry.requestedEnd === request.end ? clip : undefined;
}

/**
 * Copies the earlier clip into `outDir` under its own name and gives it as the cutter would;
 * undefined when its stored file is gone (then it is cut again).
 */
async function keepClip({ entry, stored }: EarlierClip, outDir: string): Promise<CutClip | undefined> {
  const file = path.join(outDir, entry.file);
  try {
    await copyFile(stored, file);
  } catch {
    return undefined;
  }
  const { scene: _scene, tracks: _tracks, scores: _scores, bytes: _bytes, ...cut } = entry;
  return { ...cut, file };
}
