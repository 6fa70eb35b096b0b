/**
 * TF op -> ONNX node mappers. The converted graph keeps TensorFlow's NHWC layout everywhere, so
 * reshapes, concats, pads and reductions keep their TF axes unchanged; only the ops ONNX defines on
 * NCHW (convolutions, pooling) are wrapped in a pair of Transposes, which onnxruntime's layout
 * optimiser cancels between consecutive convolutions.
 */

import type { TfNode } from './tfjs/model-json.ts';
import type { HostTensor } from './tfjs/tensor.ts';
import { ConversionContext, dataInputs, intList, stringAttr, stringList } from './context.ts';

/** Converts one node and returns the ONNX value holding its output. */
type OpMapper = (node: TfNode, ctx: ConversionContext) => string;

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

const ELEMENTWISE: Record<string, string> = {
  Add: 'Add',
  AddV2: 'Add',
  Sub: 'Sub',
  Mul: 'Mul',
  RealDiv: 'Div',
  Minimum: 'Min',
  Maximum: 'Max',
};

const UNARY: Record<string, string> = {
  Relu: 'Relu',
  Sigmoid: 'Sigmoid',
  Tanh: 'Tanh',
  Elu: 'Elu',
};

export const OP_MAPPERS: Record<string, OpMapper> = {
  Identity: (node, ctx) => ctx.input(firstInput(node)),
  StopGradient: (node, ctx) => ctx.input(firstInput(node)),
  ...Object.fromEntries(
    Object.entries(ELEMENTWISE).map(([tf, onnx]) => [
      tf,
      (node: TfNode, ctx: ConversionContext) => ctx.emit(onnx, dataInputs(node).map((i) => ctx.input(i)), node.name),
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(UNARY).map(([tf, onnx]) => [
      tf,
      (node: TfNode, ctx: ConversionContext) => ctx.emit(onnx, [ctx.input(firstInput(node))], node.name),
    ]),
  ),
  Relu6: (node, ctx) => relu6(ctx.input(firstInput(node)), node.name, ctx),
  Prelu: (node, ctx) => prelu(ctx.input(firstInput(node)), node, 1, ctx),
  Softmax: (node, ctx) => ctx.emit('Softmax', [ctx.input(firstInput(node))], node.name, { axis: -1 }),
  Conv2D: (node, ctx) => convolution(node, ctx, 'regular'),
  _FusedConv2D: (node, ctx) => convolution(node, ctx, 'regular'),
  DepthwiseConv2dNative: (node, ctx) => convolution(node, ctx, 'depthwise'),
  FusedDepthwiseConv2dNative: (node, ctx) => convolution(node, ctx, 'depthwise'),
  MaxPool: (node, ctx) => pooling(node, ctx, 'MaxPool'),
  AvgPool: (node, ctx) => pooling(node, ctx, 'AveragePool'),
  MatMul: (node, ctx) => matMul(node, ctx),
  _FusedMatMul: (node, ctx) => matMul(node, ctx),
  Reshape: (node, ctx) => ctx.emit('Reshape', [ctx.input(firstInput(node)), int64Constant(ctx.constant(node, 1), node, ctx)], node.name),
  Pad: (node, ctx) => pad(node, ctx),
  PadV2: (node, ctx) => pad(node, ctx),
  Mean: (node, ctx) =>
    ctx.emit('ReduceMean', [ctx.input(firstInput(node))], node.name, {
      axes: Array.from(ctx.constant(node, 1).data),
      keepdims: node.attr?.keep_dims?.b ? 1 : 0,
    }),
  ConcatV2: (node, ctx) => {
    const all = dataInputs(node);
    const axis = ctx.constant(node, all.length - 1).data[0]!;
    return ctx.emit('Concat', all.slice(0, -1).map((i) => ctx.input(i)), node.name, { axis });
  },
};

function firstInput(node: TfNode): string {
  const [first] = dataInputs(node);
  if (first === undefined) throw new Error(`${node.op} ${node.name} has no input`);
  return first;
}

function relu6(x: string, name: string, ctx: ConversionContext): string {
  const low = ctx.addInitializer(`${name}/zero`, [], Float32Array.of(0));
  const high = ctx.addInitializer(`${name}/six`, [], Float32Array.of(6));
  return ctx.emit('Clip', [x, low, high], name);
}

/**
 * PReLU with the slopes of input `slopeIndex`, written out as its definition: where(x > 0, x,
 * slope * x). onnxruntime's PRelu picks each element's branch one at a time (4 ns an element
 * against Add's 0.3 on this machine: over half of FaceMesh's time); Greater, Mul and Where run
 * vectorised, and compute the same bits, a zero's sign and NaN included.
 */
function prelu(x: string, node: TfNode, slopeIndex: number, ctx: ConversionContext): string {
  const slopes = ctx.input(dataInputs(node)[slopeIndex]!);
  if (ctx.literal) return ctx.emit('PRelu', [x, slopes], node.name);
  const zero = ctx.addInitializer(`${node.name}/zero`, [], Float32Array.of(0));
  const positive = ctx.emit('Greater', [x, zero], `${node.name}/positive`);
  return ctx.emit('Where', [positive, x, ctx.emit('Mul', [x, slopes], `${node.name}/negative`)], node.name);
}

function int64Constant(tensor: HostTensor, node: TfNode, ctx: ConversionContext): string {
  return ctx.addInitializer(`${node.name}/int64`, tensor.shape, BigInt64Array.from(tensor.data, (v) => BigInt(v)));
}

/** Conv2D, its depthwise form, and the fused variants that add a bias and an activation. */
function convolution(node: TfNode, ctx: ConversionContext, kind: 'regular' | 'depthwise'): string {
  const x = ctx.emit('Transpose', [ctx.input(firstInput(node))], `${node.name}/nchw`, { perm: TO_NCHW });
  const filter = ctx.constant(node, 1);
  const [kh, kw, channelsIn, perChannel] = filter.shape as [number, number, number, number];
  const weights =
    kind === 'regular'
      ? ctx.addInitializer(`${node.name}/weights`, [perChannel, channelsIn, kh, kw], hwioToOihw(filter))
      : ctx.addInitializer(`${node.name}/weights`, [channelsIn * perChannel, 1, kh, kw], depthwiseToOihw(filter));
  const fused = stringList(node.attr?.fused_ops);
  const convInputs = [x, weights];
  if (fused[0] === 'BiasAdd') convInputs.push(ctx.input(dataInputs(node)[2]!));
  const conv = ctx.emit('Conv', convInputs, `${node.name}/conv`, {
    ...spatialAttributes(node, ctx),
    dilations: hw(intList(node.attr?.dilations), [1, 1]),
    ...(kind === 'depthwise' ? { group: channelsIn } : {}),
  });
  const nhwc = ctx.emit('Transpose', [conv], `${node.name}/nhwc`, { perm: TO_NHWC });
  return activation(node, fused.slice(fused[0] === 'BiasAdd' ? 1 : 0), nhwc, ctx);
}

function pooling(node: TfNode, ctx: ConversionContext, op: 'MaxPool' | 'AveragePool'): string {
  const x = ctx.emit('Transpose', [ctx.input(firstInput(node))], `${node.name}/nchw`, { perm: TO_NCHW });
  const pooled = ctx.emit(op, [x], `${node.name}/pool`, {
    kernel_shape: hw(intList(node.attr?.ksize), null),
    ...spatialAttributes(node, ctx),
    // TF's average pooling divides by the number of real pixels under the window.
    ...(op === 'AveragePool' ? { count_include_pad: 0 } : {}),
  });
  return ctx.emit('Transpose', [pooled], node.name, { perm: TO_NHWC });
}

/** Strides and padding of an NHWC conv/pool node as ONNX attributes. */
function spatialAttributes(node: TfNode, ctx: ConversionContext): Record<string, number[] | string> {
  const format = stringAttr(node.attr?.data_format) ?? 'NHWC';
  if (format !== 'NHWC') throw new Error(`${ctx.source}: ${node.op} ${node.name} uses data_format ${format}; only NHWC is supported`);
  const strides = hw(intList(node.attr?.strides), [1, 1]);
  const padding = stringAttr(node.attr?.padding);
  switch (padding) {
    // TF's SAME puts the odd pixel of padding after the data, as ONNX's SAME_UPPER does.
    case 'SAME':
      return { strides, auto_pad: 'SAME_UPPER' };
    case 'VALID':
      return { strides, auto_pad: 'VALID' };
    case 'EXPLICIT': {
      const [, , top, bottom, left, right] = intList(node.attr?.explicit_paddings);
      return { strides, pads: [top!, left!, bottom!, right!] };
    }
    default:
      throw new Error(`${ctx.source}: ${node.op} ${node.name} has unsupported padding ${padding}`);
  }
}

/** The H and W entries of a 4-element NHWC attribute list. */
function hw(values: number[], fallback: [number, number] | null): number[] {
  if (values.length === 4) return [values[1]!, values[2]!];
  if (fallback) return fallback;
  throw new Error(`expected a 4-element NHWC list, got [${values.join(', ')}]`);
}

/** The activations TF fuses into convolutions and matmuls, applied to `x` in NHWC. */
function activation(node: TfNode, ops: readonly string[], x: string, ctx: ConversionContext): string {
  if (ops.length === 0) return x;
  if (ops.length > 1) throw new Error(`${ctx.source}: ${node.op} ${node.name} fuses unsupported ops ${ops.join('+')}`);
  const [op] = ops;
  switch (op) {
    case 'Relu':
      return ctx.emit('Relu', [x], node.name);
    case 'Relu6':
      return relu6(x, node.name, ctx);
    case 'Sigmoid':
      return ctx.emit('Sigmoid', [x], node.name);
    case 'Elu':
      return ctx.emit('Elu', [x], node.name);
    case 'Prelu':
      return prelu(x, node, 3, ctx);
    case 'LeakyRelu':
      return ctx.emit('LeakyRelu', [x], node.name, { alpha: { float: node.attr?.leakyrelu_alpha?.f ?? 0.2 } });
    default:
      throw new Error(`${ctx.source}: ${node.op} ${node.name} fuses unsupported op ${op}`);
  }
}

function matMul(node: TfNode, ctx: ConversionContext): string {
  const fused = stringList(node.attr?.fused_ops);
  const operands = [ctx.input(dataInputs(node)[0]!), ctx.input(dataInputs(node)[1]!)];
  if (fused[0] === 'BiasAdd') operands.push(ctx.input(dataInputs(node)[2]!));
  const gemm = ctx.emit('Gemm', operands, `${node.name}/gemm`, {
    transA: node.attr?.transpose_a?.b ? 1 : 0,
    transB: node.attr?.transpose_b?.b ? 1 : 0,
  });
  return activation(node, fused.slice(fused[0] === 'BiasAdd' ? 1 : 0), gemm, ctx);
}

function pad(node: TfNode, ctx: ConversionContext): string {
  const paddings = Array.from(ctx.constant(node, 1).data);
  const before = paddings.filter((_, i) => i % 2 === 0);
  const after = paddings.filter((_, i) => i % 2 === 1);
  const pads = ctx.addInitializer(`${node.name}/pads`, [paddings.length], BigInt64Array.from([...before, ...after], (v) => BigInt(v)));
  const padInputs = [ctx.input(firstInput(node)), pads];
  if (node.op === 'PadV2') padInputs.push(ctx.input(dataInputs(node)[2]!));
  return ctx.emit('Pad', padInputs, node.name, { mode: 'constant' });
}

/** TF conv filters are [kh, kw, in, out]; ONNX wants [out, in, kh, kw]. */
function hwioToOihw(filter: HostTensor): Float32Array {
  const [kh, kw, cin, cout] = filter.shape as [number, number, number, number];
  const out = new Float32Array(filter.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < cin; i++)
        for (let o = 0; o < cout; o++) out[((o * cin + i) * kh + y) * kw + x] = filter.data[((y * kw + x) * cin + i) * cout + o]!;
  return out;
}

/** Depthwise filters are [kh, kw, channels, multiplier]; as a grouped ONNX conv, output channel c*multiplier+m. */
function depthwiseToOihw(filter: HostTensor): Float32Array {
  const [kh, kw, channels, multiplier] = filter.shape as [number, number, number, number];
  const out = new Float32Array(filter.data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let c = 0; c < channels; c++)
        for (let m = 0; m < multiplier; m++) {
          out[((c * multiplier + m) * kh + y) * kw + x] = filter.data[((y * kw + x) * channels + c) * multiplier + m]!;
        }
  return out;
}
