import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { halfToFloat } from '../../../src/core/critics/onnx/scores';
import { floatToHalf } from '../../../src/core/hf-import/quantize';
import { DecoderConfig, HeadKind, TINY_LLAMA, TINY_QWEN2 } from '../onnx/decoder';
import { TEST_TOKENIZER_CONFIG, testTokenizer, VOCAB } from '../onnx/fixtures';
import { RandomWeights, WeightSource } from '../onnx/weights';
import { floatToBf16, StoredDtype, TensorToWrite, writeSafetensors } from './safetensors';

/**
 * Tiny Hugging Face checkpoints with random weights, written as transformers saves them: config.json, safetensors
 * (one file or shards with model.safetensors.index.json), tokenizer.json and tokenizer_config.json. The returned
 * weights are the stored ones (rounded to the file's dtype), so the reference forward sees what the import reads.
 */

export type Family = 'qwen2' | 'llama' | 'mistral';

export interface HfCheckpointOptions {
  family: Family;
  head: HeadKind;
  dtype?: StoredDtype;
  shards?: number;
  seed?: number;
  /** Decoder overrides (hidden, layers, …). */
  model?: Partial<DecoderConfig>;
  /** Llama 3.x rope_scaling written to config.json. */
  ropeScaling?: {
    factor: number;
    low_freq_factor: number;
    high_freq_factor: number;
    original_max_position_embeddings: number;
  };
  slidingWindow?: number;
  maxPositions?: number;
  /** config.json fields written as given (mutation tests: a wrong rope_theta, an unknown architecture). */
  configOverrides?: Record<string, unknown>;
  /** Mutations of the stored tensors: rename one, store one transposed, leave some out. */
  rename?: Record<string, string>;
  transposeTensor?: string;
  drop?: string[];
  /** Spread of the random weights (default 0.3; deep models need less to stay finite). */
  scale?: number;
  /** false: do not keep the weights for a reference (large benchmark models). */
  keepWeights?: boolean;
  /** Leave tokenizer.json out. */
  noTokenizer?: boolean;
}

const ARCHITECTURE: Record<Family, Partial<Record<HeadKind, string>>> = {
  qwen2: { lm: 'Qwen2ForCausalLM', 'token-classification': 'Qwen2ForProcessRewardModel', value: 'Qwen2ForPrmModel' },
  llama: { lm: 'LlamaForCausalLM', 'token-classification': 'LlamaForTokenClassification' },
  mistral: { lm: 'MistralForCausalLM', 'token-classification': 'MistralForTokenClassification' },
};

/** Every tensor of the checkpoint, named and shaped as in the model's reference code. */
export function checkpointTensors(cfg: DecoderConfig): { name: string; shape: number[] }[] {
  const { hidden: D, heads: H, kvHeads: K, intermediate: I } = cfg;
  const hd = D / H;
  const out: { name: string; shape: number[] }[] = [{ name: 'model.embed_tokens.weight', shape: [cfg.vocab, D] }];
  for (let i = 0; i < cfg.layers; i++) {
    const p = `model.layers.${i}`;
    out.push({ name: `${p}.input_layernorm.weight`, shape: [D] });
    for (const [proj, n] of [
      ['q_proj', H * hd],
      ['k_proj', K * hd],
      ['v_proj', K * hd],
    ] as const) {
      out.push({ name: `${p}.self_attn.${proj}.weight`, shape: [n, D] });
      if (cfg.qkvBias) out.push({ name: `${p}.self_attn.${proj}.bias`, shape: [n] });
    }
    out.push({ name: `${p}.self_attn.o_proj.weight`, shape: [D, H * hd] });
    out.push({ name: `${p}.post_attention_layernorm.weight`, shape: [D] });
    out.push({ name: `${p}.mlp.gate_proj.weight`, shape: [I, D] });
    out.push({ name: `${p}.mlp.up_proj.weight`, shape: [I, D] });
    out.push({ name: `${p}.mlp.down_proj.weight`, shape: [D, I] });
  }
  out.push({ name: 'model.norm.weight', shape: [D] });
  const labels = cfg.labels ?? 2;
  if (cfg.head === 'lm' && !cfg.tieEmbeddings) out.push({ name: 'lm_head.weight', shape: [cfg.vocab, D] });
  if (cfg.head === 'token-classification')
    out.push(
      { name: 'score.0.weight', shape: [D, D] },
      { name: 'score.0.bias', shape: [D] },
      { name: 'score.2.weight', shape: [labels, D] },
      { name: 'score.2.bias', shape: [labels] },
    );
  if (cfg.head === 'value')
    out.push({ name: 'v_head.summary.weight', shape: [1, D] }, { name: 'v_head.summary.bias', shape: [1] });
  return out;
}

