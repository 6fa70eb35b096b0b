/**
 * Seconds per clip through the cut rule (one ffmpeg process per video, clips.json included)
 * against one plain `ffmpeg -ss -t -c copy` process per clip, on the same segments.
 *
 *   npx tsx bench/cut-rule.ts
 *
 * Segments run from one keyframe to just before the next, so every clip stream-copies in both
 * methods and the rule never falls back to re-encoding. The per-clip baseline is the classic
 * loop with no probing and no boundary safety: the cost floor of cutting clip by clip.
 * Results: docs/analysis/cut-report.md.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ffmpegPerClip, generateGopVideo } from './lib/clips.ts';
import { medianSeconds } from './lib/rounds.ts';
import { cut } from '../rules/cut.ts';
import type { Artifact } from '../src/engine/rule.ts';
import type { Segment } from '../src/score/types.ts';
import { locate } from '../src/media/ffmpeg.ts';
import { probe } from '../src/media/probe.ts';
import { ruleContext } from '../test/helpers/rule-context.ts';
import { SCORES, testUuid } from '../test/cut/fixtures.ts';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { CLIP_PLAN_FILE } from '../src/artifacts/score.ts';

const MAX_CLIPS = 20;
const ROUNDS = 3;
const CORPUS = path.join(requireData(TEST_CORPUS), 'videos');

interface Source {
  name: string;
  file: string;
  segments: Segment[];
  /** The rule's inputs (scan's probe.json, score's segments.json), written before timing: scan is its own rule. */
  deps: Record<string, Artifact>;
}

async function keyframeSegments(file: string): Promise<Segment[]> {
  const { keyframes, durationSec } = await probe(file);
  const bounds = [...keyframes, durationSec];
  return bounds.slice(0, Math.min(MAX_CLIPS, bounds.length - 1)).map((start, i) => ({
    id: testUuid(`${file} ${i}`),
    start,
    end: bounds[i + 1]! - 0.05,
    scene: i,
    tracks: [0],
    scores: SCORES,
  }));
}

async function source(name: string, file: string, scratch: string): Promise<Source> {
  const segments = await keyframeSegments(file);
  const inputs = await mkdtemp(path.join(scratch, 'inputs-'));
  const { file: _, ...facts } = await probe(file);
  await writeFile(path.join(inputs, 'probe.json'), JSON.stringify(facts));
  await writeFile(path.join(inputs, CLIP_PLAN_FILE), JSON.stringify({ segments }));
  const deps = {
    scan: { files: { 'probe.json': path.join(inputs, 'probe.json') }, hashes: {} },
    score: { files: { [CLIP_PLAN_FILE]: path.join(inputs, CLIP_PLAN_FILE) }, hashes: {} },
  };
  return { name, file, segments, deps };
}

async function throughRule(source: Source): Promise<void> {
  const ctx = ruleContext(cut, source.file, { itemHash: '0000000000000000', deps: source.deps });
  try {
    await cut.run(ctx);
  } finally {
    await rm(path.dirname(ctx.outDir), { recursive: true, force: true });
  }
}

const METHODS = [
  ['ffmpeg per clip (baseline)', (source: Source, out: string) => ffmpegPerClip(source.file, source.segments, out)],
  ['cut rule, one process per video', throughRule],
] as const;


async function main(): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'vbuild-bench-cut-rule-'));
  try {
    const webm = path.join(CORPUS, 'tears_of_steel_battle_cuts_800x332.webm');
    const multishot = path.join(CORPUS, 'multishot_8shots_1280x720_25fps.mp4');
    const mp4 = await generateGopVideo(scratch, MAX_CLIPS);
    const sources = [
      await source('tears_of_steel 800x332 VP8 WebM', webm, scratch),
      await source('multishot 1280x720 H.264 (its 8 shots)', multishot, scratch),
      await source('synthetic 1280x720 H.264, GOP 2 s', mp4, scratch),
    ];
    const cpus = os.cpus();
    console.log(`machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, load ${os.loadavg()[0]!.toFixed(1)}; node ${process.version}`);
    console.log(`ffmpeg: ${locate('ffmpeg').path}; median of ${ROUNDS} rounds\n`);
    console.log('| source | clips | method | s per clip | total s | vs baseline |');
    console.log('|---|---:|---|---:|---:|---:|');
    for (const source of sources) {
      let baseline = 0;
      for (const [method, run] of METHODS) {
        const total = await medianSeconds(ROUNDS, scratch, (out) => run(source, out));
        baseline ||= total;
        const clips = source.segments.length;
        console.log(`| ${source.name} | ${clips} | ${method} | ${(total / clips).toFixed(4)} | ${total.toFixed(3)} | ${(baseline / total).toFixed(1)}x faster |`);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

await main();
