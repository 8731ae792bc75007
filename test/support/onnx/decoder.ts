import { OnnxGraph } from '../../../src/core/onnx-format/graph';
import { quantizeInt4 } from '../../../src/core/hf-import/quantize';
import { transpose, WeightSource } from './weights';

/**
 * Llama/Qwen2-style decoder graphs built from standard opset-17 ops: RMSNorm, rotary embeddings (rotate-half
 * layout), grouped-query attention with a causal + padding mask, SwiGLU MLP, and one of the PRM families' heads.
 * The same builder serves the tests' random tiny models, the benchmark's 0.5B-shaped model and the conversion of the
 * trained stories260K checkpoint.
 */

export type HeadKind =
  /** Causal LM: `logits` [batch, sequence, vocab] (tag-token, chat-tag-token, implicit). */
  | 'lm'
  /** Qwen2.5-Math-PRM's head: Linear(hidden, hidden) → ReLU → Linear(hidden, labels): `logits` [batch, sequence, labels]. */
  | 'token-classification'
  /** Skywork-style value head: Linear(hidden, 1): `value` [batch, sequence]. */
  | 'value';

export interface DecoderConfig {
  vocab: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  ropeTheta: number;
  rmsEps: number;
  /** Qwen2 has biases on the q/k/v projections; Llama has none. */
  qkvBias: boolean;
  /** The LM head reuses the embedding matrix. */
  tieEmbeddings: boolean;
  head: HeadKind;
  labels?: number;
  /** Graph input `position_ids` (optimum exports have it); without it positions are 0…T−1. */
  positionIds?: boolean;
  /** `past_key_values.N.key/value` inputs and `present.N.key/value` outputs, as in exports with a KV cache. */
  past?: boolean;
  /** 4-bit MatMulNBits (com.microsoft) for the decoder layers' linear projections. */
  quantizeBlock?: number;
  /** Name of the head's output (default `logits`, or `value` for the value head). */
  outputName?: string;
}

export const TINY_LLAMA: Omit<DecoderConfig, 'vocab' | 'head'> = {
  hidden: 32,
  intermediate: 64,
  layers: 2,
  heads: 4,
  kvHeads: 2,
  ropeTheta: 10000,
  rmsEps: 1e-5,
  qkvBias: false,
  tieEmbeddings: false,
};

export const TINY_QWEN2: Omit<DecoderConfig, 'vocab' | 'head'> = {
  ...TINY_LLAMA,
  qkvBias: true,
  tieEmbeddings: true,
  rmsEps: 1e-6,
  ropeTheta: 1000000,
};

const BOOL = 9;
const FLOAT = 1;

