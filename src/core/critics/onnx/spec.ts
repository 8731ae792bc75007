/**
 * `prm.json`: how a local PRM folder builds its input from a problem and steps, and how it reads one score per step.
 * Parsing is strict: an unknown field or a value of the wrong kind is an error naming the file and the field.
 */

import { DEFAULT_FIRST_USER, firstUserProblem } from '../chatLayout';

export const PRM_FAMILIES = ['token-classification', 'tag-token', 'chat-tag-token', 'value-head', 'implicit'] as const;
export type PrmFamily = (typeof PRM_FAMILIES)[number];

/** A token given by id, or by text: a vocabulary entry or added token spelled exactly, else text tokenized on its own. */
export type TokenRef = number | string;

export interface ChatLayout {
  /** A user turn; `{content}` is replaced by the step (or `firstUser` for the first step). */
  user: string;
  /** An assistant turn; `{content}` is the positive token. The score is read at the token just before it. */
  assistant: string;
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
  /** Most solutions per forward pass. */
  batchSize: number;
  /** Graph output holding the scores. */
  output: string;
  /** Text before the first step, with `{problem}`; for chat-tag-token, text before the first turn. */
  template: string;
  /** Text between two steps (after the previous step's tag). */
  stepSeparator: string;
  /** Piece after each step; the step's score is read at its last token (token-classification, tag-token, value-head). */
  stepTag?: TokenRef;
  /** Index of the "correct" label (token-classification). */
  positiveLabel: number;
  positiveToken?: TokenRef;
  negativeToken?: TokenRef;
  chat?: ChatLayout;
  /** value-head: apply a sigmoid to the head's output ("none" when the export already did). */
  activation: 'sigmoid' | 'none';
  /** implicit: reward = beta · Σ log(π/π_ref) over the step's tokens. */
  beta: number;
}

export class PrmSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PrmSpecError';
  }
}

const COMMON_FIELDS = ['$comment', 'notes', 'source', 'name', 'family', 'model', 'tokenizer', 'maxTokens', 'threshold', 'batchSize', 'output', 'template', 'stepSeparator'];
const FAMILY_FIELDS: Record<PrmFamily, string[]> = {
  'token-classification': ['stepTag', 'positiveLabel'],
  'tag-token': ['stepTag', 'positiveToken', 'negativeToken'],
  'chat-tag-token': ['chat', 'positiveToken', 'negativeToken'],
  'value-head': ['stepTag', 'activation'],
  implicit: ['referenceModel', 'beta'],
};

export const DEFAULT_MAX_TOKENS = 4096;

/** Validates a parsed prm.json; `file` names it in messages. */
export function parsePrmSpec(raw: unknown, file: string): PrmSpec {
  const fail = (field: string, message: string): never => {
    throw new PrmSpecError(`${file}: "${field}" ${message}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new PrmSpecError(`${file}: must be a JSON object with at least "family"`);
  const o = raw as Record<string, unknown>;
  const family = o.family;
  if (typeof family !== 'string' || !(PRM_FAMILIES as readonly string[]).includes(family)) {
    fail('family', `must be one of ${PRM_FAMILIES.join(', ')}; got ${JSON.stringify(family)}`);
  }
  const fam = family as PrmFamily;
  const allowed = new Set([...COMMON_FIELDS, ...FAMILY_FIELDS[fam]]);
  for (const key of Object.keys(o)) {
    if (!allowed.has(key)) fail(key, `is not a field of a ${fam} prm.json (known: ${[...allowed].filter((k) => !k.startsWith('$')).join(', ')})`);
  }

  const str = (field: string, fallback?: string, { allowEmpty = false } = {}): string | undefined => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || (!allowEmpty && v === '')) fail(field, `must be a ${allowEmpty ? '' : 'non-empty '}string; got ${JSON.stringify(v)}`);
    return v as string;
  };
  const num = (field: string, fallback: number, { min = -Infinity, max = Infinity, integer = false } = {}): number => {
    const v = o[field];
    if (v === undefined) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      fail(field, `must be ${integer ? 'an integer' : 'a number'}${min > -Infinity ? ` ≥ ${min}` : ''}${max < Infinity ? ` and ≤ ${max}` : ''}; got ${JSON.stringify(v)}`);
    }
    return v as number;
  };
  const token = (field: string, required: boolean): TokenRef | undefined => {
    const v = o[field];
    if (v === undefined) return required ? fail(field, `is required for the ${fam} family (a token id, or the token's text)`) : undefined;
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

  const spec: PrmSpec = {
    name: str('name'),
    family: fam,
    model: path('model', 'model.onnx') as string,
    tokenizer: path('tokenizer', 'tokenizer.json') as string,
    maxTokens: num('maxTokens', DEFAULT_MAX_TOKENS, { min: 16, integer: true }),
    threshold: num('threshold', 0.5, { min: 0, max: 1 }),
    batchSize: num('batchSize', 4, { min: 1, max: 64, integer: true }),
    output: str('output', fam === 'value-head' ? 'value' : 'logits') as string,
    template: str('template', fam === 'chat-tag-token' ? '' : '{problem}\n', { allowEmpty: true }) as string,
    stepSeparator: str('stepSeparator', '', { allowEmpty: true }) as string,
    positiveLabel: num('positiveLabel', 1, { min: 0, integer: true }),
    activation: 'sigmoid',
    beta: 1,
  };
  if (fam !== 'chat-tag-token' && !spec.template.includes('{problem}')) fail('template', 'must contain {problem} (where the problem text goes)');

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
      const chat = o.chat;
      if (typeof chat !== 'object' || chat === null || Array.isArray(chat)) {
        fail('chat', 'is required for the chat-tag-token family: {"user": "…{content}…", "assistant": "…{content}…", "firstUser": "{problem} {step}"}');
      }
      const c = chat as Record<string, unknown>;
      for (const key of Object.keys(c)) if (!['user', 'assistant', 'firstUser'].includes(key)) fail(`chat.${key}`, 'is not a chat field (known: user, assistant, firstUser)');
      const turn = (key: 'user' | 'assistant', needs: string) => {
        const v = c[key];
        if (typeof v !== 'string' || !v.includes(needs)) fail(`chat.${key}`, `must be a string containing ${needs}; got ${JSON.stringify(v)}`);
        return v as string;
      };
      const firstUser = c.firstUser === undefined ? DEFAULT_FIRST_USER : c.firstUser;
      const problem = firstUserProblem(firstUser);
      if (problem) fail('chat.firstUser', problem);
      spec.chat = { user: turn('user', '{content}'), assistant: turn('assistant', '{content}'), firstUser: firstUser as string };
      break;
    }
    case 'value-head': {
      spec.stepTag = token('stepTag', false);
      const activation = o.activation ?? 'sigmoid';
      if (activation !== 'sigmoid' && activation !== 'none') fail('activation', `must be "sigmoid" or "none"; got ${JSON.stringify(activation)}`);
      spec.activation = activation as 'sigmoid' | 'none';
      break;
    }
    case 'implicit':
      spec.referenceModel = path('referenceModel');
      if (!spec.referenceModel) fail('referenceModel', 'is required for the implicit family (the reference LM, e.g. "reference/model.onnx")');
      if (o.beta === undefined) fail('beta', 'is required for the implicit family (EurusPRM uses 0.001)');
      spec.beta = num('beta', 1, { min: Number.MIN_VALUE });
      break;
  }
  return spec;
}
