import { DEFAULT_FIRST_USER, firstUserProblem } from '../critics/chatLayout';
import { DEFAULT_RETRY_POLICY } from '../critics/remote/http/retry';
import { DEFAULT_VERDICT_PATTERN, verdictPatternProblem } from '../critics/remote/verdict-pattern';
import { CriticConfig, CriticConfigError } from '../critics/types';
import { problemWith, ReadValue, ScalarSpec } from './spec';

/**
 * How a critic field bears on the critic's answers, and so on its cache identity (src/core/critics/identity.ts).
 * Absent: the value changes the answers. `false`: it never does (names, where the key comes from, pacing, limits of
 * a request). `'verdicts'`: it only turns step scores into verdicts, which a store of whole results applies again
 * on a hit. `'file'`: the content of the file it names changes the answers, not the path. `'model-folder'`: the
 * model folder it names does (its prm.json, and the names, sizes and dates of its files), not the path.
 * `'unless-default'`: it changes the answers, but its default gives the answers of before the field existed, so a
 * default value stays out of the identity and results stored before it keep theirs.
 */
export type AnswerEffect = false | 'verdicts' | 'file' | 'model-folder' | 'unless-default';

/** A critic field: a value's declaration, and how it bears on the answers. */
export type CriticFieldSpec = ScalarSpec & { affectsAnswers?: AnswerEffect };

/**
 * Every critic type and every field it reads, declared once: the factories read their fields with
 * `readCriticFields`, and package.json's schema of `prmLens.critics` is generated from this table.
 */

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/** Qwen2.5-Math-PRM's system prompt: the layout its step scores were trained with. */
export const QWEN_PRM_SYSTEM = 'Please reason step by step, and put your final answer within \\boxed{}.';

/** The fields of every critic; `id` and `type` are checked when the list is read (`parseCriticConfigs`). */
export const COMMON_FIELDS = {
  id: {
    type: 'string',
    pattern: '^[\\w.-]+$',
    patternMessage: 'a non-empty string of letters, digits, "_", "-" or "."',
    required: '"gpt-4o-judge"',
    description: 'Name used in the editor, the CLI and result files.',
    affectsAnswers: false,
  },
  type: { type: 'string', required: '"checker"', description: 'Kind of critic.' },
  label: { type: 'string', minLength: 1, description: 'Human-readable name.', affectsAnswers: false },
} as const satisfies Record<string, CriticFieldSpec>;

/**
 * Default cap on one answer's decompressed size. The largest legitimate answer is an openai-critic's 64 votes of
 * 32k-token critiques, about 8 MiB of JSON; 16 MiB leaves twice that while a run's memory stays in the tens of MB
 * whatever a broken or hostile server sends.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Fields of every critic that talks to a server (besides baseURL, model and timeoutMs, whose defaults differ). */
const REMOTE_FIELDS = {
  apiKeyEnv: {
    affectsAnswers: false,
    type: 'string',
    pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
    patternMessage: 'the NAME of an environment variable (e.g. "OPENAI_API_KEY"), not a key',
    description:
      'CLI only: name of the environment variable holding the API key. ' +
      'In VS Code use "PRM Lens: Set API Key for Critic…" (SecretStorage).',
  },
  concurrency: {
    affectsAnswers: false,
    type: 'integer',
    minimum: 1,
    maximum: 256,
    default: 4,
    description: 'Requests in flight at once for this critic.',
  },
  retries: {
    affectsAnswers: false,
    type: 'integer',
    minimum: 0,
    maximum: 20,
    default: DEFAULT_RETRY_POLICY.retries,
    description: 'Retries on 429, 5xx, timeouts and connection resets.',
  },
  retryDelayMs: {
    affectsAnswers: false,
    type: 'number',
    minimum: 0,
    default: DEFAULT_RETRY_POLICY.baseDelayMs,
    description: 'Base delay of the exponential backoff, in milliseconds.',
  },
  maxResponseBytes: {
    affectsAnswers: false,
    type: 'integer',
    minimum: 1024,
    maximum: 2 ** 30,
    default: DEFAULT_MAX_RESPONSE_BYTES,
    description:
      'Largest answer read, in bytes after decompression (error bodies too); a longer one fails the request at once.',
  },
  maxConsecutiveFailures: {
    affectsAnswers: false,
    type: 'integer',
    minimum: 0,
    maximum: 1000,
    default: 5,
    description:
      'After this many attempts in a row fail to reach the server (refused, reset, timed out, key rejected), ' +
      'the critic fails fast with that cause; one request is tried again every 60 s. 0: never.',
  },
  rpm: {
    affectsAnswers: false,
    type: 'integer',
    minimum: 1,
    description: 'Requests per minute to this baseURL + model, shared by every run in the process (no cap if unset).',
  },
  tpm: {
    affectsAnswers: false,
    type: 'integer',
    minimum: 1,
    description:
      'Tokens per minute (prompt + completion) to this baseURL + model, shared by every run in the process ' +
      '(no cap if unset).',
  },
} as const satisfies Record<string, CriticFieldSpec>;

