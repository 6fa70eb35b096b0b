import { beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import type { GraphModel } from '@tensorflow/tfjs-converter';
import { convertTfjsFile } from '../../src/faces/convert/convert.ts';
import { faceCropMatrix } from '../../src/faces/embedded/face-crop.ts';
import type { EmbeddedPack } from '../../src/faces/embedded/pack.ts';
import { warpAffine } from '../../src/faces/onnx/image.ts';
import type { RgbFrame } from '../../src/faces/types.ts';
import { sharedPack } from '../helpers/shared-models.ts';
import { HUMAN_MODELS, frameAt } from './fixtures.ts';
import { loadTfjsReference, runTfjsReference } from './tfjs-reference.ts';

/**
 * Each converted model against TensorFlow.js running the original on its CPU backend. Error is
 * max |onnx - tfjs| over an output divided by the output's largest magnitude (at least 0.01, so
 * near-zero probabilities are not judged by the float noise around them).
 */
const MODELS = [
  {
    role: 'detector',
    tfjs: 'blazeface.json',
    size: 256,
    // TF output name -> ONNX output name of the pack.
    outputs: { 'Identity:0': 'scores16', 'Identity_1:0': 'scores32', 'Identity_2:0': 'boxes16', 'Identity_3:0': 'boxes32' },
    pixels: (v: number) => v / 127.5 - 1,
  },
  { role: 'mesh', tfjs: 'facemesh.json', size: 192, outputs: { 'Identity_2:0': 'mesh', 'Identity_1:0': 'faceflag' }, pixels: (v: number) => v / 255 },
  { role: 'descriptor', tfjs: 'faceres.json', size: 224, outputs: { 'global_pooling/Mean': 'descriptor' }, pixels: (v: number) => v },
] as const;

let pack: EmbeddedPack;
let frame: RgbFrame;
beforeAll(async () => {
  [pack, frame] = await Promise.all([sharedPack(), frameAt('hamilton_whitehouse_cuts_640x360.mp4', 5)]);
});

describe.each(MODELS)('converted $tfjs', (model) => {
  let reference: GraphModel;
  let session: InferenceSession;
  beforeAll(async () => {
    reference = await loadTfjsReference(path.join(HUMAN_MODELS, model.tfjs));
    session = await InferenceSession.create(pack[model.role], { intraOpNumThreads: 1 });
  });

  async function maxRelativeErrors(nhwc: Float32Array): Promise<Record<string, number>> {
    const { size } = model;
    const expected = await runTfjsReference(reference, nhwc, [1, size, size, 3], Object.keys(model.outputs));
    const actual = await session.run({ [session.inputNames[0]!]: new Tensor('float32', nhwcToNchw(nhwc, size), [1, 3, size, size]) });
    return Object.fromEntries(
      Object.values(model.outputs).map((name, i) => [name, relativeError(actual[name]!.data as Float32Array, expected[i]!)]),
    );
  }

  it('matches TensorFlow.js on random input', async () => {
    const random = seededRandom(7);
    const input = Float32Array.from({ length: model.size * model.size * 3 }, () => model.pixels(random() * 255));
    for (const error of Object.values(await maxRelativeErrors(input))) expect(error).toBeLessThan(1e-3);
  });

  it('matches TensorFlow.js on a corpus face', async () => {
    for (const error of Object.values(await maxRelativeErrors(corpusFace()))) expect(error).toBeLessThan(1e-3);
  });

  it('gives the output bits of the literal conversion, whose ops are those of the TF graph', async () => {
    const outputs = Object.fromEntries(Object.entries(model.outputs).map(([tf, onnx]) => [onnx, tf]));
    const literal = await InferenceSession.create(
      await convertTfjsFile(path.join(HUMAN_MODELS, model.tfjs), { inputLayout: 'nchw', outputs, literal: true }),
      { intraOpNumThreads: 1 },
    );
    const random = seededRandom(11);
    const inputs = [corpusFace(), Float32Array.from({ length: model.size * model.size * 3 }, () => model.pixels(random() * 255))];
    for (const nhwc of inputs) {
      const feed = (s: InferenceSession) => s.run({ [s.inputNames[0]!]: new Tensor('float32', nhwcToNchw(nhwc, model.size), [1, 3, model.size, model.size]) });
      const [fast, plain] = await Promise.all([feed(session), feed(literal)]);
      for (const name of Object.values(model.outputs)) {
        expect(Buffer.from((fast[name]!.data as Float32Array).buffer).equals(Buffer.from((plain[name]!.data as Float32Array).buffer))).toBe(true);
      }
    }
  });

  /** The singer's face in hamilton at 5 s, framed as the pack frames it, in the model's pixel values (NHWC). */
  function corpusFace(): Float32Array {
    const crop = warpAffine(frame, faceCropMatrix({ center: [242, 92], side: 125, angle: 0 }, model.size), model.size, model.size);
    return Float32Array.from(crop.data, model.pixels);
  }
});

function relativeError(actual: Float32Array, expected: Float32Array): number {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let scale = 0.01;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return diff / scale;
}

function nhwcToNchw(nhwc: Float32Array, size: number): Float32Array {
  const plane = size * size;
  const out = new Float32Array(nhwc.length);
  for (let p = 0; p < plane; p++) for (let c = 0; c < 3; c++) out[c * plane + p] = nhwc[p * 3 + c]!;
  return out;
}

/** Deterministic inputs, so a failure can be reproduced. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}
