import { halfToFloat } from '../../../src/core/critics/onnx/scores';
import { WeightFormat } from '../../../src/core/hf-import/graph';
import { dequantizeInt4, floatToHalf, quantizeInt4, quantizeInt8 } from '../../../src/core/hf-import/quantize';
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
    if (format === 'int4') return dequantizeInt4(quantizeInt4(w, n, k, 32, int4Symmetric), n, k, 32);
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
