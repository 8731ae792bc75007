/**
 * `prm.json`: how a local PRM folder builds its input from a problem and steps, and how it reads one score per step.
 * Parsing is strict: an unknown field or a value of the wrong kind is an error naming the file and the field.
 */

import { DEFAULT_FIRST_USER, firstUserProblem } from '../chatLayout';
import { SEGMENT_STRATEGIES, type SegmentStrategy } from '../../segment/types';

export const PRM_FAMILIES = ['token-classification', 'tag-token', 'chat-tag-token', 'value-head', 'implicit'] as const;
export type PrmFamily = (typeof PRM_FAMILIES)[number];

/** A token given by id, or by text: a vocabulary entry or added token spelled exactly, else text tokenized on its own. */
export type TokenRef = number | string;

/**
 * How the reference code turns text into ids. `whole`: the whole input is one string, encoded in one call (step
 * boundaries come from the tokens' offsets). `per-step`: the text before the steps is one string, then every step is
 * encoded on its own and followed by the step tag's id (Skywork's prepare_input, TRL's PRM trainer).
 */
export const ENCODINGS = ['whole', 'per-step'] as const;
export type Encoding = (typeof ENCODINGS)[number];

/** Where the chat markup comes from: the model folder's tokenizer_config.json, rendered as apply_chat_template does. */
export const CHAT_TEMPLATES = ['tokenizer_config'] as const;
export type ChatTemplateSource = (typeof CHAT_TEMPLATES)[number];

/** implicit: each step's own reward, or the running total up to each step as EurusPRM's model card reads it. */
export const REWARD_MODES = ['step', 'cumulative'] as const;
export type RewardMode = (typeof REWARD_MODES)[number];

export interface ChatLayout {
  /** A user turn; `{content}` is replaced by the step (or `firstUser` for the first step). Unset with chatTemplate. */
  user?: string;
  /** An assistant turn; `{content}` is the positive token. The score is read at the token just before it. */
  assistant?: string;
  /** Content of the first user turn, with `{problem}` and `{step}`. */
  firstUser: string;
}

export interface PrmSpec {
  /** Name shown in pickers (defaults to the folder name). */
  name?: string;
  family: PrmFamily;
  /** ONNX graph, relative to the folder. */
  model: string;
  /** Reference model of an implicit PRM, relative to the folder. */
  referenceModel?: string;
  tokenizer: string;
  /** Longest input the model accepts, in tokens. Longer solutions are scored up to the last step that fits. */
  maxTokens: number;
  /** A step scoring above this is correct, at or below it an error (critics/judgement.ts). */
  threshold: number;
  /**
   * chat-tag-token: "greedy" decides as ProcessBench's RLHFlow protocol (the greedy reply is "+"): the argmax of the
   * +/- logits, i.e. p(+) > 0.5 strictly (a tie is an error, as the one verdict rule) — threshold fixed at 0.5.
   */
  decision?: 'threshold' | 'greedy';
  /** Most solutions per forward pass. */
  batchSize: number;
  /** Graph output holding the scores. */
  output: string;
  /**
   * Text before the first step, with `{problem}` (and `{bos_token}`, `{eos_token}`… from tokenizer_config.json); for
   * chat-tag-token, text before the first turn. Unused with chatTemplate.
   */
  template: string;
  /** Text between two steps (after the previous step's tag). */
  stepSeparator: string;
  /**
   * Written after each step; the step's score is read at the token where it ends (token-classification, tag-token,
   * value-head). Text for the whole encoding; a token id or text appended as its id for per-step.
   */
  stepTag?: TokenRef;
  /** Which strings the reference code encodes in one call (see ENCODINGS). */
  encoding: Encoding;
  /** Render the chat markup from the folder's tokenizer config instead of `template` / `chat` markup. */
  chatTemplate?: ChatTemplateSource;
  /** The segmentation the model's reference code splits solutions with (Skywork: `newline-split`), when it has one. */
  segmentation?: SegmentStrategy;
  /** The tokenizer config (chat template, special tokens such as bos_token), relative to the folder. */
  tokenizerConfig: string;
  /** With chatTemplate: a system message placed first (unset: none, so the template may add its default). */
  system?: string;
  /** Let the tokenizer add its special tokens (BOS …) to every encoded string, as tokenizer.encode(text) does. */
  addSpecialTokens: boolean;
  /** Index of the "correct" label (token-classification). */
  positiveLabel: number;
  positiveToken?: TokenRef;
  negativeToken?: TokenRef;
  chat?: ChatLayout;
  /** value-head: apply a sigmoid to the head's output ("none" when the export already did). */
  activation: 'sigmoid' | 'none';
  /** implicit: reward = beta · Σ log(π/π_ref) over the summed tokens. */
  beta: number;
  /** implicit: which tokens make a step's reward (see REWARD_MODES). */
  rewardMode: RewardMode;
}

export class PrmSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrmSpecError';
  }
}

