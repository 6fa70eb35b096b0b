/**
 * What an op mapper sees while a tfjs graph is converted: the ONNX value each TF tensor became,
 * the constants (read at conversion time where ONNX wants them in another layout or type), and a
 * sink for the nodes and initializers it emits.
 */

import type { OnnxNode, OnnxTensor, OnnxAttributeValue } from './onnx-file/model.ts';
import type { TfAttr, TfNode } from './tfjs/model-json.ts';
import type { HostTensor } from './tfjs/tensor.ts';

export class ConversionContext {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  /** ONNX value name of each converted TF node's output. */
  private readonly values = new Map<string, string>();
  private readonly emittedConstants = new Set<string>();
  private readonly usedNames = new Set<string>();

  constructor(
    private readonly constants: ReadonlyMap<string, HostTensor>,
    readonly source: string,
    /** Map every op as it is, without the faster equal forms (ConvertOptions.literal). */
    readonly literal = false,
  ) {}

  /** The ONNX value of a TF input reference; constants become float initializers on first use. */
  input(ref: string): string {
    const name = nodeOfRef(ref, this.source);
    const value = this.values.get(name);
    if (value !== undefined) return value;
    const constant = this.constants.get(name);
    if (!constant) throw new Error(`${this.source}: tensor ${ref} is used before it is computed`);
    if (!this.emittedConstants.has(name)) {
      this.emittedConstants.add(name);
      this.usedNames.add(name);
      this.initializers.push({ name, dims: constant.shape, data: Float32Array.from(constant.data) });
    }
    return name;
  }

  /** The value of a constant input, for parameters ONNX takes in another form (weights, shapes, axes). */
  constant(node: TfNode, index: number): HostTensor {
    const ref = node.input?.[index];
    const tensor = ref === undefined ? undefined : this.constants.get(nodeOfRef(ref, this.source));
    if (!tensor) throw new Error(`${this.source}: ${node.op} ${node.name} needs a constant as input ${index}`);
    return tensor;
  }

  addInitializer(base: string, dims: readonly number[], data: Float32Array | BigInt64Array): string {
    const name = this.uniqueName(base);
    this.initializers.push({ name, dims, data });
    return name;
  }

  /** Adds one node and returns its output value, named after `base`. */
  emit(op: string, inputs: readonly string[], base: string, attributes?: Record<string, OnnxAttributeValue>): string {
    const output = this.uniqueName(base);
    this.nodes.push({ op, inputs, outputs: [output], name: output, ...(attributes ? { attributes } : {}) });
    return output;
  }

  /** Keeps names (graph inputs and outputs) out of the ones generated for nodes and initializers. */
  reserve(names: readonly string[]): void {
    for (const name of names) this.usedNames.add(name);
  }

  bind(tfNodeName: string, onnxValue: string): void {
    this.values.set(tfNodeName, onnxValue);
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let k = 1; this.usedNames.has(name); k++) name = `${base}__${k}`;
    this.usedNames.add(name);
    return name;
  }
}

/** `node`, `node:0` -> `node`; other output indices belong to multi-output ops, which no mapper handles. */
export function nodeOfRef(ref: string, source: string): string {
  const match = /^(.*?)(?::(\d+))?$/.exec(ref)!;
  if (match[2] !== undefined && match[2] !== '0') {
    throw new Error(`${source}: output ${match[2]} of ${match[1]} is used; only single-output ops are supported`);
  }
  return match[1]!;
}

export function intList(attr: TfAttr | undefined): number[] {
  return (attr?.list?.i ?? []).map(Number);
}

export function stringList(attr: TfAttr | undefined): string[] {
  return (attr?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function stringAttr(attr: TfAttr | undefined): string | undefined {
  return attr?.s === undefined ? undefined : Buffer.from(attr.s, 'base64').toString('utf8');
}

/** A node's data inputs, without control dependencies (`^name`). */
export function dataInputs(node: TfNode): string[] {
  return (node.input ?? []).filter((ref) => !ref.startsWith('^'));
}
