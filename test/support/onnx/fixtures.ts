import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildDecoder, DecoderConfig, HeadKind, TINY_LLAMA, TINY_QWEN2 } from './decoder';
import { buildByteLevelTokenizer, BuiltTokenizer, MATH_CORPUS } from './tokenizer';
import { RandomWeights } from './weights';

/** Special tokens of the test tokenizer: Qwen-style chat markers, Qwen2.5-Math-PRM's step tag, Llama-3-style headers. */
export const SPECIAL_TOKENS = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  '<extra_0>',
  '<|start_header_id|>',
  '<|end_header_id|>',
  '<|eot_id|>',
];
export const VOCAB = 512;

/**
 * A ChatML template like Qwen2.5-Math's, written to every test folder's tokenizer_config.json: a default system turn
 * unless the messages bring one, then each message.
 */
export const TEST_CHAT_TEMPLATE = [
  "{%- if messages[0]['role'] == 'system' %}{{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}",
  "{%- else %}{{- '<|im_start|>system\\nPlease reason step by step.<|im_end|>\\n' }}{%- endif %}",
  "{%- for message in messages %}{%- if not (message.role == 'system' and loop.first) %}",
  "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{%- endif %}{%- endfor %}",
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
].join('');

export const TEST_TOKENIZER_CONFIG = {
  bos_token: '<|endoftext|>',
  eos_token: '<|im_end|>',
  chat_template: TEST_CHAT_TEMPLATE,
};

let shared: BuiltTokenizer | undefined;

/**
 * The tests' tokenizer: byte-level BPE with Qwen2's split rule, Math-Shepherd's " ки" as one token, "?\n" and ".\n\n"
 * as single tokens (as in Qwen's vocabulary, so punctuation merges with the newlines after it) and the special tokens
 * above.
 */
export function testTokenizer(): BuiltTokenizer {
  shared ??= buildByteLevelTokenizer({
    corpus: MATH_CORPUS,
    merges: 150,
    forcedWords: [' ки', '?\n', '.\n\n'],
    specialTokens: SPECIAL_TOKENS,
  });
  if (shared.size > VOCAB) throw new Error(`test tokenizer has ${shared.size} tokens, more than the models' ${VOCAB}`);
  return shared;
}

/** prm.json for each family, laid out like the real models' (see models/) but on the test tokenizer. */
export function testPrmJson(family: string): Record<string, unknown> {
  const tok = testTokenizer();
  switch (family) {
    case 'token-classification':
      return {
        family,
        template:
          '<|im_start|>system\nPlease reason step by step.<|im_end|>\n<|im_start|>user\n{problem}<|im_end|>\n<|im_start|>assistant\n',
        stepTag: '<extra_0>',
        positiveLabel: 1,
      };
    case 'tag-token':
      return {
        family,
        template: '{problem} ',
        stepTag: ' ки',
        stepSeparator: '\n',
        positiveToken: '+',
        negativeToken: '-',
      };
    case 'chat-tag-token':
      return {
        family,
        template: '<|endoftext|>',
        chat: {
          user: '<|start_header_id|>user<|end_header_id|>\n\n{content}<|eot_id|>',
          assistant: '<|start_header_id|>assistant<|end_header_id|>\n\n{content}<|eot_id|>',
          firstUser: '{problem}\n\n{step}',
        },
        positiveToken: '+',
        negativeToken: tok.idOf('-'),
      };
    case 'value-head':
      return { family, template: '<|endoftext|>{problem}\n', stepTag: '\n' };
    case 'implicit':
      return {
        family,
        template: '<|im_start|>user\n{problem}<|im_end|>\n<|im_start|>assistant\n',
        stepSeparator: '\n\n',
        referenceModel: 'reference/model.onnx',
        beta: 0.5,
      };
    default:
      throw new Error(`no test prm.json for ${family}`);
  }
}

export function headFor(family: string): HeadKind {
  return family === 'token-classification' ? 'token-classification' : family === 'value-head' ? 'value' : 'lm';
}

export interface FolderOptions {
  family: string;
  /** Overrides merged into the family's prm.json. */
  prm?: Record<string, unknown>;
  /** Overrides of the decoder configuration (Qwen2-style by default, Llama-style with `llama: true`). */
  model?: Partial<DecoderConfig>;
  llama?: boolean;
  seed?: number;
  /** Spread of the random weights (see RandomWeights); deep models need a small one to stay finite. */
  scale?: number;
}

/** Writes a complete model folder (graph with external weights, tokenizer.json, prm.json) and returns its path. */
export function buildModelFolder(dir: string, options: FolderOptions): string {
  mkdirSync(dir, { recursive: true });
  const cfg: DecoderConfig = {
    ...(options.llama ? TINY_LLAMA : TINY_QWEN2),
    vocab: VOCAB,
    head: headFor(options.family),
    positionIds: true,
    ...options.model,
  };
  const seed = options.seed ?? 11;
  buildDecoder(cfg, new RandomWeights(seed, options.scale)).save(path.join(dir, 'model.onnx'), {
    externalData: 'model.onnx.data',
  });
  if (options.family === 'implicit') {
    mkdirSync(path.join(dir, 'reference'), { recursive: true });
    buildDecoder(cfg, new RandomWeights(seed + 1000, options.scale)).save(path.join(dir, 'reference', 'model.onnx'), {
      externalData: 'model.onnx.data',
    });
  }
  writeFileSync(path.join(dir, 'tokenizer.json'), testTokenizer().json);
  writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify(TEST_TOKENIZER_CONFIG));
  writeFileSync(
    path.join(dir, 'prm.json'),
    JSON.stringify({ ...testPrmJson(options.family), ...options.prm }, null, 2),
  );
  return dir;
}
