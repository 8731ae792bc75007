/**
 * Weight encodings for onnxruntime's CPU kernels. Hugging Face linear weights are [out, in] (N × K) row-major.
 */

/**
 * 4-bit blocks in MatMulNBits' layout: B [N, ceil(K/block), block/2] (low nibble first) and scales
 * [N, ceil(K/block)]; when K is not a multiple of the block (stories260K: 172) the last block of each row is padded
 * with zeros, as onnxruntime's kernel expects. Symmetric: q = round(w / s) + 8 with s = max|w| / 7 (no zero points).
 * Asymmetric: s = (max − min) / 15 and a zero point per block, packed two per byte [N, ceil(blocks / 2)], so a
 * block's full range is used.
 */
export function quantizeInt4(
  w: Float32Array,
  n: number,
  k: number,
  block: number,
  symmetric: boolean,
): { packed: Uint8Array; scales: Float32Array; zeroPoints?: Uint8Array } {
  if (block < 16 || (block & (block - 1)) !== 0)
    throw new Error(`quantizeInt4: block ${block} is not a power of 2 ≥ 16`);
  const blocks = Math.ceil(k / block);
  const packed = new Uint8Array((n * blocks * block) / 2);
  const scales = new Float32Array(n * blocks);
  const zpStride = Math.ceil(blocks / 2);
  const zeroPoints = symmetric ? undefined : new Uint8Array(n * zpStride);
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < blocks; b++) {
      const base = row * k + b * block;
      const size = Math.min(block, k - b * block);
      // The padding counts as zeros: the range then holds 0, as the asymmetric encoding needs anyway.
      let min = size < block ? 0 : Infinity;
      let max = size < block ? 0 : -Infinity;
      for (let i = 0; i < size; i++) {
        const v = w[base + i];
        if (v < min) min = v;
        if (v > max) max = v;
      }
      let scale: number;
      let zero: number;
      if (symmetric) {
        scale = Math.max(Math.abs(min), Math.abs(max)) / 7 || 1;
        zero = 8;
      } else {
        // The range must contain 0 so that zero weights stay exact.
        min = Math.min(min, 0);
        max = Math.max(max, 0);
        scale = (max - min) / 15 || 1;
        zero = Math.min(15, Math.max(0, Math.round(-min / scale)));
        (zeroPoints as Uint8Array)[row * zpStride + (b >> 1)] |= zero << ((b & 1) * 4);
      }
      scales[row * blocks + b] = scale;
      const inv = 1 / scale;
      const q = (i: number) => (i < size ? Math.min(15, Math.max(0, Math.round(w[base + i] * inv) + zero)) : zero);
      const out = ((row * blocks + b) * block) >> 1;
      for (let i = 0; i < block; i += 2) packed[out + (i >> 1)] = q(i) | (q(i + 1) << 4);
    }
  }
  return { packed, scales, zeroPoints };
}

/** The [N, K] weights a MatMulNBits node multiplies by, from quantizeInt4's output: (q − zero) · scale. */
export function dequantizeInt4(
  q: { packed: Uint8Array; scales: Float32Array; zeroPoints?: Uint8Array },
  n: number,
  k: number,
  block: number,
): Float32Array {
  const blocks = Math.ceil(k / block);
  const zpStride = Math.ceil(blocks / 2);
  const w = new Float32Array(n * k);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < k; col++) {
      const b = Math.floor(col / block);
      const at = (row * blocks + b) * block + (col % block);
      const v = at % 2 === 0 ? q.packed[at >> 1] & 0x0f : q.packed[at >> 1] >> 4;
      const zero = q.zeroPoints ? (q.zeroPoints[row * zpStride + (b >> 1)] >> ((b & 1) * 4)) & 0x0f : 8;
      w[row * k + col] = (v - zero) * q.scales[row * blocks + b];
    }
  }
  return w;
}

/**
 * Symmetric int8 per output channel for DynamicQuantizeMatMul / MatMulInteger: B [K, N] (transposed to the MatMul
 * layout) and one scale per column N.
 */
export function quantizeInt8(w: Float32Array, n: number, k: number): { weights: Int8Array; scales: Float32Array } {
  const weights = new Int8Array(n * k);
  const scales = new Float32Array(n);
  for (let row = 0; row < n; row++) {
    let max = 0;
    for (let i = 0; i < k; i++) max = Math.max(max, Math.abs(w[row * k + i]));
    const scale = max / 127 || 1;
    scales[row] = scale;
    const inv = 1 / scale;
    for (let i = 0; i < k; i++) weights[i * n + row] = Math.round(w[row * k + i] * inv);
  }
  return { weights, scales };
}

/** Row-major [rows, cols] → [cols, rows]: Hugging Face's [out, in] linear weights become MatMul's [in, out]. */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = w[base + c];
  }
  return out;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 → IEEE half, rounding to nearest even (as numpy and torch do); overflow becomes ±Inf. */
export function floatToHalf(values: Float32Array): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = (x >>> 23) & 0xff;
    let mant = x & 0x7fffff;
    if (exp === 0xff) {
      out[i] = sign | 0x7c00 | (mant ? 0x200 : 0);
      continue;
    }
    const e = exp - 127 + 15;
    if (e >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (e <= 0) {
      if (e < -10) {
        out[i] = sign;
        continue;
      }
      mant |= 0x800000;
      const shift = 14 - e;
      const half = mant >>> shift;
      const rest = mant & ((1 << shift) - 1);
      const mid = 1 << (shift - 1);
      out[i] = sign | (half + (rest > mid || (rest === mid && half & 1) ? 1 : 0));
      continue;
    }
    let half = (e << 10) | (mant >>> 13);
    const rest = mant & 0x1fff;
    if (rest > 0x1000 || (rest === 0x1000 && half & 1)) half++;
    out[i] = sign | half;
  }
  return out;
}
