/**
 * Throughput of SCRFD-500M at 640x640 on the CPU: inference alone and the whole detector
 * (letterbox, inference, decode, NMS), 1 and 2 intra-op threads, and ways to keep several frames
 * in flight (concurrent runs on one session, detect's analysis worker threads). Every configuration runs once per round, rounds interleaved, and the table gives
 * each configuration's median round, so a neighbour's burst of CPU use hits all rows alike.
 * Ratios are against sequential 1-thread inference measured in this same process.
 *
 *   npx tsx bench/vision.ts [rounds, default 7] [frames per round, default 20]
 */

import os from 'node:os';
import path from 'node:path';
import { Tensor, type InferenceSession } from 'onnxruntime-node';
import { decodeFrames } from '../src/media/decode.ts';
import { letterboxToChw } from '../src/faces/onnx/image.ts';
import { modelInput } from '../src/faces/onnx/model-input.ts';
import { SCRFD_NORMALISATION } from '../src/faces/onnx/normalisation.ts';
import { startAnalysisThread, type AnalysisThread } from '../src/detect/analysis-thread.ts';
import { createInsightfaceAnalyzer, loadPack } from '../src/faces/index.ts';
import { openSession } from '../src/faces/onnx/session.ts';
import type { RgbFrame } from '../src/faces/types.ts';
import { requireData, TEST_CORPUS, TEST_MODELS } from '../test/helpers/test-data.ts';

const MODEL = path.join(requireData(TEST_MODELS), 'scrfd_500m_bnkps.onnx');
const VIDEO = path.join(requireData(TEST_CORPUS), 'videos/woman_frontal_static_720p.mp4');
const SIZE = 640;
const WARMUP = 5;
const DETECT = { device: 'cpu', detSize: SIZE, scoreThreshold: 0.5 } as const;

/** One row of the table: runs `frames` frames and resolves when they are done. */
interface Config {
  mode: string;
  threads: number;
  /** Frames handed to onnxruntime before the first one is back. */
  inFlight: number | 'all';
  run(frames: number): Promise<void>;
}

await main(Number(process.argv[2] ?? 7), Number(process.argv[3] ?? 20));

