/**
 * Throughput of the detect rule: sampled frames per second of the whole rule (ffmpeg decode,
 * analysis in its worker thread, journal) against inference alone on the same sampled frames,
 * decoded into memory beforehand, with the same pack, threads and batch, in this same process.
 * Each round runs every row once, rows interleaved, so a neighbour's burst of CPU use hits all
 * rows alike; the table gives each row's median round and the range.
 *
 * "whole rule" counts from run() to its return: worker start and model loading included, as a
 * user pays them once per video. "steady" counts from the first journalled batch to the last.
 *
 *   npx tsx bench/detect.ts [rounds, default 3] [video, default multishot_8shots_1280x720_25fps.mp4] [sample_fps, default 2]
 */

import { mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { detect, inferenceThreads } from '../rules/detect.ts';
import { resolvePack, type ModelPack } from '../src/faces/packs.ts';
import type { BuildContext, Journal } from '../src/engine/rule.ts';
import { decodeFrames } from '../src/media/decode.ts';
import { createEmbeddedAnalyzer } from '../src/faces/embedded/analyzer.ts';
import { createInsightfaceAnalyzer } from '../src/faces/insightface/analyzer.ts';
import type { RgbFrame } from '../src/faces/types.ts';
import { ruleContext } from '../test/helpers/rule-context.ts';
import { requireData, TEST_CORPUS, TEST_MODELS } from '../test/helpers/test-data.ts';

const rounds = Number(process.argv[2] ?? 3);
const video = path.join(requireData(TEST_CORPUS), 'videos', process.argv[3] ?? 'multishot_8shots_1280x720_25fps.mp4');
const sampleFps = Number(process.argv[4] ?? 2);
const DET_THRESH = 0.3;
const BATCH = 8;

interface Setting {
  label: string;
  models: string;
  threads: number;
}

function scrfdFolder(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'vbuild-bench-pack-'));
  symlinkSync(path.join(requireData(TEST_MODELS), 'scrfd_500m_bnkps.onnx'), path.join(dir, 'det_500m.onnx'));
  return dir;
}

/** The frames detect analyses, decoded as detect decodes them; with the decode rate. */
async function sampledFrames(): Promise<{ frames: RgbFrame[]; rate: number }> {
  const frames: RgbFrame[] = [];
  const began = performance.now();
  for await (const frame of decodeFrames(video, { fps: sampleFps, pixFmt: 'rgb24' })) frames.push(frame);
  return { frames, rate: frames.length / ((performance.now() - began) / 1000) };
}

async function inferenceOnly(pack: ModelPack, threads: number, frames: readonly RgbFrame[]): Promise<number> {
  const options = { device: 'cpu' as const, threads, scoreThreshold: DET_THRESH, batchSize: BATCH };
  const analyzer =
    pack.kind === 'embedded' ? await createEmbeddedAnalyzer(pack, options) : await createInsightfaceAnalyzer(pack, { ...options, detSize: 640 });
  await analyzer.detect(frames.slice(0, 2)); // first-run allocations
  const began = performance.now();
  for (let i = 0; i < frames.length; i += BATCH) await analyzer.detect(frames.slice(i, i + BATCH));
  return frames.length / ((performance.now() - began) / 1000);
}

async function wholeRule(setting: Setting): Promise<{ whole: number; steady: number; frames: number }> {
  const journals: Journal[] = [];
  const marks: { at: number; done: number }[] = [];
  const base = ruleContext(detect, video);
  base.params = { ...base.params, models: setting.models, sample_fps: sampleFps, det_thresh: DET_THRESH, device: 'cpu', threads: setting.threads, batch: BATCH };
  const ctx: BuildContext = {
    ...base,
    progress: (done) => marks.push({ at: performance.now(), done }),
    journal: async <T>(name: string) => {
      const journal = await base.journal<T>(name);
      journals.push(journal as Journal);
      return journal;
    },
  };
  const began = performance.now();
  await detect.run(ctx);
  const ended = performance.now();
  for (const journal of journals) await journal.close();
  const first = marks[0]!;
  const last = marks.at(-1)!;
  return {
    frames: last.done,
    whole: last.done / ((ended - began) / 1000),
    steady: (last.done - first.done) / ((last.at - first.at) / 1000),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const range = (values: number[]) => `${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)}`;

// threads 0 is the rule's default (all cores but one); the same count is given to inference alone.
const settings: Setting[] = [
  { label: 'SCRFD-500M (insightface pack)', models: scrfdFolder(), threads: 0 },
  { label: 'SCRFD-500M (insightface pack)', models: scrfdFolder(), threads: 2 },
  { label: 'embedded (BlazeFace+FaceMesh+FaceRes)', models: '', threads: 0 },
  { label: 'embedded (BlazeFace+FaceMesh+FaceRes)', models: '', threads: 2 },
];
const { frames } = await sampledFrames();
const packs = await Promise.all(settings.map((s) => resolvePack(s.models)));
const results = settings.map(() => ({ inference: [] as number[], whole: [] as number[], steady: [] as number[] }));
const decodeRates: number[] = [];
const load = os.loadavg()[0]!.toFixed(2);
for (let round = 0; round < rounds; round++) {
  decodeRates.push((await sampledFrames()).rate);
  for (const [k, setting] of settings.entries()) {
    const threads = inferenceThreads({ threads: setting.threads });
    results[k]!.inference.push(await inferenceOnly(packs[k]!, threads, frames));
    const rule = await wholeRule(setting);
    if (rule.frames !== frames.length) throw new Error(`the rule sampled ${rule.frames} frames, the decoder ${frames.length}`);
    results[k]!.whole.push(rule.whole);
    results[k]!.steady.push(rule.steady);
  }
}

console.log(`detect rule vs inference alone, device cpu, batch ${BATCH}, det_thresh ${DET_THRESH}`);
console.log(`machine: ${os.cpus()[0]!.model}, ${os.cpus().length} cores, ${os.platform()} ${os.arch()}, node ${process.version}`);
console.log(`input: ${path.basename(video)}, ${frames.length} frames sampled at ${sampleFps}/s (${frames[0]!.width}x${frames[0]!.height})`);
console.log(`${rounds} interleaved rounds; median round, range of rounds; 1-min load average ${load} before, ${os.loadavg()[0]!.toFixed(2)} after`);
console.log(`decode alone (ffmpeg sampling + rgb24 into this process): ${median(decodeRates).toFixed(1)} frames/s (${range(decodeRates)})`);
console.log();
console.log('| pack | intra-op threads | inference only (frames/s) | whole rule (frames/s) | ratio | rule, steady (frames/s) | ratio |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const [k, setting] of settings.entries()) {
  const { inference, whole, steady } = results[k]!;
  const base = median(inference);
  console.log(
    `| ${setting.label} | ${inferenceThreads({ threads: setting.threads })}${setting.threads ? '' : ' (default)'} | ${base.toFixed(1)} (${range(inference)}) | ${median(whole).toFixed(1)} (${range(whole)}) | ${(median(whole) / base).toFixed(2)} | ${median(steady).toFixed(1)} (${range(steady)}) | ${(median(steady) / base).toFixed(2)} |`,
  );
}
