import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { halfToFloat } from '../critics/onnx/scores';

/**
 * Reads safetensors files (https://github.com/huggingface/safetensors): an 8-byte little-endian header length, a
 * JSON header naming each tensor's dtype, shape and byte range, then the data. Tensors are read one at a time and
 * converted to float32, so a checkpoint larger than memory can be converted tensor by tensor.
 */

export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

/** safetensors' own reader refuses headers above 100 MB; a 7B model's header is about 50 KB. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export type FloatDtype = 'F32' | 'F16' | 'BF16';
const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Absolute byte range in the file. */
  start: number;
  end: number;
}

export class SafetensorsFile {
  private fd: number | undefined;

  private constructor(
    readonly file: string,
    readonly tensors: ReadonlyMap<string, TensorEntry>,
    fd: number,
  ) {
    this.fd = fd;
  }

  /** Opens `file` and checks its header: every entry's dtype, shape and byte range, and that ranges do not overlap. */
  static open(file: string): SafetensorsFile {
    let fd: number;
    try {
      fd = openSync(file, 'r');
    } catch (err) {
      throw new CheckpointError(`${file}: cannot be opened (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    try {
      return new SafetensorsFile(file, parseHeader(file, fd), fd);
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /** The tensor as float32 (F32, F16 and BF16 are accepted); `expected` checks its shape first. */
  read(name: string, expected?: readonly number[]): Float32Array {
    const entry = this.tensors.get(name);
    if (!entry) throw new CheckpointError(`${this.file}: no tensor "${name}"`);
    if (expected && (expected.length !== entry.shape.length || expected.some((d, i) => d !== entry.shape[i])))
      throw new CheckpointError(
        `${this.file}: tensor "${name}" has shape [${entry.shape.join(', ')}]; the config says [${expected.join(', ')}]`,
      );
    if (entry.dtype !== 'F32' && entry.dtype !== 'F16' && entry.dtype !== 'BF16')
      throw new CheckpointError(
        `${this.file}: tensor "${name}" is ${entry.dtype}; PRM Lens imports F32, F16 and BF16 weights (quantized checkpoints are not supported)`,
      );
    if (this.fd === undefined) throw new CheckpointError(`${this.file}: already closed`);
    const bytes = Buffer.allocUnsafe(entry.end - entry.start);
    let done = 0;
    while (done < bytes.length) {
      const n = readSync(this.fd, bytes, done, bytes.length - done, entry.start + done);
      if (n === 0) throw new CheckpointError(`${this.file}: tensor "${name}" runs past the end of the file`);
      done += n;
    }
    return toFloat32(bytes, entry.dtype);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function toFloat32(bytes: Buffer, dtype: FloatDtype): Float32Array {
  // Buffer.allocUnsafe may hand out a slice of a shared pool at any offset: copy to an aligned buffer when needed.
  const aligned = bytes.byteOffset % 4 === 0 ? bytes : Buffer.from(bytes);
  if (dtype === 'F32') return new Float32Array(aligned.buffer, aligned.byteOffset, aligned.length / 4);
  const halves = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.length / 2);
  if (dtype === 'F16') return halfToFloat(halves);
  // bfloat16 is the top half of a float32.
  const out = new Uint32Array(halves.length);
  for (let i = 0; i < halves.length; i++) out[i] = halves[i] << 16;
  return new Float32Array(out.buffer);
}

function parseHeader(file: string, fd: number): Map<string, TensorEntry> {
  const size = fstatSync(fd).size;
  const bad = (why: string) => new CheckpointError(`${file}: not a valid safetensors file: ${why}`);
  if (size < 8) throw bad(`${size} bytes, shorter than the 8-byte header length`);
  const prefix = Buffer.alloc(8);
  readSync(fd, prefix, 0, 8, 0);
  const headerLength = prefix.readBigUInt64LE(0);
  if (headerLength > BigInt(MAX_HEADER_BYTES))
    throw bad(`header length ${headerLength} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  if (Number(headerLength) > size - 8) throw bad(`header length ${headerLength} runs past the end of the file`);
  const text = Buffer.alloc(Number(headerLength));
  readSync(fd, text, 0, text.length, 8);
  let header: unknown;
  try {
    header = JSON.parse(text.toString('utf8'));
  } catch {
    throw bad('the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw bad('the header is not an object');
  const dataStart = 8 + text.length;
  const dataSize = size - dataStart;
  const tensors = new Map<string, TensorEntry>();
  for (const [name, raw] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const where = `tensor "${name}"`;
    if (typeof raw !== 'object' || raw === null) throw bad(`${where} is not an object`);
    const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) throw bad(`${where} has unknown dtype ${String(dtype)}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw bad(`${where} has an invalid shape ${JSON.stringify(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0))
      throw bad(`${where} has invalid data_offsets ${JSON.stringify(offsets)}`);
    const [begin, end] = offsets as number[];
    const count = (shape as number[]).reduce((a, b) => a * b, 1);
    if (end < begin || end - begin !== count * DTYPE_BYTES[dtype])
      throw bad(
        `${where}: data_offsets [${begin}, ${end}] hold ${end - begin} bytes; ${dtype} [${(shape as number[]).join(', ')}] needs ${count * DTYPE_BYTES[dtype]}`,
      );
    if (end > dataSize)
      throw bad(`${where}: data_offsets end at ${end}, past the ${dataSize} data bytes the file holds (truncated?)`);
    tensors.set(name, { name, dtype, shape: shape as number[], start: dataStart + begin, end: dataStart + end });
  }
  const sorted = [...tensors.values()].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end)
      throw bad(`tensors "${sorted[i - 1].name}" and "${sorted[i].name}" overlap`);
  }
  return tensors;
}