const COMMON_FIELDS = [
  '$comment',
  'notes',
  'source',
  'name',
  'family',
  'model',
  'tokenizer',
  'maxTokens',
  'threshold',
  'batchSize',
  'output',
  'template',
  'stepSeparator',
  'encoding',
  'chatTemplate',
  'tokenizerConfig',
  'system',
  'addSpecialTokens',
  'segmentation',
];
const FAMILY_FIELDS: Record<PrmFamily, string[]> = {
  'token-classification': ['stepTag', 'positiveLabel'],
  'tag-token': ['stepTag', 'positiveToken', 'negativeToken'],
  'chat-tag-token': ['chat', 'positiveToken', 'negativeToken', 'decision'],
  'value-head': ['stepTag', 'activation'],
  implicit: ['referenceModel', 'beta', 'rewardMode'],
};

export const DEFAULT_MAX_TOKENS = 4096;

/** Validates a parsed prm.json; `file` names it in messages. */
export function parsePrmSpec(raw: unknown, file: string): PrmSpec {
  const fail = (field: string, message: string): never => {
    throw new PrmSpecError(`${file}: "${field}" ${message}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new PrmSpecError(`${file}: must be a JSON object with at least "family"`);
  const o = raw as Record<string, unknown>;
  const family = o.family;
  if (typeof family !== 'string' || !(PRM_FAMILIES as readonly string[]).includes(family)) {
    fail('family', `must be one of ${PRM_FAMILIES.join(', ')}; got ${JSON.stringify(family)}`);
  }
  const fam = family as PrmFamily;
  const allowed = new Set([...COMMON_FIELDS, ...FAMILY_FIELDS[fam]]);
  for (const key of Object.keys(o)) {
    if (!allowed.has(key))
      fail(
        key,
        `is not a field of a ${fam} prm.json (known: ${[...allowed].filter((k) => !k.startsWith('$')).join(', ')})`,
      );
  }

  const str = (field: string, fallback?: string, { allowEmpty = false } = {}): string | undefined => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || (!allowEmpty && v === ''))
      fail(field, `must be a ${allowEmpty ? '' : 'non-empty '}string; got ${JSON.stringify(v)}`);
    return v as string;
  };
  const num = (field: string, fallback: number, { min = -Infinity, max = Infinity, integer = false } = {}): number => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      fail(
        field,
        `must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}${max < Infinity ? ` and ≤ ${max}` : ''}; got ${JSON.stringify(v)}`,
      );
    }
    return v as number;
  };
  const token = (field: string, required: boolean): TokenRef | undefined => {
    const v = o[field];
    if (v === undefined)
      return required ? fail(field, `is required for the ${fam} family (a token id, or the token's text)`) : undefined;
    if ((typeof v === 'number' && Number.isInteger(v) && v >= 0) || (typeof v === 'string' && v !== '')) return v;
    return fail(field, `must be a token id (integer ≥ 0) or a non-empty string; got ${JSON.stringify(v)}`);
  };
  const path = (field: string, fallback?: string): string | undefined => {
    const v = str(field, fallback);
    if (v !== undefined && (v.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(v) || v.split(/[\\/]/).includes('..'))) {
      fail(field, `must be a path inside the model folder; got ${JSON.stringify(v)}`);
    }
    return v;
  };

  const oneOf = <T extends string>(field: string, values: readonly T[], fallback: T | undefined): T | undefined => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      fail(field, `must be one of ${values.map((x) => JSON.stringify(x)).join(', ')}; got ${JSON.stringify(v)}`);
    }
    return v as T;
  };
  const bool = (field: string, fallback: boolean): boolean => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'boolean') fail(field, `must be true or false; got ${JSON.stringify(v)}`);
    return v as boolean;
  };

  const chatTemplate = oneOf('chatTemplate', CHAT_TEMPLATES, undefined);
  const spec: PrmSpec = {
    name: str('name'),
    family: fam,
    model: path('model', 'model.onnx') as string,
    tokenizer: path('tokenizer', 'tokenizer.json') as string,
    tokenizerConfig: path('tokenizerConfig', 'tokenizer_config.json') as string,
    maxTokens: num('maxTokens', DEFAULT_MAX_TOKENS, { min: 16, integer: true }),
    threshold: num('threshold', 0.5, { min: 0, max: 1 }),
    batchSize: num('batchSize', 4, { min: 1, max: 64, integer: true }),
    output: str('output', fam === 'value-head' ? 'value' : 'logits') as string,
    template: str('template', fam === 'chat-tag-token' ? '' : '{problem}\n', { allowEmpty: true }) as string,
    stepSeparator: str('stepSeparator', '', { allowEmpty: true }) as string,
    encoding: oneOf('encoding', ENCODINGS, fam === 'value-head' ? 'per-step' : 'whole') as Encoding,
    chatTemplate,
    system: str('system', undefined, { allowEmpty: true }),
    addSpecialTokens: bool('addSpecialTokens', false),
    positiveLabel: num('positiveLabel', 1, { min: 0, integer: true }),
    activation: 'sigmoid',
    beta: 1,
    rewardMode: 'step',
  };
  const segmentation = oneOf('segmentation', SEGMENT_STRATEGIES, undefined);
  if (segmentation) spec.segmentation = segmentation;
  if (chatTemplate) {
    if (o.template !== undefined) {
      fail('template', 'is not used with "chatTemplate": the chat template writes the text around problem and steps');
    }
    if (spec.encoding !== 'whole') {
      fail('encoding', 'must be "whole" with "chatTemplate" (the rendered chat is encoded as one string)');
    }
  } else {
    if (spec.system !== undefined) {
      fail('system', 'is only used with "chatTemplate"; without it, write the system turn into "template"');
    }
    if (fam !== 'chat-tag-token' && !spec.template.includes('{problem}')) {
      fail('template', 'must contain {problem} (where the problem text goes)');
    }
  }
  if (fam === 'chat-tag-token' && spec.encoding !== 'whole') {
    fail('encoding', 'must be "whole" for the chat-tag-token family (the conversation is one string)');
  }

  switch (fam) {
    case 'token-classification':
      spec.stepTag = token('stepTag', true);
      break;
    case 'tag-token':
      spec.stepTag = token('stepTag', true);
      spec.positiveToken = token('positiveToken', true);
      spec.negativeToken = token('negativeToken', true);
      break;
    case 'chat-tag-token': {
      spec.positiveToken = token('positiveToken', true);
      spec.negativeToken = token('negativeToken', true);
      if (typeof spec.positiveToken !== 'string') {
        fail('positiveToken', 'must be text for the chat-tag-token family: it is the assistant\'s answer (e.g. "+")');
      }
      const chat = o.chat ?? (chatTemplate ? {} : undefined);
      if (typeof chat !== 'object' || chat === null || Array.isArray(chat)) {
        fail(
          'chat',
          'is required for the chat-tag-token family: {"user": "…{content}…", "assistant": "…{content}…", "firstUser": "{problem} {step}"}',
        );
      }
      const c = chat as Record<string, unknown>;
      for (const key of Object.keys(c))
        if (!['user', 'assistant', 'firstUser'].includes(key))
          fail(`chat.${key}`, 'is not a chat field (known: user, assistant, firstUser)');
      const turn = (key: 'user' | 'assistant', needs: string): string | undefined => {
        const v = c[key];
        if (chatTemplate) {
          if (v !== undefined) fail(`chat.${key}`, 'is not used with "chatTemplate": the template writes the turns');
          return undefined;
        }
        if (typeof v !== 'string' || !v.includes(needs))
          fail(`chat.${key}`, `must be a string containing ${needs}; got ${JSON.stringify(v)}`);
        return v as string;
      };
      const firstUser = c.firstUser === undefined ? DEFAULT_FIRST_USER : c.firstUser;
      const problem = firstUserProblem(firstUser);
      if (problem) fail('chat.firstUser', problem);
      spec.chat = {
        user: turn('user', '{content}'),
        assistant: turn('assistant', '{content}'),
        firstUser: firstUser as string,
      };
      spec.decision = oneOf('decision', ['threshold', 'greedy'] as const, 'threshold');
      if (spec.decision === 'greedy') {
        if (o.threshold !== undefined && o.threshold !== 0.5) {
          fail('threshold', 'must be 0.5 (or unset) with "decision": "greedy"');
        }
        spec.threshold = 0.5;
      }
      break;
    }
    case 'value-head': {
      spec.stepTag = token('stepTag', false);
      const activation = o.activation ?? 'sigmoid';
      if (activation !== 'sigmoid' && activation !== 'none')
        fail('activation', `must be "sigmoid" or "none"; got ${JSON.stringify(activation)}`);
      spec.activation = activation as 'sigmoid' | 'none';
      break;
    }
    case 'implicit':
      spec.referenceModel = path('referenceModel');
      if (!spec.referenceModel)
        fail('referenceModel', 'is required for the implicit family (the reference LM, e.g. "reference/model.onnx")');
      if (o.beta === undefined) fail('beta', 'is required for the implicit family (EurusPRM uses 0.001)');
      spec.beta = num('beta', 1, { min: Number.MIN_VALUE });
      spec.rewardMode = oneOf('rewardMode', REWARD_MODES, 'step') as RewardMode;
      if (spec.rewardMode === 'cumulative' && !chatTemplate) {
        const why = 'follows the EurusPRM card, which builds its input with the chat template';
        fail('rewardMode', `"cumulative" ${why}: set "chatTemplate": "tokenizer_config"`);
      }
      break;
  }
  // In one whole string the tag is text; only a per-step input appends it as a token id.
  if (spec.encoding === 'whole' && typeof spec.stepTag === 'number') {
    const what = 'must be the tag\'s text with "encoding": "whole" (it is written after each step, e.g. " ки")';
    fail('stepTag', `${what}; got the token id ${spec.stepTag}`);
  }
  return spec;
}
