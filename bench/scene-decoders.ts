/**
 * Decoder shortcuts for shot detection: the scene scores decoded as the rule does, with and
 * without the in-loop deblocking filter, and the cuts each finds against ground_truth.json.
 *
 *   npx tsx bench/scene-decoders.ts [rounds, default 3]
 *
 * Per corpus video, interleaved round by round: the best wall time of each decode, the cuts found
 * with the default params, and whether they are the same; then pooled F1 (hard cuts within 2 frames).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeFrames, type DecodeOptions } from '../src/media/decode.ts';
import { typicalFrameInterval } from '../src/media/frame-times.ts';
import { findCuts, matchCuts } from '../src/media/scene-cuts.ts';
import { GRID_COLUMNS, SceneScorer, type FrameScore } from '../src/media/scene-scores.ts';
import { parseScores, scoreLine } from '../src/artifacts/scene-scores.ts';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';

const CORPUS = requireData(TEST_CORPUS);
const ROUNDS = Number(process.argv[2] ?? 3);
const truth = (JSON.parse(readFileSync(path.join(CORPUS, 'ground_truth.json'), 'utf8')) as { files: Record<string, { hard_cuts: number[] }> }).files;
const variants: [string, DecodeOptions][] = [
  ['plain', {}],
  ['skip deblocking', { skipDeblocking: true }],
];

/** The rule's scores, rounded as scores.jsonl stores them (parseScores of the same lines). */
async function scores(video: string, options: DecodeOptions): Promise<FrameScore[]> {
  let scorer: SceneScorer | undefined;
  let lines = '';
  for await (const frame of decodeFrames(path.join(CORPUS, 'videos', video), { width: GRID_COLUMNS, pixFmt: 'rgb24', ...options })) {
    scorer ??= new SceneScorer(frame.width, frame.height);
    lines += scoreLine(scorer.push(frame.data, frame.time));
  }
  return parseScores(lines);
}

const pooled = variants.map(() => ({ matched: 0, found: 0, real: 0, seconds: 0 }));
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)} at the start`);
console.log(`\n| video | ${variants.map(([name]) => `${name} s (best of ${ROUNDS})`).join(' | ')} | cuts found / real | same cuts |`);
console.log(`|---|${variants.map(() => '---:|').join('')}---|---|`);
for (const [video, { hard_cuts: real }] of Object.entries(truth)) {
  const best = variants.map(() => Infinity);
  const cuts: number[][] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const [v, [, options]] of variants.entries()) {
      const began = performance.now();
      const frames = await scores(video, options);
      best[v] = Math.min(best[v]!, (performance.now() - began) / 1000);
      const times = frames.map((frame) => frame.time);
      cuts[v] = findCuts(frames).map((index) => times[index]!);
      if (round > 0) continue;
      const match = matchCuts(cuts[v]!, real, 2 * typicalFrameInterval(times));
      Object.assign(pooled[v]!, { matched: pooled[v]!.matched + match.matched, found: pooled[v]!.found + cuts[v]!.length, real: pooled[v]!.real + real.length });
    }
  }
  best.forEach((seconds, v) => (pooled[v]!.seconds += seconds));
  const same = cuts.every((list) => JSON.stringify(list) === JSON.stringify(cuts[0]));
  console.log(`| ${video} | ${best.map((s) => s.toFixed(2)).join(' | ')} | ${cuts.map((list) => list.length).join(', ')} / ${real.length} | ${same ? 'yes' : 'no'} |`);
}
console.log(`| **all** | ${pooled.map((p) => p.seconds.toFixed(2)).join(' | ')} | | |`);
for (const [v, [name]] of variants.entries()) {
  const { matched, found, real } = pooled[v]!;
  console.log(`${name}: pooled F1 ${((2 * matched) / (found + real)).toFixed(3)} (${matched} matched of ${found} found, ${real} real)`);
}
console.log(`load average at the end ${os.loadavg()[0]!.toFixed(1)}`);
