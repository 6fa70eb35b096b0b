import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { convertTfjsFile, type ConvertOptions } from '../../src/faces/convert/convert.ts';
import { fromFloat16Bits } from '../../src/faces/onnx/half-float.ts';
import { loadTfjsReference, runTfjsReference } from './tfjs-reference.ts';

/**
 * A small graph written here, with what the face models do not exercise on their own: an even
 * input under a strided SAME convolution (TF pads only after), uint8- and float16-quantised
 * weights, and a reshape and a reduction whose meaning depends on NHWC order.
 */
const FILTER = { shape: [3, 3, 2, 3], min: -0.5, scale: 1 / 255 };
const BIAS = [0.25, -0.5, 1.5];

function node(name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) {
  return { name, op, input, attr };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A float image input of NHWC `dims`. */
function placeholder(name: string, dims: number[]) {
  return node(name, 'Placeholder', [], { dtype: { type: 'DT_FLOAT' }, shape: { shape: { dim: dims.map((d) => ({ size: String(d) })) } } });
}

/** Writes `<name>.json`: a graph model of `nodes`, its weights as `shard` describes them, signed with one output. */
async function writeGraphModel(
  dir: string,
  name: string,
  nodes: ReturnType<typeof node>[],
  shard: { paths: string[]; weights: object[] },
  output: string,
): Promise<string> {
  const json = {
    format: 'graph-model',
    modelTopology: { versions: {}, node: nodes },
    weightsManifest: [shard],
    signature: { outputs: { [`${output}:0`]: { name: `${output}:0`, dtype: 'DT_FLOAT' } } },
  };
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify(json));
  return file;
}

async function writeModel(dir: string, reduceOp = 'Mean'): Promise<string> {
  const filterBytes = Uint8Array.from({ length: 3 * 3 * 2 * 3 }, (_, i) => (i * 37) % 256);
  const bias = new Uint16Array([0x3400, 0xb800, 0x3e00]); // 0.25, -0.5, 1.5 in half precision
  await writeFile(path.join(dir, 'w.bin'), Buffer.concat([filterBytes, Buffer.from(bias.buffer), Buffer.from(new Int32Array([1, 12]).buffer), Buffer.from(new Int32Array([1]).buffer)]));
  return writeGraphModel(
    dir,
    reduceOp,
    [
      placeholder('x', [1, 4, 4, 2]),
      node('filter', 'Const'),
      node('bias', 'Const'),
      node('shape', 'Const'),
      node('axis', 'Const'),
      node('conv', '_FusedConv2D', ['x', 'filter', 'bias'], {
        strides: { list: { i: ['1', '2', '2', '1'] } },
        padding: { s: b64('SAME') },
        data_format: { s: b64('NHWC') },
        fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } },
        num_args: { i: '1' },
      }),
      node('flat', 'Reshape', ['conv', 'shape']),
      node('reduced', reduceOp, ['flat', 'axis'], { keep_dims: { b: true } }),
      node('out', 'Identity', ['reduced']),
    ],
    {
      paths: ['w.bin'],
      weights: [
        { name: 'filter', shape: FILTER.shape, dtype: 'float32', quantization: { dtype: 'uint8', min: FILTER.min, scale: FILTER.scale } },
        { name: 'bias', shape: [3], dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } },
        { name: 'shape', shape: [2], dtype: 'int32' },
        { name: 'axis', shape: [1], dtype: 'int32' },
      ],
    },
    'out',
  );
}

/**
 * The two patterns the converter writes in a faster equal form: Keras's ReLU(max_value=6) as TF
 * exports it, and PReLU, with slopes of every kind (zero, negative, above 1).
 */
async function writeActivations(dir: string): Promise<string> {
  const weights = [
    { name: 'six', shape: [], values: [6] },
    { name: 'zero', shape: [], values: [0] },
    { name: 'gentle', shape: [2], values: [0.25, 0] },
    { name: 'steep', shape: [2], values: [-0.5, 1.5] },
  ];
  await writeFile(path.join(dir, 'act.bin'), Buffer.from(Float32Array.from(weights.flatMap((w) => w.values)).buffer));
  return writeGraphModel(
    dir,
    'act',
    [
      placeholder('x', [1, 3, 3, 2]),
      ...weights.map((w) => node(w.name, 'Const')),
      node('rectified', 'Relu', ['x']),
      node('capped', 'Minimum', ['rectified', 'six']),
      node('clipped', 'Maximum', ['capped', 'zero']),
      node('leaky', 'Prelu', ['x', 'gentle']),
      node('amplified', 'Prelu', ['x', 'steep']),
    ],
    { paths: ['act.bin'], weights: weights.map(({ name, shape }) => ({ name, shape, dtype: 'float32' })) },
    'clipped',
  );
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-convert-'));
});

