import { CheckpointError } from './safetensors';

/**
 * A Hugging Face decoder's config.json, read as transformers reads it for Qwen2 (incl. Qwen2.5-Math and its PRMs),
 * Llama (incl. Llama-3.x rope scaling) and Mistral: the fields the forward pass depends on, with transformers'
 * defaults where the file leaves them out.
 */

export type Family = 'qwen2' | 'llama' | 'mistral';
export type HeadKind = 'lm' | 'token-classification' | 'value';
export const HEAD_KINDS: readonly HeadKind[] = ['lm', 'token-classification', 'value'];

export interface RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

export interface DecoderSpec {
  family: Family;
  architecture: string;
  vocab: number;
  hidden: number;
  intermediate: number;
  layers: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  ropeTheta: number;
  ropeScaling?: RopeScaling;
  rmsEps: number;
  /** Biases on q/k/v (Qwen2 always; Llama when attention_bias). */
  qkvBias: boolean;
  /** Bias on o_proj (Llama's attention_bias covers it too). */
  oBias: boolean;
  /** Biases on the MLP projections (Llama's mlp_bias). */
  mlpBias: boolean;
  tieEmbeddings: boolean;
  maxPositions: number;
  /** Mistral's sliding window (tokens a query sees, itself included), when the config sets one. */
  slidingWindow?: number;
}

/** Architectures (config.json "architectures") PRM Lens imports, and the head each implies. */
const ARCHITECTURES: Record<string, { family: Family; head?: HeadKind }> = {
  Qwen2ForCausalLM: { family: 'qwen2', head: 'lm' },
  Qwen2ForProcessRewardModel: { family: 'qwen2', head: 'token-classification' },
  Qwen2ForTokenClassification: { family: 'qwen2', head: 'token-classification' },
  Qwen2ForPrmModel: { family: 'qwen2', head: 'value' },
  LlamaForCausalLM: { family: 'llama', head: 'lm' },
  LlamaForTokenClassification: { family: 'llama', head: 'token-classification' },
  MistralForCausalLM: { family: 'mistral', head: 'lm' },
  MistralForTokenClassification: { family: 'mistral', head: 'token-classification' },
};
const MODEL_TYPES: Record<string, Family> = { qwen2: 'qwen2', llama: 'llama', mistral: 'mistral' };

