import { seededRandom } from '../../../src/core/util/random';

export { seededRandom };

/** Weights for the test decoders, named and laid out as in Hugging Face checkpoints (linear layers [out, in]). */
export interface WeightSource {
  tensor(name: string, shape: readonly number[]): Float32Array;
}

/**
 * Random weights: norms near 1, everything else uniform in ±scale. Each tensor's numbers depend only on the seed and
 * its name, so two models built from the same seed share every tensor they both have. The default scale is large
 * enough that a tiny model's outputs vary from token to token (a score read at the wrong position differs).
 */
export class RandomWeights implements WeightSource {
  constructor(
    private readonly seed: number,
    private readonly scale = 0.3,
  ) {}

  tensor(name: string, shape: readonly number[]): Float32Array {
    let h = this.seed >>> 0;
    for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
    const random = seededRandom(h);
    const out = new Float32Array(shape.reduce((a, b) => a * b, 1));
    const isNorm = /norm/.test(name);
    for (let i = 0; i < out.length; i++) {
      const u = random() * 2 - 1;
      out[i] = isNorm ? 1 + 0.1 * u : this.scale * u;
    }
    return out;
  }
}

/** Row-major [rows, cols] → [cols, rows]: Hugging Face's [out, in] linear weights become MatMul's [in, out]. */
export function transpose(w: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = w[r * cols + c];
  return out;
}

/**
 * Symmetric 4-bit block quantization in onnxruntime's MatMulNBits layout: weights [N=out, K=in] become
 * B [N, K/block, block/2] (low nibble first, zero point 8) and scales [N, K/block].
 */
export function quantize4(
  w: Float32Array,
  n: number,
  k: number,
  block: number,
): { packed: Uint8Array; scales: Float32Array } {
  if (k % block !== 0) throw new Error(`quantize4: K=${k} is not a multiple of the block size ${block}`);
  const blocks = k / block;
  const packed = new Uint8Array((n * k) / 2);
  const scales = new Float32Array(n * blocks);
  for (let row = 0; row < n; row++) {
    for (let b = 0; b < blocks; b++) {
      const base = row * k + b * block;
      let max = 0;
      for (let i = 0; i < block; i++) max = Math.max(max, Math.abs(w[base + i]));
      const scale = max / 7 || 1;
      scales[row * blocks + b] = scale;
      for (let i = 0; i < block; i += 2) {
        const q0 = Math.min(15, Math.max(0, Math.round(w[base + i] / scale) + 8));
        const q1 = Math.min(15, Math.max(0, Math.round(w[base + i + 1] / scale) + 8));
        packed[(base + i) / 2] = q0 | (q1 << 4);
      }
    }
  }
  return { packed, scales };
}

/** The weights a MatMulNBits node actually multiplies by: (q − 8) · scale, laid out [N, K]. */
export function dequantize4(
  packed: Uint8Array,
  scales: Float32Array,
  n: number,
  k: number,
  block: number,
): Float32Array {
  const out = new Float32Array(n * k);
  for (let i = 0; i < n * k; i++) {
    const q = i % 2 === 0 ? packed[i >> 1] & 0x0f : packed[i >> 1] >> 4;
    out[i] = (q - 8) * scales[Math.floor(i / block)];
  }
  return out;
}
