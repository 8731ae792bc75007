import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DecoderConfig } from '../test/support/onnx/decoder';
import { WeightSource } from '../test/support/onnx/weights';

/**
 * Hugging Face model folders written the way transformers' `save_pretrained` writes them (config.json, safetensors
 * with transformers' weight names, shards with an index), from a decoder configuration and a weight source. The
 * import validations and the PyTorch comparison feed these to the converter and to the PyTorch reference.
 */

export type SafetensorsDtype = 'F32' | 'BF16';

export interface TensorSpec {
  name: string;
  shape: number[];
}

/** Every tensor a transformers checkpoint of this decoder holds, in its module order. */
export function checkpointTensors(cfg: DecoderConfig): TensorSpec[] {
  const { hidden: D, heads: H, kvHeads: K, intermediate: I } = cfg;
  const hd = D / H;
  const specs: TensorSpec[] = [{ name: 'model.embed_tokens.weight', shape: [cfg.vocab, D] }];
  for (let l = 0; l < cfg.layers; l++) {
    const p = `model.layers.${l}`;
    specs.push({ name: `${p}.input_layernorm.weight`, shape: [D] });
    for (const [proj, rows] of [
      ['q_proj', H * hd],
      ['k_proj', K * hd],
      ['v_proj', K * hd],
    ] as const) {
      specs.push({ name: `${p}.self_attn.${proj}.weight`, shape: [rows, D] });
      if (cfg.qkvBias) specs.push({ name: `${p}.self_attn.${proj}.bias`, shape: [rows] });
    }
    specs.push(
      { name: `${p}.self_attn.o_proj.weight`, shape: [D, H * hd] },
      { name: `${p}.post_attention_layernorm.weight`, shape: [D] },
      { name: `${p}.mlp.gate_proj.weight`, shape: [I, D] },
      { name: `${p}.mlp.up_proj.weight`, shape: [I, D] },
      { name: `${p}.mlp.down_proj.weight`, shape: [D, I] },
    );
  }
  specs.push({ name: 'model.norm.weight', shape: [D] });
  // Skywork's checkpoint is a causal LM plus its value head, so it keeps lm_head when the embedding is not tied.
  if (cfg.head !== 'token-classification' && !cfg.tieEmbeddings)
    specs.push({ name: 'lm_head.weight', shape: [cfg.vocab, D] });
  if (cfg.head === 'token-classification') {
    const labels = cfg.labels ?? 2;
    specs.push(
      { name: 'score.0.weight', shape: [D, D] },
      { name: 'score.0.bias', shape: [D] },
      { name: 'score.2.weight', shape: [labels, D] },
      { name: 'score.2.bias', shape: [labels] },
    );
  } else if (cfg.head === 'value') {
    specs.push({ name: 'v_head.summary.weight', shape: [1, D] }, { name: 'v_head.summary.bias', shape: [1] });
  }
  return specs;
}

/** float32 → bfloat16 bits, rounding to nearest even as torch's `.to(torch.bfloat16)` does. */
export function toBfloat16(values: Float32Array): Uint16Array {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < bits.length; i++) {
    const b = bits[i];
    out[i] = (b & 0x7fffffff) > 0x7f800000 ? (b >>> 16) | 0x40 : (b + 0x7fff + ((b >>> 16) & 1)) >>> 16;
  }
  return out;
}

function bytesOf(spec: TensorSpec, dtype: SafetensorsDtype): number {
  return spec.shape.reduce((a, b) => a * b, 1) * (dtype === 'F32' ? 4 : 2);
}

/**
 * One safetensors file, written tensor by tensor so a 0.5B model never sits in memory whole: an 8-byte little-endian
 * header length, the JSON header (padded with spaces to 8 bytes, as the Rust writer does), then the data.
 */
