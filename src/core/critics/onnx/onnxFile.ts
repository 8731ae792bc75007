import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { GraphSignature, TensorInfo } from './signature';

/**
 * Reads what validation needs from an .onnx file without loading it: the graph's inputs and outputs and the external
 * data files its weights live in. Only the protobuf structure is walked; weight bytes and nodes are skipped by
 * length, so this is quick even for a multi-gigabyte file.
 */

export interface ExternalData {
  /** File name relative to the model's folder. */
  location: string;
  /** Bytes the file must hold (largest offset + length referenced). */
  needs: number;
}

export interface OnnxFileInfo extends GraphSignature {
  external: ExternalData[];
}

export class OnnxFormatError extends Error {}

const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

const WINDOW = 1 << 16;

/** Random-access reads through a small window (the walk reads mostly short, nearby fields). */
class Source {
  private window = Buffer.alloc(0);
  private windowStart = 0;

  constructor(
    private readonly fd: number,
    readonly size: number,
  ) {}

  byte(pos: number): number {
    if (pos >= this.size) throw new OnnxFormatError(`unexpected end of file at byte ${pos}`);
    if (pos < this.windowStart || pos >= this.windowStart + this.window.length) {
      const buf = Buffer.alloc(Math.min(WINDOW, this.size - pos));
      readSync(this.fd, buf, 0, buf.length, pos);
      this.window = buf;
      this.windowStart = pos;
    }
    return this.window[pos - this.windowStart];
  }

  bytes(pos: number, length: number): Buffer {
    if (pos + length > this.size) throw new OnnxFormatError(`a field at byte ${pos} runs past the end of the file`);
    const buf = Buffer.alloc(length);
    readSync(this.fd, buf, 0, length, pos);
    return buf;
  }
}

interface Field {
  number: number;
  wire: number;
  /** Varint value (wire type 0). */
  value: number;
  /** Payload range of a length-delimited field (wire type 2). */
  start: number;
  end: number;
}

function* fields(src: Source, start: number, end: number): Generator<Field> {
  let pos = start;
  const varint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = src.byte(pos++);
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw new OnnxFormatError(`malformed varint before byte ${pos}`);
  };
  while (pos < end) {
    const key = varint();
    const number = Math.floor(key / 8);
    const wire = key % 8;
    if (wire === 0) yield { number, wire, value: varint(), start: pos, end: pos };
    else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else if (wire === 2) {
      const length = varint();
      const s = pos;
      pos += length;
      if (pos > end) throw new OnnxFormatError(`field ${number} at byte ${s} is longer than its message`);
      yield { number, wire, value: length, start: s, end: pos };
    } else throw new OnnxFormatError(`unsupported protobuf wire type ${wire} at byte ${pos}`);
  }
}

function text(src: Source, f: Field): string {
  return src.bytes(f.start, f.end - f.start).toString('utf8');
}

function valueInfo(src: Source, f: Field): TensorInfo {
  const info: TensorInfo = { name: '', type: 'non-tensor', shape: [] };
  for (const v of fields(src, f.start, f.end)) {
    if (v.number === 1 && v.wire === 2) info.name = text(src, v);
    if (v.number !== 2 || v.wire !== 2) continue;
    for (const t of fields(src, v.start, v.end)) {
      if (t.number !== 1 || t.wire !== 2) continue; // tensor_type
      for (const tt of fields(src, t.start, t.end)) {
        if (tt.number === 1 && tt.wire === 0) info.type = ELEM_TYPES[tt.value] ?? `type ${tt.value}`;
        if (tt.number !== 2 || tt.wire !== 2) continue;
        for (const dim of fields(src, tt.start, tt.end)) {
          if (dim.number !== 1 || dim.wire !== 2) continue;
          let d: number | string | null = null;
          for (const dv of fields(src, dim.start, dim.end)) {
            if (dv.number === 1 && dv.wire === 0) d = dv.value;
            if (dv.number === 2 && dv.wire === 2) d = text(src, dv);
          }
          info.shape.push(d);
        }
      }
    }
  }
  return info;
}

function initializer(src: Source, f: Field): { name: string; external?: { location: string; end: number } } {
  let name = '';
  let external = false;
  const entries: Record<string, string> = {};
  for (const t of fields(src, f.start, f.end)) {
    if (t.number === 8 && t.wire === 2) name = text(src, t);
    if (t.number === 14 && t.wire === 0) external = t.value === 1;
    if (t.number === 13 && t.wire === 2) {
      let key = '';
      let value = '';
      for (const kv of fields(src, t.start, t.end)) {
        if (kv.number === 1) key = text(src, kv);
        if (kv.number === 2) value = text(src, kv);
      }
      entries[key] = value;
    }
  }
  if (!external || !entries.location) return { name };
  return {
    name,
    external: { location: entries.location, end: Number(entries.offset ?? 0) + Number(entries.length ?? 0) },
  };
}

/** Reads a model's signature; throws OnnxFormatError naming the file when it is not an ONNX model. */
export function readOnnxFile(file: string): OnnxFileInfo {
  const fd = openSync(file, 'r');
  try {
    const src = new Source(fd, fstatSync(fd).size);
    const inputs: TensorInfo[] = [];
    const outputs: TensorInfo[] = [];
    const initializers = new Set<string>();
    const external = new Map<string, number>();
    let graphs = 0;
    for (const m of fields(src, 0, src.size)) {
      if (m.number !== 7 || m.wire !== 2) continue;
      graphs++;
      for (const g of fields(src, m.start, m.end)) {
        if (g.wire !== 2) continue;
        if (g.number === 11) inputs.push(valueInfo(src, g));
        else if (g.number === 12) outputs.push(valueInfo(src, g));
        else if (g.number === 5) {
          const init = initializer(src, g);
          initializers.add(init.name);
          if (init.external)
            external.set(
              init.external.location,
              Math.max(external.get(init.external.location) ?? 0, init.external.end),
            );
        }
      }
    }
    if (graphs !== 1) throw new OnnxFormatError('no graph found');
    return {
      // Older exports also list weights among the inputs: those are not fed.
      inputs: inputs.filter((i) => !initializers.has(i.name)),
      outputs,
      external: [...external].map(([location, needs]) => ({ location, needs })),
    };
  } catch (err) {
    if (err instanceof OnnxFormatError)
      throw new OnnxFormatError(`${file}: not a readable ONNX model (${err.message})`);
    throw err;
  } finally {
    closeSync(fd);
  }
}
