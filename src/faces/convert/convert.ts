/**
 * TensorFlow.js graph model -> ONNX model. Only the nodes the requested outputs depend on are
 * converted; an op without a mapper is an error naming it (and every other unsupported op met).
 */

import { ONNX_FLOAT, encodeModel, type OnnxValueInfo } from './onnx-file/model.ts';
import { readTfjsGraphModel, tensorNodeName, type TfGraphModel, type TfNode } from './tfjs/model-json.ts';
import { ConversionContext, nodeOfRef } from './context.ts';
import { OP_MAPPERS } from './ops.ts';
import { fuseClippedRelus } from './rewrites.ts';

/** onnxruntime 1.30 runs opset 17 with every op used here; IR version 8 goes with it. */
export const ONNX_OPSET = 17;

export interface ConvertOptions {
  /**
   * ONNX output name -> TF tensor name (e.g. `{ mesh: 'Identity_2:0' }`). Default: the model
   * signature's outputs under their TF names.
   */
  outputs?: Record<string, string>;
  /**
   * 'nchw' declares the image input as N,C,H,W (the layout of the project's other models) and
   * transposes it to NHWC inside the graph, where onnxruntime cancels it against the first conv's.
   */
  inputLayout?: 'nhwc' | 'nchw';
  metadata?: Record<string, string>;
  /**
   * Map every op as it is. By default a few patterns that onnxruntime runs slowly are written in an
   * equal form it runs faster (rewrites.ts, `prelu` in ops.ts), with the same output bits; the
   * literal form is what tests and benches compare them with.
   */
  literal?: boolean;
}

export async function convertTfjsFile(modelJsonPath: string, options: ConvertOptions = {}): Promise<Uint8Array> {
  return convertTfjsModel(await readTfjsGraphModel(modelJsonPath), options);
}

export function convertTfjsModel(model: TfGraphModel, options: ConvertOptions = {}): Uint8Array {
  const outputs = Object.entries(options.outputs ?? Object.fromEntries(model.outputs.map((o) => [o, o]))).map(
    ([onnxName, tfName]) => ({ onnxName, tfNode: nodeOfRef(tensorNodeName(tfName), model.source) }),
  );
  const byName = new Map((options.literal ? model.nodes : fuseClippedRelus(model)).map((n) => [n.name, n]));
  const order = dependencyOrder(outputs.map((o) => o.tfNode), byName, model.source);
  assertSupported(order, model.source);

  const ctx = new ConversionContext(model.weights, model.source, options.literal);
  ctx.reserve([...outputs.map((o) => o.onnxName), ...order.filter((n) => n.op === 'Placeholder').map((n) => n.name)]);
  const inputs: OnnxValueInfo[] = [];
  for (const node of order) {
    if (node.op === 'Const') continue;
    if (node.op === 'Placeholder') {
      inputs.push(declareInput(node, options.inputLayout ?? 'nhwc', ctx));
      continue;
    }
    ctx.bind(node.name, OP_MAPPERS[node.op]!(node, ctx));
  }
  for (const { onnxName, tfNode } of outputs) ctx.nodes.push({ op: 'Identity', inputs: [ctx.input(tfNode)], outputs: [onnxName], name: onnxName });

  return encodeModel({
    producer: 'vbuild tfjs-to-onnx',
    opset: ONNX_OPSET,
    graph: {
      name: 'converted',
      nodes: ctx.nodes,
      initializers: ctx.initializers,
      inputs,
      outputs: outputs.map(({ onnxName }) => ({ name: onnxName, elemType: ONNX_FLOAT, shape: null })),
    },
    ...(options.metadata ? { metadata: options.metadata } : {}),
  });
}

/** The nodes `targets` depend on, each after its inputs (depth-first, iterative: graphs can be deep). */
function dependencyOrder(targets: readonly string[], byName: ReadonlyMap<string, TfNode>, source: string): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'open' | 'done'>();
  for (const target of targets) {
    const stack: { name: string; expanded: boolean }[] = [{ name: target, expanded: false }];
    while (stack.length > 0) {
      const top = stack.pop()!;
      if (state.get(top.name) === 'done') continue;
      const node = byName.get(top.name);
      if (!node) throw new Error(`${source}: no node named ${top.name}`);
      if (top.expanded) {
        state.set(top.name, 'done');
        order.push(node);
        continue;
      }
      if (state.get(top.name) === 'open') throw new Error(`${source}: the graph has a cycle through ${top.name}`);
      state.set(top.name, 'open');
      stack.push({ name: top.name, expanded: true });
      for (const ref of node.input ?? []) {
        if (ref.startsWith('^')) continue;
        const dep = nodeOfRef(ref, source);
        if (state.get(dep) !== 'done') stack.push({ name: dep, expanded: false });
      }
    }
  }
  return order;
}

function assertSupported(nodes: readonly TfNode[], source: string): void {
  const unsupported = [...new Set(nodes.map((n) => n.op).filter((op) => op !== 'Const' && op !== 'Placeholder' && !(op in OP_MAPPERS)))];
  if (unsupported.length > 0) {
    throw new Error(`${source}: unsupported TensorFlow op${unsupported.length > 1 ? 's' : ''} ${unsupported.sort().join(', ')}`);
  }
}

function declareInput(node: TfNode, layout: 'nhwc' | 'nchw', ctx: ConversionContext): OnnxValueInfo {
  const dims = (node.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size));
  const shape = dims.map((d) => (d < 0 ? 'batch' : d));
  if (layout === 'nhwc' || shape.length !== 4) {
    ctx.bind(node.name, node.name);
    return { name: node.name, elemType: ONNX_FLOAT, shape };
  }
  const [n, h, w, c] = shape as [number | string, number | string, number | string, number | string];
  ctx.bind(node.name, ctx.emit('Transpose', [node.name], `${node.name}/nhwc`, { perm: [0, 2, 3, 1] }));
  return { name: node.name, elemType: ONNX_FLOAT, shape: [n, c, h, w] };
}
