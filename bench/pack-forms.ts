/**
 * The embedded pack's models as the converter writes them (faster equal forms: PReLU as a Where,
 * Keras's clipped ReLU as one Clip; src/faces/convert/rewrites.ts) against their literal conversion,
 * one op per TF op: inference time per image and whether the outputs are the same bits.
 *
 *   npx tsx bench/pack-forms.ts [rounds, default 5]
 *
 * Inputs are the images the analyzer feeds each model, from corpus frames: the letterboxed frame
 * for BlazeFace, a head-sized crop at the frame's centre for FaceMesh and FaceRes. Sessions are
 * opened as the analyzer opens them on CPU (one intra-op thread). Rounds interleave the two forms;
 * the table gives each one's median round and the ratio, measured in this same process.
 */

import os from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { convertTfjsFile } from '../src/faces/convert/convert.ts';
import { BLAZEFACE_INPUT } from '../src/faces/embedded/blazeface-decode.ts';
import { faceCropMatrix } from '../src/faces/embedded/face-crop.ts';
import { CONVERSIONS } from '../src/faces/embedded/pack.ts';
import { locateSources, type ModelRole } from '../src/faces/embedded/sources.ts';
import { letterboxToChw, toNchw, warpAffine, type Normalisation } from '../src/faces/onnx/image.ts';
import type { RgbFrame } from '../src/faces/types.ts';
import { decodeFrames } from '../src/media/decode.ts';
import { requireData, TEST_CORPUS } from '../test/helpers/test-data.ts';
import { median } from './lib/rounds.ts';

const ROUNDS = Number(process.argv[2] ?? 5);
const RUNS_PER_ROUND = 20;
const VIDEOS = path.join(requireData(TEST_CORPUS), 'videos');
const FRAMES = [
  ['woman_interview_threequarter_720p.mp4', 3],
  ['multishot_8shots_1280x720_25fps.mp4', 12],
  ['his_girl_friday_bw_3women_640x480.mp4', 2],
  ['opera_house_walkers_1080p.mp4', 4],
] as const;

/** What each model is fed, as src/faces/embedded/analyzer.ts feeds it. */
const MODELS: Record<ModelRole, { size: number; normalisation: Normalisation; image(frame: RgbFrame, size: number): Float32Array }> = {
  detector: {
    size: BLAZEFACE_INPUT,
    normalisation: { mean: 127.5, std: 127.5 },
    image(frame, size) {
      const input = new Float32Array(3 * size * size);
      letterboxToChw(frame, size, size, this.normalisation, input, 0);
      return input;
    },
  },
  mesh: { size: 192, normalisation: { mean: 0, std: 255 }, image: (frame, size) => centreCrop(frame, size, MODELS.mesh.normalisation) },
  descriptor: { size: 224, normalisation: { mean: 0, std: 1 }, image: (frame, size) => centreCrop(frame, size, MODELS.descriptor.normalisation) },
};

function centreCrop(frame: RgbFrame, size: number, normalisation: Normalisation): Float32Array {
  const side = Math.min(frame.width, frame.height) / 2;
  const crop = warpAffine(frame, faceCropMatrix({ center: [frame.width / 2, frame.height / 3], side, angle: 0 }, size), size, size);
  return toNchw([crop], normalisation);
}

async function frameOf(video: string, time: number): Promise<RgbFrame> {
  for await (const frame of decodeFrames(path.join(VIDEOS, video), { start: time, pixFmt: 'rgb24' })) return frame;
  throw new Error(`${video} has no frame at ${time}s`);
}

const open = async (role: ModelRole, literal: boolean) => {
  const sources = await locateSources();
  const model = await convertTfjsFile(sources.models[role], { ...CONVERSIONS[role].options, literal });
  return InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', executionMode: 'sequential', intraOpNumThreads: 1 });
};

async function outputBits(session: InferenceSession, input: Float32Array, size: number): Promise<Buffer> {
  const result = await session.run({ [session.inputNames[0]!]: new Tensor('float32', input, [1, 3, size, size]) });
  return Buffer.concat(session.outputNames.map((name) => Buffer.from((result[name]!.data as Float32Array).buffer)));
}

/** Milliseconds per image over RUNS_PER_ROUND runs cycling through the inputs. */
async function msPerImage(session: InferenceSession, inputs: readonly Float32Array[], size: number): Promise<number> {
  const began = performance.now();
  for (let run = 0; run < RUNS_PER_ROUND; run++) {
    await session.run({ [session.inputNames[0]!]: new Tensor('float32', inputs[run % inputs.length]!, [1, 3, size, size]) });
  }
  return (performance.now() - began) / RUNS_PER_ROUND;
}

const frames = await Promise.all(FRAMES.map(([video, time]) => frameOf(video, time)));
console.log(`machine: ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.availableParallelism()} cores, node ${process.version}; ${ROUNDS} rounds of ${RUNS_PER_ROUND} runs\n`);
console.log('| model | literal ms per image | as converted | ratio | same output bits |');
console.log('|---|---:|---:|---:|---|');
for (const role of Object.keys(MODELS) as ModelRole[]) {
  const { size, image } = MODELS[role];
  const inputs = frames.map((frame) => image.call(MODELS[role], frame, size));
  const [literal, converted] = await Promise.all([open(role, true), open(role, false)]);
  let same = true;
  for (const input of inputs) same &&= (await outputBits(literal, input, size)).equals(await outputBits(converted, input, size));
  const times = { literal: [] as number[], converted: [] as number[] };
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate which goes first.
    const order = round % 2 === 0 ? (['literal', 'converted'] as const) : (['converted', 'literal'] as const);
    for (const form of order) times[form].push(await msPerImage(form === 'literal' ? literal : converted, inputs, size));
  }
  const [a, b] = [median(times.literal), median(times.converted)];
  console.log(`| ${CONVERSIONS[role].file} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${(b / a).toFixed(3)} | ${same ? 'yes' : '**no**'} |`);
}