export function buildDecoder(cfg: DecoderConfig, weights: WeightSource): OnnxGraph {
  const { hidden: D, heads: H, kvHeads: K } = cfg;
  if (D % H !== 0 || H % K !== 0)
    throw new Error(`buildDecoder: hidden ${D} / heads ${H} / kv heads ${K} do not divide`);
  const hd = D / H;
  const rep = H / K;
  const g = new OnnxGraph(`decoder-${cfg.head}`, 'prm-lens-tests');
  const c = (values: number[], dims?: number[]) => g.constant(values, 'int64', dims);
  const cf = (value: number) => g.constant([value], 'float', []);

  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'int64', ['batch', cfg.past ? 'total_sequence' : 'sequence']);
  const positionIds = cfg.positionIds ? g.input('position_ids', 'int64', ['batch', 'sequence']) : undefined;
  const past = cfg.past
    ? Array.from({ length: cfg.layers }, (_, i) => ({
        key: g.input(`past_key_values.${i}.key`, 'float', ['batch', K, 'past_sequence', hd]),
        value: g.input(`past_key_values.${i}.value`, 'float', ['batch', K, 'past_sequence', hd]),
      }))
    : undefined;

  // Lengths: T new tokens after P cached ones; queries sit at positions P…P+T−1, keys at 0…P+T−1.
  const scalar = (t: string) => g.node('Squeeze', [t, c([0])]);
  const T = scalar(g.node('Gather', [g.node('Shape', [ids]), c([1])]));
  const P = past ? scalar(g.node('Gather', [g.node('Shape', [past[0].key]), c([2])])) : c([0], []);
  const L = g.node('Add', [P, T]);
  const one = c([1], []);
  const keyPos = g.node('Range', [c([0], []), L, one]);
  const queryPos = g.node('Range', [P, L, one]);
  const causal = g.node('LessOrEqual', [
    g.node('Unsqueeze', [keyPos, c([0])]),
    g.node('Unsqueeze', [queryPos, c([1])]),
  ]);
  const notPadding = g.node('Unsqueeze', [g.node('Cast', [mask], { to: BOOL }), c([1, 2])]);
  // [B, 1, 1, T, L]: broadcast over kv heads and the heads sharing each of them.
  const allowed = g.node('Unsqueeze', [g.node('And', [causal, notPadding]), c([1])]);
  const masked = cf(-1e9);

  const positions = g.node('Cast', [positionIds ?? g.node('Unsqueeze', [queryPos, c([0])])], { to: FLOAT });
  const invFreq = Float32Array.from({ length: hd / 2 }, (_, i) => 1 / Math.pow(cfg.ropeTheta, (2 * i) / hd));
  const freqs = g.node('Mul', [
    g.node('Unsqueeze', [positions, c([2])]),
    g.initializer('rope.inv_freq', 'float', [hd / 2], invFreq),
  ]);
  const angles = g.node('Concat', [freqs, freqs], { axis: -1 });
  const cos = g.node('Unsqueeze', [g.node('Cos', [angles]), c([1])]);
  const sin = g.node('Unsqueeze', [g.node('Sin', [angles]), c([1])]);

  const rmsNorm = (x: string, name: string) => {
    const meanSquare = g.node('ReduceMean', [g.node('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    const inv = g.node('Reciprocal', [g.node('Sqrt', [g.node('Add', [meanSquare, cf(cfg.rmsEps)])])]);
    return g.node('Mul', [g.node('Mul', [x, inv]), g.initializer(name, 'float', [D], weights.tensor(name, [D]))]);
  };

  const linear = (
    x: string,
    name: string,
    out: number,
    inp: number,
    opts: { bias?: boolean; quantize?: boolean } = {},
  ) => {
    const w = weights.tensor(`${name}.weight`, [out, inp]);
    let y: string;
    if (opts.quantize && cfg.quantizeBlock) {
      const block = cfg.quantizeBlock;
      const { packed, scales } = quantizeInt4(w, out, inp, block, true);
      const b = g.initializer(`${name}.qweight`, 'uint8', [out, inp / block, block / 2], packed);
      const s = g.initializer(`${name}.scales`, 'float', [out, inp / block], scales);
      y = g.node('MatMulNBits', [x, b, s], { K: inp, N: out, bits: 4, block_size: block }, { domain: 'com.microsoft' });
    } else {
      y = g.node('MatMul', [x, g.initializer(`${name}.weight`, 'float', [inp, out], transpose(w, out, inp))]);
    }
    if (!opts.bias) return y;
    return g.node('Add', [y, g.initializer(`${name}.bias`, 'float', [out], weights.tensor(`${name}.bias`, [out]))]);
  };

  const rotary = (x: string) => {
    const first = g.node('Slice', [x, c([0]), c([hd / 2]), c([3])]);
    const second = g.node('Slice', [x, c([hd / 2]), c([hd]), c([3])]);
    const rotated = g.node('Concat', [g.node('Neg', [second]), first], { axis: 3 });
    return g.node('Add', [g.node('Mul', [x, cos]), g.node('Mul', [rotated, sin])]);
  };

  const embed = weights.tensor('model.embed_tokens.weight', [cfg.vocab, D]);
  let x = g.node('Gather', [g.initializer('model.embed_tokens.weight', 'float', [cfg.vocab, D], embed), ids]);
  const presents: string[] = [];

  for (let i = 0; i < cfg.layers; i++) {
    const p = `model.layers.${i}`;
    const h = rmsNorm(x, `${p}.input_layernorm.weight`);
    const quantize = { quantize: true };
    const heads = (t: string, n: number) =>
      g.node('Transpose', [g.node('Reshape', [t, c([0, 0, n, hd])])], { perm: [0, 2, 1, 3] });
    const q = rotary(heads(linear(h, `${p}.self_attn.q_proj`, H * hd, D, { bias: cfg.qkvBias, ...quantize }), H));
    let k = rotary(heads(linear(h, `${p}.self_attn.k_proj`, K * hd, D, { bias: cfg.qkvBias, ...quantize }), K));
    let v = heads(linear(h, `${p}.self_attn.v_proj`, K * hd, D, { bias: cfg.qkvBias, ...quantize }), K);
    if (past) {
      k = g.node('Concat', [past[i].key, k], { axis: 2 });
      v = g.node('Concat', [past[i].value, v], { axis: 2 });
      presents.push(
        g.node('Identity', [k], {}, { outputs: [`present.${i}.key`] }),
        g.node('Identity', [v], {}, { outputs: [`present.${i}.value`] }),
      );
    }
    // Grouped-query attention without copying K/V: queries [B, K, rep, T, hd] against keys [B, K, 1, hd, L].
    const q5 = g.node('Reshape', [q, c([0, K, rep, -1, hd])]);
    const k5 = g.node('Transpose', [g.node('Unsqueeze', [k, c([2])])], { perm: [0, 1, 2, 4, 3] });
    const v5 = g.node('Unsqueeze', [v, c([2])]);
    const scores = g.node('Div', [g.node('MatMul', [q5, k5]), cf(Math.sqrt(hd))]);
    const probs = g.node('Softmax', [g.node('Where', [allowed, scores, masked])], { axis: -1 });
    const attended = g.node('Transpose', [g.node('Reshape', [g.node('MatMul', [probs, v5]), c([0, H, -1, hd])])], {
      perm: [0, 2, 1, 3],
    });
    x = g.node('Add', [
      x,
      linear(g.node('Reshape', [attended, c([0, 0, H * hd])]), `${p}.self_attn.o_proj`, D, H * hd, quantize),
    ]);

    const m = rmsNorm(x, `${p}.post_attention_layernorm.weight`);
    const gate = linear(m, `${p}.mlp.gate_proj`, cfg.intermediate, D, quantize);
    const up = linear(m, `${p}.mlp.up_proj`, cfg.intermediate, D, quantize);
    const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
    x = g.node('Add', [x, linear(act, `${p}.mlp.down_proj`, D, cfg.intermediate, quantize)]);
  }
  x = rmsNorm(x, 'model.norm.weight');

  const outputName = cfg.outputName ?? (cfg.head === 'value' ? 'value' : 'logits');
  if (cfg.head === 'lm') {
    const lmHead = cfg.tieEmbeddings ? embed : weights.tensor('lm_head.weight', [cfg.vocab, D]);
    const w = g.initializer('lm_head.weight', 'float', [D, cfg.vocab], transpose(lmHead, cfg.vocab, D));
    g.node('MatMul', [x, w], {}, { outputs: [outputName] });
    g.output(outputName, 'float', ['batch', 'sequence', cfg.vocab]);
  } else if (cfg.head === 'token-classification') {
    const labels = cfg.labels ?? 2;
    const hiddenScore = g.node('Relu', [linear(x, 'score.0', D, D, { bias: true })]);
    g.node('Identity', [linear(hiddenScore, 'score.2', labels, D, { bias: true })], {}, { outputs: [outputName] });
    g.output(outputName, 'float', ['batch', 'sequence', labels]);
  } else {
    g.node('Squeeze', [linear(x, 'v_head.summary', 1, D, { bias: true }), c([2])], {}, { outputs: [outputName] });
    g.output(outputName, 'float', ['batch', 'sequence']);
  }
  for (const name of presents) g.output(name, 'float', ['batch', K, 'total_sequence', hd]);
  return g;
}