describe('tfjs -> ONNX converter', () => {
  it('computes what TensorFlow.js computes on a graph of strided SAME conv, quantised weights, reshape and mean', async () => {
    const file = await writeModel(dir);
    const session = await InferenceSession.create(await convertTfjsFile(file, { outputs: { flat: 'flat', out: 'out' } }));
    const input = Float32Array.from({ length: 32 }, (_, i) => Math.sin(i) * 2);
    const [flat, mean] = await runTfjsReference(await loadTfjsReference(file), input, [1, 4, 4, 2], ['flat', 'out']);
    const result = await session.run({ x: new Tensor('float32', input, [1, 4, 4, 2]) });
    expect(result.flat!.dims).toEqual([1, 12]);
    expect(Array.from(result.flat!.data as Float32Array)).toEqual(Array.from(flat!).map((v) => expect.closeTo(v, 5)));
    expect((result.out!.data as Float32Array)[0]).toBeCloseTo(mean![0]!, 5);
  });

  it('writes clipped ReLU as Clip and PReLU as a Where, with the output bits of the literal form', async () => {
    const file = await writeActivations(dir);
    const outputs = { clipped: 'clipped', leaky: 'leaky', amplified: 'amplified' };
    const convert = (options: ConvertOptions) => convertTfjsFile(file, { outputs, ...options });
    const [fast, literal] = await Promise.all([convert({}), convert({ literal: true })]);
    const opTypes = (model: Uint8Array, op: string) => Buffer.from(model).toString('latin1').split(op).length - 1;
    // The op types, counted as the protobuf strings they are written as (no node is named after one).
    expect([opTypes(fast, 'Clip'), opTypes(fast, 'Min'), opTypes(fast, 'PRelu'), opTypes(fast, 'Where')]).toEqual([1, 0, 0, 2]);
    expect([opTypes(literal, 'Clip'), opTypes(literal, 'Min'), opTypes(literal, 'PRelu'), opTypes(literal, 'Where')]).toEqual([0, 1, 2, 0]);
    // Zeros of both signs included: the faster forms must keep a zero's sign too.
    const input = Float32Array.from({ length: 18 }, (_, i) => (i === 17 ? -0 : (i - 7) * 0.93));
    const run = async (model: Uint8Array) => (await InferenceSession.create(model)).run({ x: new Tensor('float32', input, [1, 3, 3, 2]) });
    const [a, b] = await Promise.all([run(fast), run(literal)]);
    for (const name of Object.keys(outputs)) expect(Buffer.from((a[name]!.data as Float32Array).buffer).equals(Buffer.from((b[name]!.data as Float32Array).buffer))).toBe(true);
    const [clipped, leaky] = await runTfjsReference(await loadTfjsReference(file), input, [1, 3, 3, 2], ['clipped', 'leaky']);
    expect(Array.from(a.clipped!.data as Float32Array)).toEqual(Array.from(clipped!).map((v) => expect.closeTo(v, 6)));
    expect(Array.from(a.leaky!.data as Float32Array)).toEqual(Array.from(leaky!).map((v) => expect.closeTo(v, 6)));
  });

  it('names the op it cannot convert', async () => {
    await expect(convertTfjsFile(await writeModel(dir, 'Cumsum'))).rejects.toThrow(/unsupported TensorFlow op Cumsum/);
  });

  it('expands half-precision weights exactly', () => {
    expect(BIAS.map((_, i) => fromFloat16Bits([0x3400, 0xb800, 0x3e00][i]!))).toEqual(BIAS);
    expect(fromFloat16Bits(0x0001)).toBe(2 ** -24);
    expect(fromFloat16Bits(0x7c00)).toBe(Infinity);
  });
});
