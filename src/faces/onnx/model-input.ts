/** The NCHW image input of a model as its graph declares it: fixed dimensions, or null where free. */

import type { InferenceSession } from 'onnxruntime-node';

export interface ModelInput {
  name: string;
  batch: number | null;
  height: number | null;
  width: number | null;
}

export function modelInput(session: InferenceSession, modelPath: string): ModelInput {
  const [name] = session.inputNames;
  const metadata = session.inputMetadata[0];
  if (name === undefined || !metadata?.isTensor || metadata.shape.length !== 4) {
    throw new Error(`${modelPath}: expected one NCHW image input`);
  }
  const [batch, , height, width] = metadata.shape.map(fixedDimension);
  return { name, batch: batch ?? null, height: height ?? null, width: width ?? null };
}

function fixedDimension(dim: number | string): number | null {
  return typeof dim === 'number' && dim > 0 ? dim : null;
}