export function parseDecoderConfig(raw: unknown, file: string): { spec: DecoderSpec; impliedHead?: HeadKind } {
  const fail = (why: string) => new CheckpointError(`${file}: ${why}`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw fail('not a JSON object');
  const c = raw as Record<string, unknown>;
  const architectures = Array.isArray(c.architectures) ? c.architectures.filter((a) => typeof a === 'string') : [];
  const architecture = (architectures as string[]).find((a) => a in ARCHITECTURES);
  const modelType = typeof c.model_type === 'string' ? c.model_type : undefined;
  const family = architecture ? ARCHITECTURES[architecture].family : modelType ? MODEL_TYPES[modelType] : undefined;
  if (!family)
    throw fail(
      `unsupported architecture ${JSON.stringify(architectures.length > 0 ? architectures : (modelType ?? 'none'))}; PRM Lens imports ${Object.keys(ARCHITECTURES).join(', ')} (model_type qwen2, llama, mistral)`,
    );

  const int = (key: string, fallback?: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0)
      throw fail(`"${key}" must be a positive integer (got ${JSON.stringify(c[key])})`);
    return v;
  };
  const num = (key: string, fallback: number): number => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw fail(`"${key}" must be a positive number (got ${JSON.stringify(c[key])})`);
    return v;
  };
  const bool = (key: string, fallback: boolean): boolean => {
    const v = c[key] ?? fallback;
    if (typeof v !== 'boolean') throw fail(`"${key}" must be true or false (got ${JSON.stringify(c[key])})`);
    return v;
  };

  const hidden = int('hidden_size');
  const heads = int('num_attention_heads');
  const kvHeads = int('num_key_value_heads', heads);
  if (heads % kvHeads !== 0)
    throw fail(`num_attention_heads ${heads} is not a multiple of num_key_value_heads ${kvHeads}`);
  const headDim = c.head_dim === null || c.head_dim === undefined ? hidden / heads : int('head_dim');
  if (!Number.isInteger(headDim) || headDim % 2 !== 0)
    throw fail(`head dimension ${headDim} (hidden_size / num_attention_heads or head_dim) must be an even integer`);

  if (c.hidden_act !== undefined && c.hidden_act !== 'silu')
    throw fail(`hidden_act ${JSON.stringify(c.hidden_act)} is not supported (these decoders use silu)`);
  const attentionBias = family === 'llama' ? bool('attention_bias', false) : false;
  const spec: DecoderSpec = {
    family,
    architecture: architecture ?? `${modelType} (model_type)`,
    vocab: int('vocab_size'),
    hidden,
    intermediate: int('intermediate_size'),
    layers: int('num_hidden_layers'),
    heads,
    kvHeads,
    headDim,
    ropeTheta: num('rope_theta', 10000),
    rmsEps: num('rms_norm_eps', 1e-6),
    qkvBias: family === 'qwen2' || attentionBias,
    oBias: attentionBias,
    mlpBias: family === 'llama' ? bool('mlp_bias', false) : false,
    // Qwen2Config, LlamaConfig and MistralConfig all default to untied.
    tieEmbeddings: bool('tie_word_embeddings', false),
    maxPositions: int('max_position_embeddings', 2048),
  };
  const scaling = parseRopeScaling(c.rope_scaling, fail);
  if (scaling) spec.ropeScaling = scaling;
  // Qwen2 configs carry sliding_window but apply it only with use_sliding_window, which released models leave off.
  const slidingOn = family === 'mistral' || (family === 'qwen2' && c.use_sliding_window === true);
  if (slidingOn && c.sliding_window !== null && c.sliding_window !== undefined)
    spec.slidingWindow = int('sliding_window');
  return { spec, impliedHead: architecture ? ARCHITECTURES[architecture].head : undefined };
}

function parseRopeScaling(raw: unknown, fail: (why: string) => Error): RopeScaling | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw fail('"rope_scaling" must be an object or null');
  const r = raw as Record<string, unknown>;
  const type = r.rope_type ?? r.type;
  if (type === 'default') return undefined;
  if (type !== 'llama3')
    throw fail(
      `rope_scaling type ${JSON.stringify(type)} is not supported (PRM Lens implements "llama3" and the default)`,
    );
  const n = (key: string) => {
    const v = r[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
      throw fail(`rope_scaling.${key} must be a positive number (got ${JSON.stringify(v)})`);
    return v;
  };
  const scaling: RopeScaling = {
    type: 'llama3',
    factor: n('factor'),
    lowFreqFactor: n('low_freq_factor'),
    highFreqFactor: n('high_freq_factor'),
    originalMaxPositions: n('original_max_position_embeddings'),
  };
  if (scaling.highFreqFactor <= scaling.lowFreqFactor)
    throw fail('rope_scaling.high_freq_factor must be larger than low_freq_factor');
  return scaling;
}

/**
 * Rotary inverse frequencies as transformers computes them: 1 / theta^(2i/d), then for "llama3" scaling
 * `_compute_llama3_parameters`: wavelengths longer than original/low_freq_factor are divided by `factor`, shorter
 * than original/high_freq_factor kept, and the band between interpolated smoothly.
 */
export function inverseFrequencies(spec: Pick<DecoderSpec, 'headDim' | 'ropeTheta' | 'ropeScaling'>): Float64Array {
  const d = spec.headDim;
  const inv = Float64Array.from({ length: d / 2 }, (_, i) => 1 / Math.pow(spec.ropeTheta, (2 * i) / d));
  const s = spec.ropeScaling;
  if (!s) return inv;
  const lowFreqWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highFreqWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    const scaled = wavelen > lowFreqWavelen ? f / s.factor : f;
    if (wavelen < highFreqWavelen || wavelen > lowFreqWavelen) return scaled;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return ((1 - smooth) * scaled) / s.factor + smooth * scaled;
  });
}
