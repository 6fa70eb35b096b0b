import { describe, expect, it } from 'vitest';
import { mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { arcfaceNormalisation, landmarkNormalisation } from '../../src/faces/onnx/normalisation.ts';
import { firstNodeNames } from '../../src/faces/onnx/onnx-graph.ts';
import { lacks, TEST_MODELS } from '../helpers/test-data.ts';
import { SCRFD_MODEL } from './fixtures.ts';

const noModel = lacks(TEST_MODELS, 'the two normalisation tests that read SCRFD-500M');

// Minimal protobuf writer for ONNX ModelProto { ir_version, doc_string, graph { node { name, op_type } } }.
function varint(n: number): number[] {
  const bytes: number[] = [];
  for (; n >= 128; n = Math.floor(n / 128)) bytes.push((n % 128) | 128);
  return [...bytes, n];
}
const lengthDelimited = (field: number, payload: Buffer) =>
  Buffer.concat([Buffer.from([...varint(field * 8 + 2), ...varint(payload.length)]), payload]);
const text = (field: number, value: string) => lengthDelimited(field, Buffer.from(value));

function onnxModel(nodeNames: readonly string[], docBytes = 0): Buffer {
  const nodes = nodeNames.map((name) => lengthDelimited(1, Buffer.concat([text(3, name), text(4, name.split('_')[0]!)])));
  return Buffer.concat([
    Buffer.from([...varint(1 * 8), 7]),
    ...(docBytes > 0 ? [text(6, 'x'.repeat(docBytes))] : []),
    lengthDelimited(7, Buffer.concat([...nodes, text(2, 'graph')])),
  ]);
}

async function modelFile(nodeNames: readonly string[], docBytes = 0): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-onnx-'));
  const file = path.join(dir, 'model.onnx');
  await writeFile(file, onnxModel(nodeNames, docBytes));
  return file;
}

describe('ONNX graph node names', () => {
  it.skipIf(noModel)('reads the first nodes of a real model', async () => {
    expect(await firstNodeNames(SCRFD_MODEL, 4)).toEqual(['Conv_0', 'Relu_1', 'Conv_2', 'Relu_3']);
  });

  it('keeps reading when the graph starts past the first megabyte', async () => {
    const file = await modelFile(['Sub_0', 'Mul_1', 'Conv_2'], 3 << 20);
    expect(await firstNodeNames(file, 8)).toEqual(['Sub_0', 'Mul_1', 'Conv_2']);
  });

  it('refuses a file that is not a model', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'vbuild-onnx-'));
    await writeFile(path.join(dir, 'notes.onnx'), Buffer.from([8, 1]));
    await expect(firstNodeNames(path.join(dir, 'notes.onnx'), 8)).rejects.toThrow(/not an ONNX model/);
  });
});

describe('input normalisation as insightface decides it', () => {
  it('lets models that subtract and scale in their graph take raw pixels', async () => {
    expect(await arcfaceNormalisation(await modelFile(['_minus0', '_mul0', 'conv0']))).toEqual({ mean: 0, std: 1 });
    expect(await landmarkNormalisation(await modelFile(['Sub_0', 'Mul_1', 'Conv_2']))).toEqual({ mean: 0, std: 1 });
  });

  it('treats a leading bn_data batch norm of a landmark model as its own normalisation', async () => {
    expect(await landmarkNormalisation(await modelFile(['bn_data', 'conv0', 'relu0']))).toEqual({ mean: 0, std: 1 });
    expect(await arcfaceNormalisation(await modelFile(['bn_data', 'conv0', 'relu0']))).toEqual({ mean: 127.5, std: 127.5 });
  });

  it.skipIf(noModel)('normalises for the other models: ArcFace by 127.5, landmarks by 128', async () => {
    expect(await arcfaceNormalisation(SCRFD_MODEL)).toEqual({ mean: 127.5, std: 127.5 });
    expect(await landmarkNormalisation(SCRFD_MODEL)).toEqual({ mean: 127.5, std: 128 });
  });
});
