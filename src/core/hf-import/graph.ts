import { OnnxGraph } from '../onnx-format/graph';
import { Checkpoint } from './checkpoint';
import { DecoderSpec, HeadKind, inverseFrequencies } from './config';
import { floatToHalf, quantizeInt4, quantizeInt8, transpose } from './quantize';
import { CheckpointError } from './safetensors';

/**
 * The imported decoder as onnxruntime's fused CPU operators (com.microsoft): SimplifiedLayerNormalization and
 * SkipSimplifiedLayerNormalization (RMSNorm, with the residual add), GroupQueryAttention with packed QKV, rotary
 * embedding from a cos/sin cache and the causal mask inside the kernel, and the linear layers as MatMul (fp32, fp16
 * storage), DynamicQuantizeMatMul (int8) or MatMulNBits (int4). Inputs `input_ids` and `attention_mask` [batch,
 * sequence]: rows padded on the right, as PRM Lens batches them (each row's length comes from its mask).
 */

export type WeightFormat = 'int4' | 'int8' | 'fp16' | 'fp32';

export interface GraphOptions {
  weights: WeightFormat;
  /** int4: block size of MatMulNBits (32) and whether blocks carry zero points. */
  int4Block?: number;
  int4Symmetric?: boolean;
  /** MatMulNBits accuracy_level: 0 computes in float32, 4 quantizes activations to int8. */
  int4AccuracyLevel?: number;
  /** Rows of the rotary cos/sin cache: the longest input the graph takes. */
  maxPositions: number;
  /** Called after each checkpoint tensor is read; the build waits for it (a chance to yield) and stops if it throws. */
  onTensor(name: string, bytes: number): Promise<void>;
}

export interface HeadPlan {
  kind: HeadKind;
  /** token-classification: number of labels; `layout` says which names the checkpoint uses. */
  labels?: number;
  layout?: 'score-mlp' | 'score-linear';
  /** score-linear: whether the checkpoint has `score.bias`. */
  scoreBias?: boolean;
}

/** Which head the checkpoint's tensors hold, checked against the chosen kind. */
export function planHead(kind: HeadKind, spec: DecoderSpec, ckpt: Checkpoint): HeadPlan {
  const D = spec.hidden;
  if (kind === 'lm') {
    if (!spec.tieEmbeddings && !ckpt.has('lm_head.weight'))
      throw new CheckpointError(
        `${ckpt.folder}: no "lm_head.weight" for the causal-LM head and config.json does not tie word embeddings (tie_word_embeddings); choose the head that matches the checkpoint (--head token-classification or value)`,
      );
    return { kind };
  }
  if (kind === 'value') {
    if (!ckpt.has('v_head.summary.weight'))
      throw new CheckpointError(
        `${ckpt.folder}: no "v_head.summary.weight": a value head (Skywork's PRM) is a Linear(hidden, 1) saved as v_head.summary`,
      );
    return { kind };
  }
  const mlp = ckpt.shape('score.2.weight');
  if (ckpt.has('score.0.weight') && mlp) return { kind, labels: mlp[0], layout: 'score-mlp' };
  const linear = ckpt.shape('score.weight');
  if (linear && linear[1] === D)
    return { kind, labels: linear[0], layout: 'score-linear', scoreBias: ckpt.has('score.bias') };
  throw new CheckpointError(
    `${ckpt.folder}: no token-classification head: expected "score.0.weight" and "score.2.weight" (Qwen2.5-Math-PRM's Linear(hidden, hidden), ReLU, Linear(hidden, labels)) or "score.weight" (transformers' *ForTokenClassification)`,
  );
}

