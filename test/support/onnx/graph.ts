import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ProtoWriter } from './protobuf';

/**
 * A dependency-free ONNX model writer: graph inputs/outputs, initializers (inline or in an external data file),
 * nodes with attributes, opset 17 plus the com.microsoft domain when a node uses it.
 */

export type ElemType = 'float' | 'float16' | 'int64' | 'int32' | 'uint8' | 'bool';
export type Dim = number | string;
export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array;

const DATA_TYPE: Record<ElemType, number> = { float: 1, uint8: 2, int32: 6, int64: 7, bool: 9, float16: 10 };

/** Attribute values: an integer, `{ f }` for a float, a string, an integer list, `{ floats }`, or `{ t }` for a tensor. */
export type Attr = number | string | number[] | { f: number } | { floats: number[] } | { t: Initializer };

interface Initializer {
  name: string;
  type: ElemType;
  dims: number[];
  data: TensorData;
}

interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, Attr>;
  domain: string;
}

interface ValueSpec {
  name: string;
  type: ElemType;
  dims: Dim[];
}

export interface SaveOptions {
  /** File name (next to the model) for tensors larger than 1 KiB; omit to keep all weights inside the .onnx file. */
  externalData?: string;
}

/** Alignment of tensors in the external data file: page-aligned offsets let onnxruntime memory-map them. */
const EXTERNAL_ALIGNMENT = 4096;
const EXTERNAL_MIN_BYTES = 1024;

export class OnnxGraph {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: Initializer[] = [];
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly domains = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  output(name: string, type: ElemType, dims: Dim[]): void {
    this.outputs.push({ name, type, dims });
  }

  initializer(name: string, type: ElemType, dims: number[], data: TensorData): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const elementBytes = type === 'float' || type === 'int32' ? 4 : type === 'int64' ? 8 : type === 'float16' ? 2 : 1;
    if (data.byteLength !== count * elementBytes)
      throw new Error(`initializer ${name}: ${data.byteLength} bytes for dims [${dims}] of ${type}`);
    this.initializers.push({ name, type, dims, data });
    return name;
  }

  /** A small constant tensor (shapes, axes, scalars) stored as an initializer. */
  constant(values: readonly number[], type: 'int64' | 'float' = 'int64', dims: number[] = [values.length]): string {
    const name = `const_${this.counter++}`;
    const data = type === 'int64' ? BigInt64Array.from(values, (v) => BigInt(v)) : Float32Array.from(values);
    return this.initializer(name, type, dims, data);
  }

  /** Adds a node and returns its first output's name (`outputs` names them, or says how many to create). */
  node(
    op: string,
    inputs: string[],
    attrs: Record<string, Attr> = {},
    options: { outputs?: string[] | number; domain?: string } = {},
  ): string {
    return this.nodeOutputs(op, inputs, attrs, options)[0];
  }

  nodeOutputs(
    op: string,
    inputs: string[],
    attrs: Record<string, Attr> = {},
    options: { outputs?: string[] | number; domain?: string } = {},
  ): string[] {
    const id = this.counter++;
    const outputs = Array.isArray(options.outputs)
      ? options.outputs
      : Array.from({ length: options.outputs ?? 1 }, (_, i) => `${op.toLowerCase()}_${id}${i > 0 ? `_${i}` : ''}`);
    const domain = options.domain ?? '';
    if (domain) this.domains.add(domain);
    this.nodes.push({ op, inputs, outputs, attrs, domain });
    return outputs;
  }

  /** Writes `file` (and the external data file next to it when asked); returns the bytes written. */
  save(file: string, options: SaveOptions = {}): number {
    const external = options.externalData
      ? {
          name: options.externalData,
          fd: openSync(path.join(path.dirname(file), options.externalData), 'w'),
          offset: 0,
        }
      : undefined;
    const graph = new ProtoWriter();
    try {
      for (const n of this.nodes) graph.message(1, encodeNode(n));
      graph.string(2, this.name);
      for (const init of this.initializers) {
        if (external && init.data.byteLength >= EXTERNAL_MIN_BYTES) {
          const pad = (EXTERNAL_ALIGNMENT - (external.offset % EXTERNAL_ALIGNMENT)) % EXTERNAL_ALIGNMENT;
          if (pad) writeSync(external.fd, new Uint8Array(pad));
          external.offset += pad;
          writeSync(external.fd, bytesOf(init.data));
          graph.message(
            5,
            encodeTensor(init, { location: external.name, offset: external.offset, length: init.data.byteLength }),
          );
          external.offset += init.data.byteLength;
        } else {
          graph.message(5, encodeTensor(init));
        }
      }
      for (const v of this.inputs) graph.message(11, encodeValueInfo(v));
      for (const v of this.outputs) graph.message(12, encodeValueInfo(v));
    } finally {
      if (external) closeSync(external.fd);
    }
    const model = new ProtoWriter().varint(1, 8).string(2, 'prm-lens-tests').message(7, graph);
    model.message(8, new ProtoWriter().string(1, '').varint(2, 17));
    for (const domain of this.domains) model.message(8, new ProtoWriter().string(1, domain).varint(2, 1));
    const bytes = model.finish();
    writeFileSync(file, bytes);
    return bytes.length + (external?.offset ?? 0);
  }
}

function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function encodeTensor(t: Initializer, external?: { location: string; offset: number; length: number }): ProtoWriter {
  const w = new ProtoWriter();
  for (const d of t.dims) w.varint(1, d);
  w.varint(2, DATA_TYPE[t.type]).string(8, t.name);
  if (external) {
    for (const [key, value] of [
      ['location', external.location],
      ['offset', String(external.offset)],
      ['length', String(external.length)],
    ]) {
      w.message(13, new ProtoWriter().string(1, key).string(2, value));
    }
    w.varint(14, 1);
  } else {
    w.bytes(9, bytesOf(t.data));
  }
  return w;
}

function encodeValueInfo(v: ValueSpec): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of v.dims)
    shape.message(1, typeof d === 'number' ? new ProtoWriter().varint(1, d) : new ProtoWriter().string(2, d));
  const tensorType = new ProtoWriter().varint(1, DATA_TYPE[v.type]).message(2, shape);
  return new ProtoWriter().string(1, v.name).message(2, new ProtoWriter().message(1, tensorType));
}

function encodeNode(n: NodeSpec): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.outputs[0]).string(4, n.op);
  if (n.domain) w.string(7, n.domain);
  for (const [name, value] of Object.entries(n.attrs)) w.message(5, encodeAttr(name, value));
  return w;
}

// AttributeProto.type values
const FLOAT = 1,
  INT = 2,
  STRING = 3,
  TENSOR = 4,
  FLOATS = 6,
  INTS = 7;

function encodeAttr(name: string, value: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') {
    if (!Number.isInteger(value))
      throw new Error(`attribute ${name}: ${value} is not an integer; write { f: ${value} } for a float`);
    return w.varint(3, value).varint(20, INT);
  }
  if (typeof value === 'string') return w.string(4, value).varint(20, STRING);
  if (Array.isArray(value)) {
    for (const v of value) w.varint(8, v);
    return w.varint(20, INTS);
  }
  if ('f' in value) return w.float(2, value.f).varint(20, FLOAT);
  if ('floats' in value) {
    for (const v of value.floats) w.float(7, v);
    return w.varint(20, FLOATS);
  }
  return w.message(5, encodeTensor(value.t)).varint(20, TENSOR);
}
