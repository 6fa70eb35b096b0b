/**
 * What `-skip_frame noref` (DecodeOptions.referenceFramesOnly) does to detect's decode: for every
 * video, the sampled frames of detect's decode (2 frames/s, rgb24, full size) with every frame
 * decoded and with reference frames only; how far each sample moved, counted in the file's own
 * frames (its packet table), and the ffmpeg CPU seconds of each decode.
 *
 *   npx tsx bench/detect-noref.ts [videos-dir] [--rounds N] [--fps F]   (default: the test corpus's videos, 3 rounds, 2/s)
 *
 * Samples are matched by their index `i` (sampling.ts), as detections.jsonl numbers them.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { decodeFrames, type DecodeOptions } from '../src/media/decode.ts';
import { presentationTimes, readVideoPackets } from '../src/media/probe.ts';
import { sampleIndex } from '../src/detect/sampling.ts';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { toolCpuSeconds } from './lib/child-cpu.ts';
import { median } from './lib/rounds.ts';

const { values: flags, positionals } = parseArgs({
  allowPositionals: true,
  options: { rounds: { type: 'string', default: '3' }, fps: { type: 'string', default: '2' } },
});
const rounds = Number(flags.rounds);
const fps = Number(flags.fps);
const videos = positionals[0] ?? path.join(requireData(TEST_CORPUS), 'videos');
const files = readdirSync(videos)
  .filter((name) => /\.(mp4|webm|mov|mkv)$/i.test(name))
  .sort()
  .map((name) => path.join(videos, name));

const arms = {
  'every frame': { fps, pixFmt: 'rgb24' },
  'reference frames only': { fps, pixFmt: 'rgb24', referenceFramesOnly: true },
} satisfies Record<string, DecodeOptions>;
type Arm = keyof typeof arms;

/** Sample times by index `i`, and the ffmpeg CPU seconds of the decode. */
async function sample(file: string, opts: DecodeOptions): Promise<{ samples: Map<number, number>; cpu: number }> {
  const samples = new Map<number, number>();
  const cpuBefore = await toolCpuSeconds();
  let first: number | null = null;
  let previous: number | null = null;
  for await (const frame of decodeFrames(file, opts)) {
    first ??= frame.time;
    previous = sampleIndex(frame.time, first, fps, previous);
    samples.set(previous, frame.time);
  }
  return { samples, cpu: await toolCpuSeconds() - cpuBefore };
}

/** Frames of the file from `a` up to `b` (b after a): how many frame intervals apart they are. */
function framesBetween(times: readonly number[], a: number, b: number): number {
  const position = (t: number) => times.findIndex((time) => Math.abs(time - t) < 5e-6);
  return position(b) - position(a);
}

console.log(`detect's decode (${fps}/s, rgb24, full size), every frame vs reference frames only (-skip_frame noref)`);
console.log(`${rounds} interleaved rounds, ffmpeg CPU seconds (user + system), median of rounds`);
console.log('');
console.log('| video | samples before / after | matched | moved | max offset (frames) | mean offset (frames) | decode CPU-s before / after |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
const totals: Record<Arm, number> = { 'every frame': 0, 'reference frames only': 0 };
for (const file of files) {
  const times = presentationTimes(await readVideoPackets(file));
  const cpu: Record<Arm, number[]> = { 'every frame': [], 'reference frames only': [] };
  const samples = {} as Record<Arm, Map<number, number>>;
  for (let round = 0; round < rounds; round++) {
    for (const arm of Object.keys(arms) as Arm[]) {
      const result = await sample(file, arms[arm]);
      cpu[arm].push(result.cpu);
      samples[arm] = result.samples;
    }
  }
  const before = samples['every frame'];
  const after = samples['reference frames only'];
  const offsets = [...before].filter(([i]) => after.has(i)).map(([i, t]) => framesBetween(times, t, after.get(i)!));
  const largest = Math.max(...offsets.map(Math.abs));
  const mean = offsets.reduce((sum, offset) => sum + Math.abs(offset), 0) / offsets.length;
  const [cpuBefore, cpuAfter] = [median(cpu['every frame']), median(cpu['reference frames only'])];
  totals['every frame'] += cpuBefore;
  totals['reference frames only'] += cpuAfter;
  console.log(
    `| ${path.basename(file)} | ${before.size} / ${after.size} | ${offsets.length} | ${offsets.filter((offset) => offset !== 0).length} | ${largest} | ${mean.toFixed(2)} | ${cpuBefore.toFixed(2)} / ${cpuAfter.toFixed(2)} |`,
  );
}
const [allBefore, allAfter] = [totals['every frame'], totals['reference frames only']];
console.log(`| all | | | | | | ${allBefore.toFixed(2)} / ${allAfter.toFixed(2)} (${((1 - allAfter / allBefore) * 100).toFixed(0)} % less) |`);
