import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { checkpointTensors } from '../test/support/hf/checkpoint';
import { floatToBf16 } from '../test/support/hf/safetensors';
import { DecoderConfig } from '../test/support/onnx/decoder';
import { WeightSource } from '../test/support/onnx/weights';

/**
 * Hugging Face model folders written the way transformers' `save_pretrained` writes them (config.json with its
 * fields, safetensors with transformers' weight names, shards with an index), from a decoder configuration and any
 * weight source (a trained checkpoint, or random weights at a chosen scale), streamed tensor by tensor so a
 * 0.5B-shaped model never sits in memory whole. The tests' writer (test/support/hf) keeps its tiny models in memory
 * to mutate them; this one is for the validations and the benchmark.
 */

export type SafetensorsDtype = 'F32' | 'BF16';

interface TensorSpec {
  name: string;
  shape: number[];
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
      const data = dtype === 'F32' ? values : floatToBf16(values);
      writeSync(fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    }
  } finally {
    closeSync(fd);
  }
}

export type Architecture = 'llama' | 'qwen2' | 'mistral';

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
        : [{ llama: 'LlamaForCausalLM', qwen2: 'Qwen2ForCausalLM', mistral: 'MistralForCausalLM' }[arch]];
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
  if (arch === 'mistral') {
    if (cfg.qkvBias) throw new Error('configJson: Mistral has no q/k/v biases');
    // A window as long as the context: the PyTorch reference runs inputs no longer than the window.
    return { ...common, head_dim: cfg.hidden / cfg.heads, sliding_window: extra.maxPositions };
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
export function writeHfFolder(
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