/** Tensors the graph reads: every one must exist; the rest of the checkpoint is reported as ignored. */
export function tensorNames(spec: DecoderSpec, head: HeadPlan): string[] {
  const names = ['model.embed_tokens.weight'];
  for (let i = 0; i < spec.layers; i++) {
    const p = `model.layers.${i}`;
    names.push(`${p}.input_layernorm.weight`);
    for (const proj of ['q_proj', 'k_proj', 'v_proj']) {
      names.push(`${p}.self_attn.${proj}.weight`);
      if (spec.qkvBias) names.push(`${p}.self_attn.${proj}.bias`);
    }
    names.push(`${p}.self_attn.o_proj.weight`);
    if (spec.oBias) names.push(`${p}.self_attn.o_proj.bias`);
    names.push(`${p}.post_attention_layernorm.weight`);
    for (const proj of ['gate_proj', 'up_proj', 'down_proj']) {
      names.push(`${p}.mlp.${proj}.weight`);
      if (spec.mlpBias) names.push(`${p}.mlp.${proj}.bias`);
    }
  }
  names.push('model.norm.weight');
  if (head.kind === 'lm' && !spec.tieEmbeddings) names.push('lm_head.weight');
  if (head.kind === 'value') names.push('v_head.summary.weight', 'v_head.summary.bias');
  if (head.layout === 'score-mlp') names.push('score.0.weight', 'score.0.bias', 'score.2.weight', 'score.2.bias');
  if (head.layout === 'score-linear') names.push('score.weight', ...(head.scoreBias ? ['score.bias'] : []));
  return names;
}

/** onnxruntime's CPU GroupQueryAttention takes head sizes that are multiples of 16 (every released 7B/8B model). */
export function fusedAttention(spec: Pick<DecoderSpec, 'headDim'>): boolean {
  return spec.headDim % 16 === 0;
}

type BasicAttention = (qkv: string) => string;

/**
 * Attention from standard operators, for head sizes GroupQueryAttention does not take (tiny models such as
 * stories260K): rotate-half rotary embedding from the same cos/sin cache, a causal (and sliding-window) mask combined
 * with the padding mask, and grouped queries against their shared key/value head without copying them.
 */
function basicAttention(
  g: OnnxGraph,
  spec: DecoderSpec,
  ids: string,
  mask: string,
  cosCache: string,
  sinCache: string,
): BasicAttention {
  const { heads: H, kvHeads: K, headDim: hd } = spec;
  const rep = H / K;
  const c = (values: number[], dims?: number[]) => g.constant(values, 'int64', dims);
  const S = g.node('Squeeze', [g.node('Gather', [g.node('Shape', [ids]), c([1])]), c([0])]);
  const pos = g.node('Range', [c([0], []), S, c([1], [])]);
  const keyPos = g.node('Unsqueeze', [pos, c([0])]);
  const queryPos = g.node('Unsqueeze', [pos, c([1])]);
  let allowed = g.node('LessOrEqual', [keyPos, queryPos]);
  if (spec.slidingWindow !== undefined)
    allowed = g.node('And', [
      allowed,
      g.node('Greater', [keyPos, g.node('Sub', [queryPos, c([spec.slidingWindow], [])])]),
    ]);
  const notPadding = g.node('Unsqueeze', [g.node('Cast', [mask], { to: 9 }), c([1, 2, 3])]);
  // [B, 1, 1, S, S]: broadcast over kv heads and the query heads sharing each.
  const allowed5 = g.node('And', [g.node('Unsqueeze', [allowed, c([0, 1, 2])]), notPadding]);
  const table = (cache: string) => {
    const half = g.node('Gather', [cache, pos]);
    return g.node('Concat', [half, half], { axis: -1 });
  };
  const cos = table(cosCache);
  const sin = table(sinCache);
  const rotary = (x: string) => {
    const first = g.node('Slice', [x, c([0]), c([hd / 2]), c([3])]);
    const second = g.node('Slice', [x, c([hd / 2]), c([hd]), c([3])]);
    const rotated = g.node('Concat', [g.node('Neg', [second]), first], { axis: 3 });
    return g.node('Add', [g.node('Mul', [x, cos]), g.node('Mul', [rotated, sin])]);
  };
  const heads = (t: string, n: number) =>
    g.node('Transpose', [g.node('Reshape', [t, c([0, 0, n, hd])])], { perm: [0, 2, 1, 3] });
  const masked = g.constant([-1e9], 'float', []);
  const scale = g.constant([Math.sqrt(hd)], 'float', []);
  return (qkv) => {
    const [qPart, kPart, vPart] = g.nodeOutputs(
      'Split',
      [qkv, c([H * hd, K * hd, K * hd])],
      { axis: -1 },
      { outputs: 3 },
    );
    const q5 = g.node('Reshape', [rotary(heads(qPart, H)), c([0, K, rep, -1, hd])]);
    const k5 = g.node('Transpose', [g.node('Unsqueeze', [rotary(heads(kPart, K)), c([2])])], { perm: [0, 1, 2, 4, 3] });
    const v5 = g.node('Unsqueeze', [heads(vPart, K), c([2])]);
    const scores = g.node('Div', [g.node('MatMul', [q5, k5]), scale]);
    const probs = g.node('Softmax', [g.node('Where', [allowed5, scores, masked])], { axis: -1 });
    const out = g.node('Reshape', [g.node('MatMul', [probs, v5]), c([0, H, -1, hd])]);
    return g.node('Reshape', [g.node('Transpose', [out], { perm: [0, 2, 1, 3] }), c([0, 0, H * hd])]);
  };
}

