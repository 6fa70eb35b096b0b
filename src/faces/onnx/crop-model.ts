/** Runs a single-output model over face crops in batches, one output row per crop. */

import { Tensor } from 'onnxruntime-node';
import { toNchw, type Normalisation } from './image.ts';
import { modelInput } from './model-input.ts';
import { openSession, type ModelSession, type SessionOptions } from './session.ts';
import type { RgbFrame } from '../types.ts';

export interface CropModel {
  readonly model: ModelSession;
  /** Side of the square crop the model reads. */
  readonly size: number;
  run(crops: readonly RgbFrame[]): Promise<Float32Array[]>;
}

export async function openCropModel(
  modelPath: string,
  options: SessionOptions & { batchSize: number; defaultSize: number; normalisation: Normalisation },
): Promise<CropModel> {
  const model = await openSession(modelPath, options);
  const { session } = model;
  const input = modelInput(session, modelPath);
  const [outputName] = session.outputNames;
  if (session.outputNames.length !== 1 || outputName === undefined) {
    throw new Error(`${modelPath}: expected one output, found ${session.outputNames.length}`);
  }
  if (input.width !== input.height) {
    throw new Error(`${modelPath}: expected a square input, found ${input.width}x${input.height}`);
  }
  const size = input.width ?? options.defaultSize;
  const batchSize = input.batch ?? Math.max(1, options.batchSize);

  async function runBatch(crops: readonly RgbFrame[]): Promise<Float32Array[]> {
    const tensor = new Tensor('float32', toNchw(crops, options.normalisation), [crops.length, 3, size, size]);
    const result = await session.run({ [input.name]: tensor });
    const data = result[outputName!]!.data as Float32Array;
    const rowLength = data.length / crops.length;
    return crops.map((_, i) => data.slice(i * rowLength, (i + 1) * rowLength));
  }

  return {
    model,
    size,
    async run(crops) {
      const rows: Float32Array[] = [];
      for (let i = 0; i < crops.length; i += batchSize) {
        rows.push(...(await runBatch(crops.slice(i, i + batchSize))));
      }
      return rows;
    },
  };
}
