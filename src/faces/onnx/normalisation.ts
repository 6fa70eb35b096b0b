/**
 * Input normalisation per insightface model, decided as insightface decides it. Models converted
 * from MXNet carry their own mean subtraction and scaling as the first graph nodes (named Sub/Mul,
 * _minus/_mul, or a `bn_data` batch norm for the landmark models) and take raw 0..255 pixels;
 * the others expect the caller to normalise.
 */

import type { Normalisation } from './image.ts';
import { firstNodeNames } from './onnx-graph.ts';

export const SCRFD_NORMALISATION: Normalisation = { mean: 127.5, std: 128 };

const RAW_PIXELS: Normalisation = { mean: 0, std: 1 };
const NODES_INSPECTED = 8;

export async function arcfaceNormalisation(modelPath: string): Promise<Normalisation> {
  const names = await firstNodeNames(modelPath, NODES_INSPECTED);
  return normalisesItself(names, false) ? RAW_PIXELS : { mean: 127.5, std: 127.5 };
}

export async function landmarkNormalisation(modelPath: string): Promise<Normalisation> {
  const names = await firstNodeNames(modelPath, NODES_INSPECTED);
  return normalisesItself(names, true) ? RAW_PIXELS : { mean: 127.5, std: 128 };
}

function normalisesItself(nodeNames: readonly string[], acceptBatchNormInput: boolean): boolean {
  if (acceptBatchNormInput && nodeNames.slice(0, 3).includes('bn_data')) return true;
  const subtracts = nodeNames.some((n) => n.startsWith('Sub') || n.startsWith('_minus'));
  const multiplies = nodeNames.some((n) => n.startsWith('Mul') || n.startsWith('_mul'));
  return subtracts && multiplies;
}
