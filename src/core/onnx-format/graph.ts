import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ProtoWriter } from './protobuf';

/**
 * A dependency-free ONNX model writer: graph inputs/outputs, initializers (inline or in an external data file),
 * nodes with attributes, opset 17 plus the com.microsoft domain when a node uses it. With `streamWeights` large
 * initializers go to the external data file as they are added, so a graph whose weights exceed memory can be written.
 */

export type ElemType = 'float' | 'float16' | 'int64' | 'int32' | 'uint8' | 'int8' | 'bool';
export type Dim = number | string;
export type TensorData = Float32Array | Uint16Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

const DATA_TYPE: Record<ElemType, number> = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10 };
const ELEMENT_BYTES: Record<ElemType, number> = {
  float: 4,
  uint8: 1,
  int8: 1,
  int32: 4,
  int64: 8,
  bool: 1,
  float16: 2,
};

/** Attribute values: an integer, `{ f }` for a float, a string, an integer list, `{ floats }`, or `{ t }` for a tensor. */
export type Attr = number | string | number[] | { f: number } | { floats: number[] } | { t: TensorValue };

/** A tensor given by value (an attribute's, or an initializer kept inside the model file). */
export interface TensorValue {
  name: string;
  type: ElemType;
  dims: number[];
  data: TensorData;
}

type Initializer = TensorValue;

/** An initializer already written to the external data file: only where it is stays in memory. */
interface StoredInitializer {
  name: string;
  type: ElemType;
  dims: number[];
  external: ExternalRef;
}

interface ExternalRef {
  location: string;
  offset: number;
  length: number;
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
  private readonly initializers: (Initializer | StoredInitializer)[] = [];
  private readonly inputs: ValueSpec[] = [];
  private readonly outputs: ValueSpec[] = [];
  private readonly domains = new Set<string>();
  private counter = 0;
  private stream: { name: string; fd: number; offset: number } | undefined;

  constructor(
    readonly name: string,
    private readonly producer = 'prm-lens',
  ) {}

  /**
   * From now on, initializers of 1 KiB or more are written to `file` (created; its base name is the location the
   * model records) as they are added. `save` then writes only the graph; `close` releases the file early on failure.
   */
  streamWeights(file: string): void {
    if (this.stream) throw new Error(`${this.name}: weights are already streamed to ${this.stream.name}`);
    this.stream = { name: path.basename(file), fd: openSync(file, 'wx'), offset: 0 };
  }

  /** Bytes written to the streamed external data file so far. */
  get streamedBytes(): number {
    return this.stream?.offset ?? 0;
  }

  close(): void {
    if (this.stream && this.stream.fd >= 0) closeSync(this.stream.fd);
    if (this.stream) this.stream.fd = -1;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push({ name, type, dims });
    return name;
  }

  output(name: string, type: ElemType, dims: Dim[]): void {
    this.outputs.push({ name, type, dims });
  }

  initializer(name: string, type: ElemType, dims: number[], data: TensorData): string {
    const count = dims.reduce((a, b) => a * b, 1);
    if (data.byteLength !== count * ELEMENT_BYTES[type])
      throw new Error(`initializer ${name}: ${data.byteLength} bytes for dims [${dims}] of ${type}`);
    if (this.stream && data.byteLength >= EXTERNAL_MIN_BYTES) {
      if (this.stream.fd < 0) throw new Error(`${this.name}: the weights file ${this.stream.name} is closed`);
      this.initializers.push({ name, type, dims, external: appendAligned(this.stream, data) });
    } else {
      this.initializers.push({ name, type, dims, data });
    }
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
    if (this.stream && options.externalData)
      throw new Error(`${this.name}: weights are streamed to ${this.stream.name}; save() takes no externalData`);
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
        if ('external' in init) graph.message(5, encodeTensor(init, init.external));
        else if (external && init.data.byteLength >= EXTERNAL_MIN_BYTES)
          graph.message(5, encodeTensor(init, appendAligned(external, init.data)));
        else graph.message(5, encodeTensor(init));
      }
      for (const v of this.inputs) graph.message(11, encodeValueInfo(v));
      for (const v of this.outputs) graph.message(12, encodeValueInfo(v));
    } finally {
      if (external) closeSync(external.fd);
      this.close();
    }
    const model = new ProtoWriter().varint(1, 8).string(2, this.producer).message(7, graph);
    model.message(8, new ProtoWriter().string(1, '').varint(2, 17));
    for (const domain of this.domains) model.message(8, new ProtoWriter().string(1, domain).varint(2, 1));
    const bytes = model.finish();
    writeFileSync(file, bytes);
    return bytes.length + (external?.offset ?? 0) + (this.stream?.offset ?? 0);
  }
}

/** Appends `data` at the next page-aligned offset of an open data file. */
function appendAligned(file: { name: string; fd: number; offset: number }, data: TensorData): ExternalRef {
  const pad = (EXTERNAL_ALIGNMENT - (file.offset % EXTERNAL_ALIGNMENT)) % EXTERNAL_ALIGNMENT;
  if (pad) writeSync(file.fd, new Uint8Array(pad));
  file.offset += pad;
  const offset = file.offset;
  writeAll(file.fd, bytesOf(data));
  file.offset += data.byteLength;
  return { location: file.name, offset, length: data.byteLength };
}

/** writeSync may write less than asked for large buffers. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

function bytesOf(data: TensorData): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

function encodeTensor(t: Initializer | StoredInitializer, external?: ExternalRef): ProtoWriter {
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
  } else if ('data' in t) {
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