/** The values a dtype stores for `data`. */
export function roundTo(data: Float32Array, dtype: StoredDtype): Float32Array {
  if (dtype === 'F32') return data;
  if (dtype === 'F16') return halfToFloat(floatToHalf(data));
  const bits = floatToBf16(data);
  const out = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i++) out[i] = bits[i] << 16;
  return new Float32Array(out.buffer);
}

class StoredWeights implements WeightSource {
  constructor(private readonly tensors: Map<string, Float32Array>) {}
  tensor(name: string): Float32Array {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`no stored tensor ${name}`);
    return t;
  }
}

export function writeHfCheckpoint(
  dir: string,
  opts: HfCheckpointOptions,
): { cfg: DecoderConfig; weights: WeightSource } {
  mkdirSync(dir, { recursive: true });
  const dtype = opts.dtype ?? 'F32';
  const cfg: DecoderConfig = {
    ...(opts.family === 'qwen2' ? TINY_QWEN2 : TINY_LLAMA),
    vocab: VOCAB,
    head: opts.head,
    ...(opts.family === 'qwen2' ? {} : { tieEmbeddings: false }),
    ...opts.model,
  };
  const random = new RandomWeights(opts.seed ?? 5, opts.scale ?? 0.3);
  const stored = new Map<string, Float32Array>();
  const tensor = (name: string, shape: number[]): TensorToWrite => {
    const data = roundTo(random.tensor(name, shape), dtype);
    if (opts.keepWeights !== false) stored.set(name, data);
    if (opts.transposeTensor !== name) return { name: opts.rename?.[name] ?? name, shape, data };
    const written = new Float32Array(data.length);
    for (let r = 0; r < shape[0]; r++)
      for (let c = 0; c < shape[1]; c++) written[c * shape[0] + r] = data[r * shape[1] + c];
    // Square projections keep their shape: only the values' layout tells the transposition.
    return { name: opts.rename?.[name] ?? name, shape: [shape[1], shape[0]], data: written };
  };
  const names = checkpointTensors(cfg).filter((t) => !opts.drop?.includes(t.name));

  // Shard by shard, each shard's tensors generated just before it is written: a 0.5B model fits in memory.
  const shards = opts.shards ?? 1;
  if (shards === 1)
    writeSafetensors(
      path.join(dir, 'model.safetensors'),
      names.map((t) => tensor(t.name, t.shape)),
      dtype,
    );
  else {
    const weightMap: Record<string, string> = {};
    const per = Math.ceil(names.length / shards);
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const part = names.slice(s * per, (s + 1) * per).map((t) => tensor(t.name, t.shape));
      writeSafetensors(path.join(dir, file), part, dtype);
      for (const t of part) weightMap[t.name] = file;
    }
    writeFileSync(
      path.join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }, null, 2),
    );
  }

  const config: Record<string, unknown> = {
    architectures: [ARCHITECTURE[opts.family][opts.head] ?? ARCHITECTURE[opts.family].lm],
    model_type: opts.family,
    vocab_size: cfg.vocab,
    hidden_size: cfg.hidden,
    intermediate_size: cfg.intermediate,
    num_hidden_layers: cfg.layers,
    num_attention_heads: cfg.heads,
    num_key_value_heads: cfg.kvHeads,
    hidden_act: 'silu',
    max_position_embeddings: opts.maxPositions ?? 256,
    rms_norm_eps: cfg.rmsEps,
    rope_theta: cfg.ropeTheta,
    tie_word_embeddings: cfg.tieEmbeddings,
    torch_dtype: dtype === 'F32' ? 'float32' : dtype === 'F16' ? 'float16' : 'bfloat16',
    ...(opts.ropeScaling ? { rope_scaling: { ...opts.ropeScaling, rope_type: 'llama3' } } : {}),
    ...(opts.family === 'mistral' ? { sliding_window: opts.slidingWindow ?? null } : {}),
    ...(opts.family === 'llama' ? { attention_bias: false, mlp_bias: false } : {}),
    ...(cfg.head === 'token-classification' ? { num_labels: cfg.labels ?? 2 } : {}),
    ...opts.configOverrides,
  };
  writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  if (!opts.noTokenizer) writeFileSync(path.join(dir, 'tokenizer.json'), testTokenizer().json);
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(TEST_TOKENIZER_CONFIG));
  return { cfg, weights: new StoredWeights(stored) };
}
