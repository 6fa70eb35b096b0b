/** Hand-written plans for the cut and report tests: segments (and tracks) of real corpus videos. */
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Artifact } from '../../src/engine/rule.ts';
import { probe } from '../../src/media/probe.ts';
import type { Segment, SegmentScores } from '../../src/score/types.ts';
import { SCENES_FILE } from '../../src/artifacts/scenes.ts';
import { CLIP_PLAN_FILE } from '../../src/artifacts/score.ts';

/** A fixed UUID (v5 layout) per label, standing in for the score rule's ids. */
export function testUuid(label: string): string {
  const hex = createHash('sha1').update(label).digest('hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export const SCORES: SegmentScores = {
  frames: 10,
  passing: 9,
  passRatio: 0.9,
  medianFace: 240,
  meanDetScore: 0.87,
  meanAbsYaw: 8.2,
  maxAbsYaw: 21.4,
  meanAbsPitch: 5.1,
};

export function segment(label: string, start: number, end: number, scene: number, tracks: number[]): Segment {
  return { id: testUuid(label), start, end, scene, tracks, scores: SCORES };
}

/** The multishot clips (corpus and fixture): hard cuts at exactly these times; their keyframes are 0 and the cuts. */
export const MULTISHOT_CUTS = [4, 7, 11, 15, 18, 23, 27];

/** Segments of the multishot file: two with no keyframe inside (re-encoded), three that stream-copy. */
export const MULTISHOT_SEGMENTS: Segment[] = [
  segment('multishot shot 1', 2.5, 3.9, 0, [0]),
  segment('multishot shot 4', 11, 14.9, 3, [1, 2]),
  segment('multishot shot 6', 21.5, 22.96, 5, [3]),
  segment('multishot shot 7', 23, 27, 6, [4]),
  segment('multishot shot 8', 27, 31, 7, [5]),
];

const clipPlanJson = (segments: Segment[]) =>
  `${JSON.stringify({ segments }, null, 1)}\n`;

/** The multishot file's shots from its known cuts; any other video is one shot from its first frame to its end. */
function scenesOf(video: string, facts: { startSec: number; durationSec: number }): { index: number; start: number; end: number }[] {
  const bounds = path.basename(video).startsWith('multishot_') ? [0, ...MULTISHOT_CUTS, facts.durationSec] : [facts.startSec, facts.durationSec];
  return bounds.slice(1).map((end, index) => ({ index, start: bounds[index]!, end }));
}

/** The upstream artifacts cut reads (scan's probe.json, scenes' scenes.json, score's clip-plan.json), written to a temp folder. */
export async function cutInputs(video: string, segments: Segment[]): Promise<Record<string, Artifact>> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-cut-inputs-'));
  const { file: _, ...facts } = await probe(video);
  const probeFile = path.join(dir, 'probe.json');
  const scenesFile = path.join(dir, SCENES_FILE);
  const segmentsFile = path.join(dir, CLIP_PLAN_FILE);
  await writeFile(probeFile, JSON.stringify(facts));
  await writeFile(scenesFile, JSON.stringify({ scenes: scenesOf(video, facts) }));
  await writeFile(segmentsFile, clipPlanJson(segments));
  return {
    scan: { files: { 'probe.json': probeFile }, hashes: {} },
    scenes: { files: { [SCENES_FILE]: scenesFile }, hashes: {} },
    score: { files: { [CLIP_PLAN_FILE]: segmentsFile }, hashes: {} },
  };
}
