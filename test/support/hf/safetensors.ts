import { writeFileSync } from 'node:fs';
import { floatToHalf } from '../../../src/core/hf-import/quantize';

/** Writes safetensors files, as Hugging Face's `save_file` lays them out (header padded to 8 bytes, data in order). */

export type StoredDtype = 'F32' | 'F16' | 'BF16';

export interface TensorToWrite {
  name: string;
  shape: readonly number[];
  data: Float32Array;
}

/** float32 → bfloat16 bits, rounding to nearest even (as torch's .to(torch.bfloat16)). */
export function floatToBf16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = bits[i];
    out[i] = (x + 0x7fff + ((x >>> 16) & 1)) >>> 16;
  }
  return out;
}

export function encode(data: Float32Array, dtype: StoredDtype): Uint8Array {
  const typed = dtype === 'F32' ? data : dtype === 'F16' ? floatToHalf(data) : floatToBf16(data);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}

export function writeSafetensors(file: string, tensors: readonly TensorToWrite[], dtype: StoredDtype): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const blobs: Uint8Array[] = [];
  let offset = 0;
  for (const t of tensors) {
    const bytes = encode(t.data, dtype);
    header[t.name] = { dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (json.length % 8)) % 8);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  writeFileSync(file, Buffer.concat([prefix, Buffer.from(json), ...blobs]));
}