async function main(rounds: number, frames: number): Promise<void> {
  const frame = await firstFrame(VIDEO, 1);
  const input = new Float32Array(3 * SIZE * SIZE);
  letterboxToChw(frame, SIZE, SIZE, SCRFD_NORMALISATION, input, 0);
  const batchDim = modelInput((await openSession(MODEL, { device: 'cpu', threads: 1 })).session, MODEL).batch;

  const pack = await loadPack(path.dirname(MODEL));
  const workers = await Promise.all(
    [0, 1].map(() => startAnalysisThread({ pack, ...DETECT, threads: 1, batchSize: 1 })),
  );
  const configs: Config[] = [];
  for (const threads of [1, 2]) {
    configs.push(await inferenceConfig('inference, sequential', threads, 1, input));
  }
  for (const threads of [1, 2]) {
    configs.push(await inferenceConfig('inference, 4 concurrent runs on one session', threads, 4, input));
  }
  for (const threads of [1, 2]) {
    const here = await createInsightfaceAnalyzer(pack, { ...DETECT, threads });
    configs.push(await detectConfig('detect in this thread', threads, frame, [(frames) => here.detect(frames)], false));
  }
  configs.push(await detectConfig("detect in detect's analysis worker", 1, frame, workers.slice(0, 1).map(inWorker), true));
  configs.push(await detectConfig("detect in 2 of detect's analysis workers", 1, frame, workers.map(inWorker), true));

  const loadBefore = os.loadavg()[0]!;
  const seconds = configs.map(() => [] as number[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < configs.length; k++) {
      // Rotate the order so no configuration always runs right after a heavy one.
      const c = (k + round) % configs.length;
      const start = performance.now();
      await configs[c]!.run(frames);
      seconds[c]!.push((performance.now() - start) / 1000);
    }
  }
  const loadAfter = os.loadavg()[0]!;
  await Promise.all(workers.map((w) => w.close()));

  const fps = seconds.map((s) => frames / median(s));
  const spread = seconds.map((s) => [frames / Math.max(...s), frames / Math.min(...s)] as const);
  const cpus = os.cpus();
  console.log(`SCRFD-500M ${SIZE}x${SIZE}, onnxruntime-node cpu provider`);
  console.log(`machine: ${cpus[0]?.model ?? 'unknown cpu'}, ${cpus.length} cores, ${os.platform()} ${os.arch()}, node ${process.version}`);
  console.log(
    `model batch dimension: ${batchDim === null ? 'free' : `fixed at ${batchDim}`}` +
      (batchDim === 1 ? ' (no batches can be fed: several frames in flight are measured instead)' : ''),
  );
  console.log(`input: ${path.basename(VIDEO)} at 1 s, ${frame.width}x${frame.height}`);
  console.log(`${rounds} interleaved rounds of ${frames} frames per row after ${WARMUP} warm-up runs; median round, range of rounds`);
  console.log(`1-min load average: ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after\n`);
  console.log('| mode | intra-op threads | frames in flight | frames/s (median) | range | ms/frame | vs baseline |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  configs.forEach((config, i) => {
    console.log(
      `| ${config.mode} | ${config.threads} | ${config.inFlight} | ${fps[i]!.toFixed(1)} | ` +
        `${spread[i]![0].toFixed(1)}–${spread[i]![1].toFixed(1)} | ${(1000 / fps[i]!).toFixed(1)} | ${(fps[i]! / fps[0]!).toFixed(2)}x |`,
    );
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

async function firstFrame(video: string, time: number): Promise<RgbFrame> {
  for await (const frame of decodeFrames(video, { start: time, pixFmt: 'rgb24' })) return frame;
  throw new Error(`no frame at ${time}s in ${video}`);
}

function runner(session: InferenceSession, input: Float32Array): () => Promise<unknown> {
  const { name } = modelInput(session, MODEL);
  return () => session.run({ [name]: new Tensor('float32', input, [1, 3, SIZE, SIZE]) });
}

async function inferenceConfig(mode: string, threads: number, inFlight: number, input: Float32Array): Promise<Config> {
  const run = runner((await openSession(MODEL, { device: 'cpu', threads })).session, input);
  for (let i = 0; i < WARMUP; i++) await run();
  return {
    mode,
    threads,
    inFlight,
    async run(frames) {
      for (let done = 0; done < frames; done += inFlight) {
        await Promise.all(Array.from({ length: Math.min(inFlight, frames - done) }, run));
      }
    },
  };
}

/** Something that analyses frames: the analyzer in this thread, or detect's analysis worker. */
type FrameAnalysis = (frames: RgbFrame[]) => Promise<unknown>;

/**
 * Whole-detector throughput: one frame at a time, or (`queued`) every frame of the round handed
 * over at once and spread over the analyses, as detect keeps batches queued for its worker.
 */
async function detectConfig(mode: string, threads: number, frame: RgbFrame, analyses: FrameAnalysis[], queued: boolean): Promise<Config> {
  for (const analyse of analyses) for (let i = 0; i < WARMUP; i++) await analyse([frame]);
  return {
    mode,
    threads,
    inFlight: queued ? 'all' : 1,
    async run(frames) {
      if (queued) {
        await Promise.all(Array.from({ length: frames }, (_, i) => analyses[i % analyses.length]!([frame])));
      } else {
        for (let i = 0; i < frames; i++) await analyses[0]!([frame]);
      }
    },
  };
}

/** detect's worker takes over the pixels it is given: each call hands it a fresh copy, as decoding would. */
function inWorker(thread: AnalysisThread): FrameAnalysis {
  return (frames) => thread.analyse(frames.map((f) => ({ ...f, data: new Uint8Array(f.data) })));
}
