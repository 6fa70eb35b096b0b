/**
 * Rewrites of a TF graph before its ops are mapped: patterns whose literal ONNX form onnxruntime
 * runs slower than an equal one it can fuse. Each computes the same values, bit for bit.
 */

import { dataInputs, nodeOfRef } from './context.ts';
import type { TfGraphModel, TfNode } from './tfjs/model-json.ts';

/**
 * Keras's `ReLU(max_value=6)` exported as `Maximum(Minimum(Relu(x), 6), 0)` becomes `Relu6(x)`,
 * which maps to one Clip that onnxruntime folds into the convolution before it. Literally, the
 * Minimum and Maximum run as two more passes over the tensor, each with a layout conversion around
 * it: a quarter of FaceRes's time. max(min(max(x, 0), 6), 0) is min(max(x, 0), 6) for every x.
 * Only when the Relu and the Minimum feed nothing else.
 */
export function fuseClippedRelus(model: TfGraphModel): TfNode[] {
  const byName = new Map(model.nodes.map((node) => [node.name, node]));
  const consumers = new Map<string, number>();
  for (const node of model.nodes) {
    for (const ref of dataInputs(node)) {
      const input = nodeOfRef(ref, model.source);
      consumers.set(input, (consumers.get(input) ?? 0) + 1);
    }
  }
  const scalar = (ref: string, value: number) => {
    const tensor = model.weights.get(nodeOfRef(ref, model.source));
    return tensor !== undefined && tensor.data.length === 1 && tensor.data[0] === value;
  };
  /** The input of `node` that is an only-consumed `op` node, when its other input is the scalar `value`. */
  const operandBeside = (node: TfNode, op: string, value: number): TfNode | undefined => {
    const [a, b] = dataInputs(node);
    if (a === undefined || b === undefined) return undefined;
    const ref = scalar(b, value) ? a : scalar(a, value) ? b : undefined;
    const operand = ref === undefined ? undefined : byName.get(nodeOfRef(ref, model.source));
    return operand?.op === op && consumers.get(operand.name) === 1 ? operand : undefined;
  };
  return model.nodes.map((node) => {
    if (node.op !== 'Maximum') return node;
    const minimum = operandBeside(node, 'Minimum', 0);
    const relu = minimum && operandBeside(minimum, 'Relu', 6);
    const [x] = relu ? dataInputs(relu) : [];
    return x === undefined ? node : { name: node.name, op: 'Relu6', input: [x] };
  });
}