const MODEL = { type: 'string', minLength: 1, description: 'Model name sent to the server.' } as const;
const THRESHOLD = {
  type: 'number',
  minimum: 0,
  maximum: 1,
  default: 0.5,
  description: 'A step scoring at or below this is an error.',
  affectsAnswers: 'verdicts',
} as const;
/** Which part of a trace a PRM scores (src/core/critics/scope.ts). */
const SCOPE = {
  type: 'string',
  enum: ['all', 'answer', 'thinking'],
  enumDescriptions: [
    'Every step, thinking and answer (as before the setting existed)',
    'Only the answer after the thinking (what PRMs trained on short solutions are meant for); a plain solution is all answer',
    'Only the thinking; a solution without a thinking block gets nothing scored',
  ],
  default: 'all',
  description:
    'Which part of a long trace is sent to the model and scored; steps outside it get no score ' +
    '("outside the critic\'s scope").',
  affectsAnswers: 'unless-default',
} as const;
const timeout = <const T extends number>(ms: T) =>
  ({
    type: 'number',
    minimum: 1,
    default: ms,
    description: 'Timeout of one request in milliseconds.',
    affectsAnswers: false,
  }) as const;

export const CRITIC_TYPES = {
  checker: { description: 'Built-in offline arithmetic checker', fields: {} },
  'openai-critic': {
    description: 'An LLM on an OpenAI-compatible endpoint asked for the earliest erroneous step (ProcessBench-style)',
    fields: {
      baseURL: {
        type: 'string',
        minLength: 1,
        url: true,
        default: OPENAI_BASE_URL,
        description: 'OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1); default the OpenAI API.',
      },
      model: { ...MODEL, required: '"gpt-4o" or "Qwen/Qwen2.5-72B-Instruct"' },
      timeoutMs: timeout(300_000),
      ...REMOTE_FIELDS,
      mode: {
        type: 'string',
        enum: ['first-error', 'per-step', 'sections', 'verifier'],
        enumDescriptions: [
          'The earliest wrong paragraph in \\boxed{} (ProcessBench)',
          'A JSON verdict for every step',
          'The erroneous sections of a long trace (DeltaBench); without sections each step is one',
          'A generative verifier (ThinkPRM, GenPRM, R-PRM): a verdict per step in text, scored from its logprobs',
        ],
        default: 'first-error',
        description: 'What the critic is asked for.',
      },
      answerParsing: {
        type: 'string',
        enum: ['processbench', 'lenient'],
        enumDescriptions: [
          "ProcessBench's rule exactly: the last \\boxed{…} without inner braces, Python int(); " +
            'votes count raw strings',
          'Also reads \\boxed{\\text{3}}, \\boxed{$3$}, a Unicode minus, nested braces ' +
            "(accuracies can exceed the benchmark's)",
        ],
        default: 'processbench',
        description: 'first-error mode: how the \\boxed{} answer is read.',
      },
      verdictPattern: {
        type: 'string',
        minLength: 1,
        default: DEFAULT_VERDICT_PATTERN,
        check: verdictPatternProblem,
        description:
          "verifier mode: regex with a capture group around the verdict word; its k-th match is step k's verdict.",
      },
      yesWord: {
        type: 'string',
        minLength: 1,
        default: 'correct',
        description: 'verifier mode: the verdict word of a correct step.',
      },
      noWord: {
        type: 'string',
        minLength: 1,
        default: 'incorrect',
        description: 'verifier mode: the verdict word of a wrong step.',
      },
      topLogprobs: {
        type: 'integer',
        minimum: 1,
        maximum: 20,
        default: 5,
        description: 'verifier mode: top_logprobs requested; a step scores P(yes) / (P(yes) + P(no)) at its verdict.',
      },
      votes: {
        type: 'integer',
        minimum: 1,
        maximum: 64,
        default: 1,
        description: 'Samples per solution; the most common parsed answer wins.',
      },
      temperature: {
        type: 'number',
        nullable: true,
        minimum: 0,
        maximum: 2,
        description:
          'Sampling temperature; null: not sent (some reasoning models reject it). Default 0, or 1 when votes > 1.',
      },
      topP: {
        type: 'number',
        nullable: true,
        minimum: 0,
        maximum: 1,
        description: 'Nucleus sampling top_p; null: not sent. Default: not sent, or 0.9 when votes > 1.',
      },
      topK: {
        type: 'integer',
        minimum: 1,
        description:
          'Top-k sampling, sent as top_k (vLLM accepts it; the OpenAI API does not). Not sent unless set. ' +
          'ProcessBench samples Qwen2.5-Math critics with temperature 0.7, topP 0.8, topK 20.',
      },
      seed: {
        type: 'integer',
        minimum: 0,
        description: 'Sampling seed, sent as seed (servers honour it on a best-effort basis). Not sent unless set.',
      },
      maxTokens: {
        type: 'integer',
        minimum: 1,
        default: 8192,
        description: 'Maximum tokens of the critique (long thinkers need 8k–32k).',
      },
      maxTokensParam: {
        type: 'string',
        enum: ['max_tokens', 'max_completion_tokens'],
        description:
          'Which request field carries maxTokens. Default max_completion_tokens for the OpenAI API, else max_tokens.',
      },
      parallelSamples: {
        type: 'boolean',
        default: true,
        description:
          'Ask for all votes in one request with n (falls back to separate requests when the server ignores n).',
        // The same samples either way: how they are asked for, not what.
        affectsAnswers: false,
      },
      structuredOutput: {
        type: 'boolean',
        default: true,
        description: 'per-step mode: request a JSON schema response format where the server supports it.',
      },
      promptTemplate: {
        type: 'string',
        minLength: 1,
        description: 'Path of a prompt template replacing the built-in ProcessBench-style prompt.',
        affectsAnswers: 'file',
      },
      contextTokens: {
        type: 'integer',
        minimum: 1024,
        description:
          "sections mode: the model's context (prompt + maxTokens, prompt estimated as characters / 4); a " +
          'longer trace is judged in windows of whole sections, each restating the problem and the earlier ' +
          "sections' first lines.",
      },
      promptTemplateFile: {
        type: 'string',
        minLength: 1,
        description:
          "Path of a template in the benchmark's own syntax (Python str.format: {problem}, {tagged_response}, " +
          "{{ }} for literal braces), used verbatim, e.g. ProcessBench's critique template. Not with promptTemplate.",
        affectsAnswers: 'file',
      },
    },
  },
  'chat-prm': {
    description: 'An RLHFlow-style PRM behind an OpenAI-compatible chat endpoint: p(+) per step',
    fields: {
      baseURL: {
        type: 'string',
        minLength: 1,
        url: true,
        required: 'http://localhost:8000/v1',
        description: 'OpenAI-compatible base URL (e.g. http://127.0.0.1:8001/v1).',
      },
      model: { ...MODEL, required: '"RLHFlow/Llama3.1-8B-PRM-Deepseek-Data"' },
      timeoutMs: timeout(60_000),
      ...REMOTE_FIELDS,
      decision: {
        type: 'string',
        enum: ['threshold', 'greedy'],
        enumDescriptions: [
          "A step is correct when its p(+) is above threshold (RLHFlow's own evaluation)",
          "ProcessBench's protocol: correct when the greedy 1-token reply starts with +; " +
            'stops at the first other reply',
        ],
        default: 'threshold',
        description: 'How step verdicts are made.',
      },
      threshold: THRESHOLD,
      scope: SCOPE,
      topLogprobs: { type: 'integer', minimum: 1, maximum: 20, default: 10, description: 'top_logprobs requested.' },
      positiveToken: { type: 'string', minLength: 1, default: '+', description: 'The token meaning a correct step.' },
      negativeToken: { type: 'string', minLength: 1, default: '-', description: 'The token meaning a wrong step.' },
      logprobs: {
        type: 'boolean',
        default: true,
        description: 'Request logprobs (false: read the one-token reply, for servers without logprobs).',
      },
      firstUser: {
        type: 'string',
        minLength: 1,
        default: DEFAULT_FIRST_USER,
        check: firstUserProblem,
        description:
          'The first user turn, from {problem} and {step}; RLHFlow\'s evaluation code uses "{problem} {step}".',
      },
    },
  },
  'vllm-pooling': {
    description: "A PRM served by vLLM's pooling API (POST /pooling)",
    fields: {
      baseURL: {
        type: 'string',
        minLength: 1,
        url: true,
        required: 'http://localhost:8000',
        description: 'The server root (e.g. http://127.0.0.1:8002), where vLLM serves POST /pooling.',
      },
      model: MODEL,
      timeoutMs: timeout(120_000),
      ...REMOTE_FIELDS,
      stepTag: {
        type: 'string',
        minLength: 1,
        default: '<extra_0>',
        description: 'The step tag placed after each step.',
      },
      input: {
        type: 'string',
        enum: ['chat', 'text'],
        enumDescriptions: ['Chat messages (the server applies the chat template)', 'One text input'],
        default: 'chat',
        description: 'What is sent to the server.',
      },
      system: {
        type: 'string',
        minLength: 1,
        default: QWEN_PRM_SYSTEM,
        description: 'System prompt of the chat input.',
      },
      positiveIndex: {
        type: 'integer',
        minimum: 0,
        default: 1,
        description: 'Index of the positive class in each returned probability vector.',
      },
      threshold: THRESHOLD,
      scope: SCOPE,
    },
  },
  onnx: {
    description:
      'A local PRM folder (ONNX graph, tokenizer.json, prm.json) run by onnxruntime-node in a separate process',
    fields: {
      path: {
        type: 'string',
        minLength: 1,
        required: '"/models/qwen2.5-math-prm-7b" (a folder with prm.json)',
        description:
          'The model folder (ONNX graph, tokenizer.json, prm.json); relative to the workspace or the config file.',
        affectsAnswers: 'model-folder',
      },
      threads: {
        type: 'integer',
        minimum: 0,
        maximum: 256,
        description: 'Threads for this model (0 = one per physical core). Default prmLens.onnx.threads.',
        affectsAnswers: false,
      },
      idleUnloadSeconds: {
        type: 'number',
        minimum: 0,
        description:
          'Unload after this many idle seconds (0 = keep it loaded). Default prmLens.onnx.idleUnloadMinutes.',
        affectsAnswers: false,
      },
      scope: SCOPE,
      window: {
        type: 'string',
        enum: ['off', 'sliding'],
        enumDescriptions: [
          "Steps past the model's maxTokens are not scored (the scores of the steps that fit are exact)",
          'Steps past maxTokens are scored in further windows, each restating the problem; their scores are marked',
        ],
        default: 'off',
        description: "What happens to a solution longer than the model's context (prm.json maxTokens).",
        affectsAnswers: 'unless-default',
      },
      windowOverlap: {
        type: 'number',
        minimum: 0,
        maximum: 0.9,
        default: 0.5,
        description:
          'window "sliding": the share of the context each later window fills with the steps before its new ones ' +
          '(context only, scored in an earlier window). More overlap: more context per score, more windows.',
        affectsAnswers: 'unless-default',
      },
    },
  },
} as const satisfies Record<string, { description: string; fields: Record<string, CriticFieldSpec> }>;