/** Adds the whole decoder to `g` (whose weights should be streamed), reading tensors one at a time. */
export async function buildImportedGraph(
  g: OnnxGraph,
  spec: DecoderSpec,
  head: HeadPlan,
  ckpt: Checkpoint,
  opts: GraphOptions,
): Promise<void> {
  const { hidden: D, heads: H, kvHeads: K, headDim: hd, intermediate: I } = spec;
  const c = (values: number[], dims?: number[]) => g.constant(values, 'int64', dims);
  const read = async (name: string, shape: number[]): Promise<Float32Array> => {
    const data = ckpt.read(name, shape);
    await opts.onTensor(name, data.byteLength);
    return data;
  };
  const MS = { domain: 'com.microsoft' };

  const ids = g.input('input_ids', 'int64', ['batch', 'sequence']);
  const mask = g.input('attention_mask', 'int64', ['batch', 'sequence']);
  // GroupQueryAttention takes each row's length − 1 and the padded length, both int32.
  const seqlensK = g.node('Cast', [g.node('Sub', [g.node('ReduceSum', [mask, c([1])], { keepdims: 0 }), c([1], [])])], {
    to: 6,
  });
  const totalLength = g.node(
    'Cast',
    [g.node('Squeeze', [g.node('Gather', [g.node('Shape', [ids]), c([1])]), c([0])])],
    {
      to: 6,
    },
  );

  const inv = inverseFrequencies(spec);
  const cos = new Float32Array(opts.maxPositions * (hd / 2));
  const sin = new Float32Array(opts.maxPositions * (hd / 2));
  for (let p = 0; p < opts.maxPositions; p++) {
    for (let j = 0; j < hd / 2; j++) {
      // float32 products, as transformers computes position × inv_freq.
      const angle = Math.fround(p * Math.fround(inv[j]));
      cos[p * (hd / 2) + j] = Math.cos(angle);
      sin[p * (hd / 2) + j] = Math.sin(angle);
    }
  }
  const cosCache = g.initializer('rotary.cos_cache', 'float', [opts.maxPositions, hd / 2], cos);
  const sinCache = g.initializer('rotary.sin_cache', 'float', [opts.maxPositions, hd / 2], sin);

  /** x [B, S, inp] × W^T for an HF [out, inp] weight, in the chosen format. */
  const matmul = (x: string, name: string, w: Float32Array, out: number, inp: number, format: WeightFormat) => {
    if (format === 'int4') {
      const block = opts.int4Block ?? 32;
      const { packed, scales, zeroPoints } = quantizeInt4(w, out, inp, block, opts.int4Symmetric ?? true);
      const blocks = Math.ceil(inp / block);
      const inputs = [
        x,
        g.initializer(`${name}.q4`, 'uint8', [out, blocks, block / 2], packed),
        g.initializer(`${name}.scales`, 'float', [out * blocks], scales),
      ];
      if (zeroPoints) inputs.push(g.initializer(`${name}.zero_points`, 'uint8', [zeroPoints.length], zeroPoints));
      return g.node(
        'MatMulNBits',
        inputs,
        { K: inp, N: out, bits: 4, block_size: block, accuracy_level: opts.int4AccuracyLevel ?? 0 },
        MS,
      );
    }
    if (format === 'int8') {
      const { weights, scales } = quantizeInt8(w, out, inp);
      return g.node(
        'DynamicQuantizeMatMul',
        [
          x,
          g.initializer(`${name}.q8`, 'int8', [inp, out], weights),
          g.initializer(`${name}.scale`, 'float', [out], scales),
        ],
        {},
        MS,
      );
    }
    const t = transpose(w, out, inp);
    if (format === 'fp16') {
      const half = g.initializer(`${name}.fp16`, 'float16', [inp, out], floatToHalf(t));
      return g.node('MatMul', [x, g.node('Cast', [half], { to: 1 })]);
    }
    return g.node('MatMul', [x, g.initializer(name, 'float', [inp, out], t)]);
  };
  const addBias = (y: string, name: string, bias: Float32Array | undefined) =>
    bias ? g.node('Add', [y, g.initializer(name, 'float', [bias.length], bias)]) : y;
  const linear = async (x: string, prefix: string, out: number, inp: number, bias: boolean, format = opts.weights) => {
    const w = await read(`${prefix}.weight`, [out, inp]);
    return addBias(
      matmul(x, `${prefix}.weight`, w, out, inp, format),
      `${prefix}.bias`,
      bias ? await read(`${prefix}.bias`, [out]) : undefined,
    );
  };
  const norm = async (name: string) => g.initializer(name, 'float', [D], await read(name, [D]));
  const eps = { epsilon: { f: spec.rmsEps } };

  const embed = await read('model.embed_tokens.weight', [spec.vocab, D]);
  // fp32 keeps the table in float; the other formats store it as float16 (a Gather of half the bytes, then a Cast).
  let x =
    opts.weights === 'fp32'
      ? g.node('Gather', [g.initializer('model.embed_tokens.weight', 'float', [spec.vocab, D], embed), ids])
      : g.node(
          'Cast',
          [
            g.node('Gather', [
              g.initializer('model.embed_tokens.fp16', 'float16', [spec.vocab, D], floatToHalf(embed)),
              ids,
            ]),
          ],
          { to: 1 },
        );
  const lmWeight = head.kind === 'lm' && spec.tieEmbeddings ? embed : undefined;

  let h = g.node('SimplifiedLayerNormalization', [x, await norm('model.layers.0.input_layernorm.weight')], {
    axis: -1,
    ...eps,
  });
  const fused = fusedAttention(spec);
  const basic = fused ? undefined : basicAttention(g, spec, ids, mask, cosCache, sinCache);
  // Both count the query itself: transformers' mask keeps keys k > q − sliding_window, as local_window_size does.
  const window = spec.slidingWindow !== undefined && spec.slidingWindow < opts.maxPositions ? spec.slidingWindow : -1;
  for (let i = 0; i < spec.layers; i++) {
    const p = `model.layers.${i}`;
    // q, k and v as one [D, (H + 2K)·hd] projection: one MatMul and GroupQueryAttention's packed input.
    const q = await read(`${p}.self_attn.q_proj.weight`, [H * hd, D]);
    const k = await read(`${p}.self_attn.k_proj.weight`, [K * hd, D]);
    const v = await read(`${p}.self_attn.v_proj.weight`, [K * hd, D]);
    const qkvW = new Float32Array(q.length + k.length + v.length);
    qkvW.set(q);
    qkvW.set(k, q.length);
    qkvW.set(v, q.length + k.length);
    const qkvOut = (H + 2 * K) * hd;
    let qkvBias: Float32Array | undefined;
    if (spec.qkvBias) {
      qkvBias = new Float32Array(qkvOut);
      qkvBias.set(await read(`${p}.self_attn.q_proj.bias`, [H * hd]));
      qkvBias.set(await read(`${p}.self_attn.k_proj.bias`, [K * hd]), H * hd);
      qkvBias.set(await read(`${p}.self_attn.v_proj.bias`, [K * hd]), (H + K) * hd);
    }
    const qkv = addBias(
      matmul(h, `${p}.self_attn.qkv_proj.weight`, qkvW, qkvOut, D, opts.weights),
      `${p}.self_attn.qkv_proj.bias`,
      qkvBias,
    );
    const attended = fused
      ? g.node(
          'GroupQueryAttention',
          [qkv, '', '', '', '', seqlensK, totalLength, cosCache, sinCache],
          { num_heads: H, kv_num_heads: K, do_rotary: 1, rotary_interleaved: 0, local_window_size: window },
          { ...MS, outputs: 3 },
        )
      : (basic as BasicAttention)(qkv);
    const o = await linear(attended, `${p}.self_attn.o_proj`, D, H * hd, spec.oBias);
    const [m, , , residual] = g.nodeOutputs(
      'SkipSimplifiedLayerNormalization',
      [o, x, await norm(`${p}.post_attention_layernorm.weight`)],
      eps,
      { ...MS, outputs: 4 },
    );
    const gate = await linear(m, `${p}.mlp.gate_proj`, I, D, spec.mlpBias);
    const up = await linear(m, `${p}.mlp.up_proj`, I, D, spec.mlpBias);
    const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
    const down = await linear(act, `${p}.mlp.down_proj`, D, I, spec.mlpBias);
    const nextNorm = i + 1 < spec.layers ? `model.layers.${i + 1}.input_layernorm.weight` : 'model.norm.weight';
    [h, , , x] = g.nodeOutputs('SkipSimplifiedLayerNormalization', [down, residual, await norm(nextNorm)], eps, {
      ...MS,
      outputs: 4,
    });
  }

  if (head.kind === 'lm') {
    const w = lmWeight ?? (await read('lm_head.weight', [spec.vocab, D]));
    g.node('Identity', [matmul(h, 'lm_head.weight', w, spec.vocab, D, opts.weights)], {}, { outputs: ['logits'] });
    g.output('logits', 'float', ['batch', 'sequence', spec.vocab]);
  } else if (head.kind === 'token-classification') {
    const labels = head.labels as number;
    // The head is small and decides the scores: it stays float32 at every precision.
    const logits =
      head.layout === 'score-mlp'
        ? await linear(
            g.node('Relu', [await linear(h, 'score.0', D, D, true, 'fp32')]),
            'score.2',
            labels,
            D,
            true,
            'fp32',
          )
        : addBias(
            matmul(h, 'score.weight', await read('score.weight', [labels, D]), labels, D, 'fp32'),
            'score.bias',
            head.scoreBias ? await read('score.bias', [labels]) : undefined,
          );
    g.node('Identity', [logits], {}, { outputs: ['logits'] });
    g.output('logits', 'float', ['batch', 'sequence', labels]);
  } else {
    const value = await linear(h, 'v_head.summary', 1, D, true, 'fp32');
    g.node('Squeeze', [value, c([2])], {}, { outputs: ['value'] });
    g.output('value', 'float', ['batch', 'sequence']);
  }
}