export function writeSafetensors(
  file: string,
  specs: readonly TensorSpec[],
  dtype: SafetensorsDtype,
  weights: WeightSource,
): void {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  let offset = 0;
  for (const s of specs) {
    const size = bytesOf(s, dtype);
    header[s.name] = { dtype, shape: s.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, length);
    writeSync(fd, json);
    for (const s of specs) {
      const values = weights.tensor(s.name, s.shape);
      if (values.length !== s.shape.reduce((a, b) => a * b, 1))
        throw new Error(`${s.name}: the weight source gave ${values.length} values for shape [${s.shape}]`);
      const data = dtype === 'F32' ? values : toBfloat16(values);
      writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally {
    closeSync(fd);
  }
}

export type Architecture = 'llama' | 'qwen2';

/** config.json with the fields transformers writes for these models (values from the decoder configuration). */
export function configJson(
  cfg: DecoderConfig,
  arch: Architecture,
  extra: { maxPositions: number; dtype: SafetensorsDtype; bos?: number; eos?: number },
): Record<string, unknown> {
  const architectures =
    cfg.head === 'token-classification'
      ? ['Qwen2ForProcessRewardModel']
      : cfg.head === 'value'
        ? ['Qwen2ForPrmModel']
        : [arch === 'llama' ? 'LlamaForCausalLM' : 'Qwen2ForCausalLM'];
  const common = {
    architectures,
    attention_dropout: 0.0,
    bos_token_id: extra.bos ?? 1,
    eos_token_id: extra.eos ?? 2,
    hidden_act: 'silu',
    hidden_size: cfg.hidden,
    initializer_range: 0.02,
    intermediate_size: cfg.intermediate,
    max_position_embeddings: extra.maxPositions,
    model_type: arch,
    num_attention_heads: cfg.heads,
    num_hidden_layers: cfg.layers,
    num_key_value_heads: cfg.kvHeads,
    rms_norm_eps: cfg.rmsEps,
    rope_scaling: null,
    rope_theta: cfg.ropeTheta,
    tie_word_embeddings: cfg.tieEmbeddings,
    torch_dtype: extra.dtype === 'F32' ? 'float32' : 'bfloat16',
    transformers_version: '4.46.0',
    use_cache: true,
    vocab_size: cfg.vocab,
  };
  if (arch === 'llama') {
    if (cfg.qkvBias)
      throw new Error('configJson: Llama has no q/k/v biases (attention_bias would add one to o_proj too)');
    return { ...common, attention_bias: false, head_dim: cfg.hidden / cfg.heads, mlp_bias: false, pretraining_tp: 1 };
  }
  if (!cfg.qkvBias) throw new Error('configJson: Qwen2 always has q/k/v biases');
  return {
    ...common,
    max_window_layers: cfg.layers,
    sliding_window: extra.maxPositions,
    use_sliding_window: false,
    ...(cfg.head === 'token-classification' ? { num_labels: cfg.labels ?? 2 } : {}),
  };
}

export interface CheckpointOptions {
  arch: Architecture;
  dtype: SafetensorsDtype;
  maxPositions: number;
  tokenizerJson: string;
  tokenizerConfig: Record<string, unknown>;
  bos?: number;
  eos?: number;
  /** Split into shards of at most about this many bytes, with model.safetensors.index.json (default: one file). */
  shardBytes?: number;
}

/** A complete Hugging Face model folder: config.json, weights (one file or shards + index), tokenizer files. */
export function writeHfCheckpoint(
  dir: string,
  cfg: DecoderConfig,
  weights: WeightSource,
  options: CheckpointOptions,
): string {
  mkdirSync(dir, { recursive: true });
  const specs = checkpointTensors(cfg);
  writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify(configJson(cfg, options.arch, { ...options, dtype: options.dtype }), null, 2),
  );
  const shards: TensorSpec[][] = [[]];
  let size = 0;
  for (const s of specs) {
    const bytes = bytesOf(s, options.dtype);
    if (options.shardBytes && size > 0 && size + bytes > options.shardBytes) {
      shards.push([]);
      size = 0;
    }
    shards[shards.length - 1].push(s);
    size += bytes;
  }
  if (shards.length === 1) {
    writeSafetensors(path.join(dir, 'model.safetensors'), specs, options.dtype, weights);
  } else {
    const pad = (n: number) => String(n).padStart(5, '0');
    const weightMap: Record<string, string> = {};
    shards.forEach((shard, i) => {
      const file = `model-${pad(i + 1)}-of-${pad(shards.length)}.safetensors`;
      writeSafetensors(path.join(dir, file), shard, options.dtype, weights);
      for (const s of shard) weightMap[s.name] = file;
    });
    const totalSize = specs.reduce((n, s) => n + bytesOf(s, options.dtype), 0);
    writeFileSync(
      path.join(dir, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: { total_size: totalSize }, weight_map: weightMap }, null, 2),
    );
  }
  writeFileSync(path.join(dir, 'tokenizer.json'), options.tokenizerJson);
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(options.tokenizerConfig, null, 2));
  return dir;
}
