import { PrmFamily, PrmSpec } from './spec';

/** A graph input or output: element type as onnxruntime names it ('float32', 'int64', …) and its dimensions. */
export interface TensorInfo {
  name: string;
  type: string;
  /** Numbers for fixed sizes, strings for named (dynamic) ones, null when unknown. */
  shape: (number | string | null)[];
}

export interface GraphSignature {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
}

export type IntType = 'int64' | 'int32';

/** What to feed a graph: PRM Lens knows the inputs of Hugging Face (optimum) and onnxruntime-genai decoder exports. */
export interface FeedPlan {
  idsType: IntType;
  attentionMask?: IntType;
  positionIds?: IntType;
  tokenTypeIds?: IntType;
  /** KV-cache inputs, fed empty (zero past tokens): one pass scores the whole sequence. */
  past: { name: string; type: 'float32' | 'float16'; kvHeads: number; headDim: number }[];
  useCacheBranch?: string;
  output: TensorInfo;
}

/** More labels than this and a "classification" output is surely a vocabulary. */
const MAX_LABELS = 64;
const PAST = /^past_key_values\.\d+\.(key|value)$|^past\.\d+\.(key|value)$/;

function shapeText(shape: TensorInfo['shape']): string {
  return `[${shape.map((d) => (d === null ? '?' : d)).join(', ')}]`;
}

/** The output shape a family reads, for messages. */
export function expectedOutput(family: PrmFamily): string {
  switch (family) {
    case 'token-classification':
      return '[batch, sequence, labels] logits of a token-classification head';
    case 'value-head':
      return '[batch, sequence] (or [batch, sequence, 1]) values of a value head';
    default:
      return '[batch, sequence, vocabulary] logits of a causal LM';
  }
}

/**
 * Checks a graph against what its family needs and says how to feed it. Returns every problem found (naming the
 * file, the input or output, and what was expected), or the plan.
 */
export function planFeeds(
  spec: PrmSpec,
  sig: GraphSignature,
  file: string,
  needTokens: readonly number[] = [],
): { plan?: FeedPlan; problems: string[] } {
  const problems: string[] = [];
  const intType = (t: TensorInfo): IntType | undefined => {
    if (t.type === 'int64' || t.type === 'int32') return t.type;
    problems.push(`${file}: input "${t.name}" has type ${t.type}; PRM Lens feeds int64 or int32 token data`);
    return undefined;
  };
  const ids = sig.inputs.find((i) => i.name === 'input_ids');
  if (!ids)
    problems.push(
      `${file}: the graph has no input "input_ids" (inputs: ${sig.inputs.map((i) => i.name).join(', ') || 'none'})`,
    );
  else if (ids.shape.length !== 2)
    problems.push(`${file}: input "input_ids" has shape ${shapeText(ids.shape)}; expected [batch, sequence]`);

  const plan: FeedPlan = { idsType: 'int64', past: [], output: { name: spec.output, type: 'float32', shape: [] } };
  if (ids) plan.idsType = intType(ids) ?? 'int64';
  for (const input of sig.inputs) {
    if (input.name === 'input_ids') continue;
    if (input.name === 'attention_mask') plan.attentionMask = intType(input);
    else if (input.name === 'position_ids') plan.positionIds = intType(input);
    else if (input.name === 'token_type_ids') plan.tokenTypeIds = intType(input);
    else if (input.name === 'use_cache_branch') plan.useCacheBranch = input.name;
    else if (PAST.test(input.name)) {
      const [, kvHeads, , headDim] = input.shape;
      if (input.shape.length !== 4 || typeof kvHeads !== 'number' || typeof headDim !== 'number') {
        problems.push(
          `${file}: cache input "${input.name}" has shape ${shapeText(input.shape)}; PRM Lens needs [batch, kv_heads, past_sequence, head_dim] with fixed kv_heads and head_dim to feed an empty cache`,
        );
      } else if (input.type !== 'float32' && input.type !== 'float16') {
        problems.push(`${file}: cache input "${input.name}" has type ${input.type}; expected float32 or float16`);
      } else {
        plan.past.push({ name: input.name, type: input.type, kvHeads, headDim });
      }
    } else {
      problems.push(
        `${file}: the graph needs input "${input.name}", which PRM Lens cannot feed (it feeds input_ids, attention_mask, position_ids, token_type_ids, past_key_values.*, use_cache_branch)`,
      );
    }
  }

  const output = sig.outputs.find((o) => o.name === spec.output);
  if (!output) {
    problems.push(
      `${file}: the graph has no output "${spec.output}" (outputs: ${sig.outputs.map((o) => o.name).join(', ') || 'none'}); set "output" in prm.json to the one holding the ${expectedOutput(spec.family)}`,
    );
  } else {
    plan.output = output;
    if (output.type !== 'float32' && output.type !== 'float16')
      problems.push(`${file}: output "${output.name}" has type ${output.type}; expected float32 or float16`);
    const last = output.shape[output.shape.length - 1];
    const wrong = (why: string) =>
      problems.push(
        `${file}: output "${output.name}" has shape ${shapeText(output.shape)}; a ${spec.family} PRM needs ${expectedOutput(spec.family)}${why ? ` (${why})` : ''}`,
      );
    if (spec.family === 'value-head') {
      if (!(output.shape.length === 2 || (output.shape.length === 3 && (last === 1 || typeof last !== 'number'))))
        wrong('');
    } else if (output.shape.length !== 3) {
      wrong('');
    } else if (typeof last === 'number') {
      if (spec.family === 'token-classification' && last > MAX_LABELS)
        wrong(`${last} values per token look like a causal LM's vocabulary: use the tag-token family`);
      else if (spec.family === 'token-classification' && spec.positiveLabel >= last)
        wrong(`positiveLabel ${spec.positiveLabel} needs at least ${spec.positiveLabel + 1} labels`);
      if (spec.family !== 'token-classification') {
        const beyond = needTokens.filter((id) => id >= last);
        if (beyond.length > 0) wrong(`token id ${beyond[0]} is beyond its ${last} logits`);
      }
    }
  }
  return problems.length > 0 ? { problems } : { plan, problems };
}
