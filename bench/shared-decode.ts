/**
 * What one ffmpeg for scene_scores and detect saves against one each: for every video, the two
 * decodes the rules run (the 32-px grid; 2 sampled frames/s at full size), taking turns: as two
 * processes at once with scene_scores v2's grid (decoded without deblocking: what a busy run did
 * before the two could share a decoder), as two processes with v3's (each rule alone), and as one
 * DecodeProcess with two outputs, one decoder split between them (v3, the two started together);
 * with the CPU seconds of the ffmpeg processes and the wall time of both.
 *
 *   npx tsx bench/shared-decode.ts [videos-dir]   (default: the test corpus's videos)
 *   npx tsx bench/shared-decode.ts --short-clips  (33 clips of 2-4 s made from corpus files)
 *   npx tsx bench/shared-decode.ts --long-720p30  (one 164 s 720p30 video made from corpus clips)
 *
 * `--rounds N` (default 3). Every round is printed with the load average beside it.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DecodeProcess, decodeFrames, type DecodeOptions, type Frame } from '../src/media/decode.ts';
import { GRID_COLUMNS } from '../src/media/scene-scores.ts';
import { toolCpuSeconds } from './lib/child-cpu.ts';
import { benchVideos } from './lib/clips.ts';
import { median } from './lib/rounds.ts';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'long-720p30': { type: 'boolean', default: false },
    'short-clips': { type: 'boolean', default: false },
    rounds: { type: 'string', default: '3' },
  },
});
const scratch = mkdtempSync(path.join(os.tmpdir(), 'vbuild-bench-shared-decode-'));
const videos = await benchVideos(scratch, flags, positionals[0]);
const files = readdirSync(videos)
  .filter((name) => /\.(mp4|webm|mov|mkv)$/i.test(name))
  .map((name) => path.join(videos, name));

/** scene_scores' decode (v3; v2 skipped deblocking) and detect's, as the rules ask for them by default. */
const GRID: DecodeOptions = { width: GRID_COLUMNS, pixFmt: 'rgb24' };
const GRID_V2: DecodeOptions = { ...GRID, skipDeblocking: true };
const SAMPLED: DecodeOptions = { fps: 2, pixFmt: 'rgb24' };

async function count(frames: AsyncIterable<Frame>): Promise<number> {
  let n = 0;
  for await (const _frame of frames) n++;
  return n;
}

const arms = {
  'two processes, v2 grid': (file: string) => Promise.all([count(decodeFrames(file, GRID_V2)), count(decodeFrames(file, SAMPLED))]),
  'two processes': (file: string) => Promise.all([count(decodeFrames(file, GRID)), count(decodeFrames(file, SAMPLED))]),
  'one shared process': async (file: string) => {
    const shared = await DecodeProcess.start(file, [GRID, SAMPLED]);
    return Promise.all([count(shared.frames(0)), count(shared.frames(1))]);
  },
};
type Arm = keyof typeof arms;

interface Round {
  wall: number;
  cpu: number;
  load: string;
}

const rounds = Number(flags.rounds);
const results = new Map<Arm, Round[]>(Object.keys(arms).map((arm) => [arm as Arm, []]));
const frameCounts = new Map<Arm, string>();
for (let round = 0; round < rounds; round++) {
  // Alternate which goes first, so neither always runs right after the other.
  const names = Object.keys(arms) as Arm[];
  const order = round % 2 === 0 ? names : [...names].reverse();
  for (const arm of order) {
    const cpuBefore = await toolCpuSeconds();
    const began = performance.now();
    const counts: number[][] = [];
    for (const file of files) counts.push(await arms[arm](file));
    results.get(arm)!.push({ wall: (performance.now() - began) / 1000, cpu: await toolCpuSeconds() - cpuBefore, load: os.loadavg()[0]!.toFixed(1) });
    frameCounts.set(arm, JSON.stringify(counts));
  }
}
if (new Set(frameCounts.values()).size !== 1) throw new Error('the arms decoded different frame counts');

console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, node ${process.version}`);
console.log(`input: ${videos} (${files.length} videos), ${rounds} rounds taking turns\n`);
console.log('| arm | wall s, ffmpeg CPU s (load avg) per round | median wall s | median CPU s | CPU s per video |');
console.log('|---|---|---:|---:|---:|');
for (const [arm, runs] of results) {
  const cpu = median(runs.map((run) => run.cpu));
  const each = runs.map((run) => `${run.wall.toFixed(1)}, ${run.cpu.toFixed(1)} (${run.load})`).join('; ');
  console.log(`| ${arm} | ${each} | ${median(runs.map((run) => run.wall)).toFixed(2)} | ${cpu.toFixed(2)} | ${(cpu / files.length).toFixed(3)} |`);
}
rmSync(scratch, { recursive: true, force: true });