export type CriticType = keyof typeof CRITIC_TYPES;

export function isCriticType(type: unknown): type is CriticType {
  return typeof type === 'string' && Object.hasOwn(CRITIC_TYPES, type);
}

type FieldsOf<T extends CriticType> = (typeof CRITIC_TYPES)[T]['fields'];

/** A critic's fields as its factory uses them: checked, defaults filled in, URLs without trailing slashes. */
export type CriticFields<T extends CriticType> = { -readonly [K in keyof FieldsOf<T>]: ReadValue<FieldsOf<T>[K]> } & {
  label: string | undefined;
};

/**
 * Reads a critic's fields from the table, with messages that name the critic and the field, and refuses fields the
 * type does not have (a typo such as "temprature" would otherwise be ignored silently).
 */
export function readCriticFields<T extends CriticType>(config: CriticConfig, type: T): CriticFields<T> {
  const specs: Record<string, ScalarSpec> = { label: COMMON_FIELDS.label, ...CRITIC_TYPES[type].fields };
  const fail = (field: string, message: string): never => {
    throw new CriticConfigError(`critic "${config.id}" (${config.type}): "${field}" ${message}`, config.id, field);
  };
  const known = ['id', 'type', ...Object.keys(specs)];
  const unknown = Object.keys(config).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    const list = `field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}`;
    throw new CriticConfigError(
      `critic "${config.id}" (${config.type}): unknown ${list}; known fields: ${known.join(', ')}`,
      config.id,
      unknown[0],
    );
  }
  const fields: Record<string, unknown> = {};
  for (const [field, spec] of Object.entries(specs)) {
    const value = config[field];
    if (value === undefined) {
      if (spec.type === 'string' && spec.required !== undefined) fail(field, `is required (e.g. ${spec.required})`);
      fields[field] = spec.default;
      continue;
    }
    const problem = problemWith(spec, value);
    if (problem !== undefined) fail(field, problem);
    fields[field] = spec.type === 'string' && spec.url ? (value as string).replace(/\/+$/, '') : value;
  }
  return fields as CriticFields<T>;
}
