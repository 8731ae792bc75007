import { halfToFloat } from '../../../src/core/critics/onnx/scores';
import { WeightFormat } from '../../../src/core/hf-import/graph';
import { floatToHalf, quantizeInt4, quantizeInt8 } from '../../../src/core/hf-import/quantize';
import { DecoderConfig } from '../onnx/decoder';
import { WeightSource } from '../onnx/weights';

/**
 * The weights an imported graph multiplies by at a given format: the decoder's projections and the LM head
 * quantized and dequantized as the importer stores them, the embedding table as float16 outside fp32, norms, biases
 * and the PRM heads unchanged. A reference forward over these isolates the graph's arithmetic from the rounding.
 */
export function asImported(
  weights: WeightSource,
  cfg: DecoderConfig,
  format: WeightFormat,
  int4Symmetric = true,
): { cfg: DecoderConfig; weights: WeightSource } {
  const projection = /\.(q_proj|k_proj|v_proj|o_proj|gate_proj|up_proj|down_proj)\.weight$|^lm_head\.weight$/;
  const round = (w: Float32Array, shape: readonly number[]): Float32Array => {
    const [n, k] = shape;
    if (format === 'fp16') return halfToFloat(floatToHalf(w));
    if (format === 'int8') {
      const { weights: q, scales } = quantizeInt8(w, n, k);
      return Float32Array.from(
        { length: n * k },
        (_, i) => q[(i % k) * n + Math.floor(i / k)] * scales[Math.floor(i / k)],
      );
    }
    if (format === 'int4') {
      const block = 32;
      const { packed, scales, zeroPoints } = quantizeInt4(w, n, k, block, int4Symmetric);
      const blocks = k / block;
      const zpStride = Math.ceil(blocks / 2);
      return Float32Array.from({ length: n * k }, (_, i) => {
        const row = Math.floor(i / k);
        const b = Math.floor((i % k) / block);
        const q = i % 2 === 0 ? packed[i >> 1] & 0x0f : packed[i >> 1] >> 4;
        const zero = zeroPoints ? (zeroPoints[row * zpStride + (b >> 1)] >> ((b & 1) * 4)) & 0x0f : 8;
        return (q - zero) * scales[row * blocks + b];
      });
    }
    return w;
  };
  const tied = cfg.head === 'lm' && cfg.tieEmbeddings;
  const source: WeightSource = {
    tensor(name, shape) {
      if (name === 'lm_head.weight' && tied) return round(weights.tensor('model.embed_tokens.weight', shape), shape);
      const w = weights.tensor(name, shape);
      if (name === 'model.embed_tokens.weight') return format === 'fp32' ? w : halfToFloat(floatToHalf(w));
      return projection.test(name) ? round(w, shape) : w;
    },
  };
  // A tied LM head is quantized apart from the (float16) embedding table: the reference reads them apart too.
  return { cfg: { ...cfg, tieEmbeddings: false }, weights: source };
}
