import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import {
  CancelledError,
  Critic,
  CriticConfig,
  CriticConfigError,
  CriticInput,
  CriticResult,
  KeySource,
  StepJudgement,
} from '../types';
import { CriticFields, OPENAI_BASE_URL, readCriticFields } from '../../config/critics';
import { remoteSettings, RemoteSettings } from './config';
import { ChatEndpoint, ChatRequest } from './chat';
import { critiqueByParagraph } from './boxed';
import { AnswerParsing, voteFirstError } from './answer-vote';
import {
  DEFAULT_FIRST_ERROR_TEMPLATE,
  DEFAULT_PER_STEP_TEMPLATE,
  DEFAULT_VERIFIER_TEMPLATE,
  loadTemplate,
  PromptTemplate,
  renderTemplate,
} from './prompt';
import { RemoteError } from './http/errors';
import { parseStepVerdicts, StepVerdict } from './per-step';
import { allOrNothing, callSignal } from './http/signal';
import { UsageTally } from './usage';
import { TokenLogprobs, VerifierFormat, verifierJudgement, verifierOptions } from './verifier';
import { criticIdentity } from '../identity';
import { DEFAULT_SECTIONS_TEMPLATE, judgeSections } from './sections';

export type CriticMode = 'first-error' | 'per-step' | 'sections' | 'verifier';

interface Options {
  mode: CriticMode;
  answerParsing: AnswerParsing;
  votes: number;
  temperature: number | null;
  topP: number | null;
  topK: number | undefined;
  seed: number | undefined;
  maxTokens: number;
  maxTokensParam: 'max_tokens' | 'max_completion_tokens';
  parallelSamples: boolean;
  structuredOutput: boolean;
  template: PromptTemplate;
  contextTokens: number | undefined;
  verifier: VerifierFormat & { topLogprobs: number };
}

/** One sampled critique. */
interface Sample {
  text: string;
  finishReason: string | null;
  /** Per-token log-probabilities, asked for in verifier mode. */
  tokens?: TokenLogprobs[];
}

const REASON_CHARS = 400;

export async function createOpenAICritic(
  config: CriticConfig,
  keys: KeySource,
  baseDir?: string,
): Promise<OpenAICritic> {
  const fields = readCriticFields(config, 'openai-critic');
  const settings = await remoteSettings(config, fields, keys);
  const { mode, answerParsing, votes, maxTokens, parallelSamples, structuredOutput, topK, seed, contextTokens } =
    fields;
  if (mode === 'sections' && votes > 1) {
    // DeltaBench scores one critique per sample: there is no vote over sets of sections.
    throw new CriticConfigError(
      `critic "${config.id}": mode "sections" takes one sample (votes: 1)`,
      config.id,
      'votes',
    );
  }
  if (contextTokens !== undefined && contextTokens <= maxTokens) {
    const why = `contextTokens (${contextTokens}) must exceed maxTokens (${maxTokens}): the prompt needs room`;
    throw new CriticConfigError(`critic "${config.id}": ${why}`, config.id, 'contextTokens');
  }
  // ProcessBench: greedy for one answer, temperature 1.0 / top_p 0.9 when voting. null = do not send (some
  // reasoning models reject any temperature).
  const temperature = fields.temperature === undefined ? (votes > 1 ? 1 : 0) : fields.temperature;
  const topP = fields.topP === undefined ? (votes > 1 ? 0.9 : null) : fields.topP;
  // OpenAI's newer models accept only max_completion_tokens; many local servers only max_tokens.
  const maxTokensParam =
    fields.maxTokensParam ?? (settings.baseURL === OPENAI_BASE_URL ? 'max_completion_tokens' : 'max_tokens');
  const template = await promptOf(config, fields, baseDir);
  const sampling = { votes, temperature, topP, topK, seed, maxTokens, maxTokensParam, parallelSamples };
  const verifier = verifierOptions(config, fields);
  const options = { mode, answerParsing, ...sampling, structuredOutput, template, verifier, contextTokens };
  return new OpenAICritic(config, settings, options);
}

type Fields = CriticFields<'openai-critic'>;

/** The built-in prompt, or the user's template in PRM Lens's syntax or in the benchmark's (exclusive). */
async function promptOf(config: CriticConfig, fields: Fields, baseDir: string | undefined): Promise<PromptTemplate> {
  const { mode, promptTemplate, promptTemplateFile } = fields;
  if (promptTemplate && promptTemplateFile) {
    const message = `critic "${config.id}": set promptTemplate or promptTemplateFile, not both`;
    throw new CriticConfigError(message, config.id, 'promptTemplateFile');
  }
  if (promptTemplateFile) {
    if (mode === 'sections') {
      const message = `critic "${config.id}": promptTemplateFile holds a benchmark's first-error template; mode "sections" takes promptTemplate`;
      throw new CriticConfigError(message, config.id, 'promptTemplateFile');
    }
    return { syntax: 'python', text: await loadTemplate(promptTemplateFile, baseDir, config.id, 'promptTemplateFile') };
  }
  if (promptTemplate) return { syntax: 'prm-lens', text: await loadTemplate(promptTemplate, baseDir, config.id) };
  const builtIn = {
    'first-error': DEFAULT_FIRST_ERROR_TEMPLATE,
    'per-step': DEFAULT_PER_STEP_TEMPLATE,
    sections: DEFAULT_SECTIONS_TEMPLATE,
    verifier: DEFAULT_VERIFIER_TEMPLATE,
  };
  return { syntax: 'prm-lens', text: builtIn[mode] };
}

/** An LLM asked for the earliest erroneous step (ProcessBench), or for a verdict on every step (`per-step`). */
export class OpenAICritic implements Critic {
  readonly id: string;
  readonly type = 'openai-critic';
  readonly label: string;
  private readonly endpoint: ChatEndpoint;
  /** Turned off for good once the server rejects JSON-schema output. */
  private structured: boolean;

  constructor(
    private readonly config: CriticConfig,
    settings: RemoteSettings,
    private readonly options: Options,
  ) {
    this.id = config.id;
    const kind = {
      'first-error': 'critic',
      'per-step': 'per-step critic',
      sections: 'section critic',
      verifier: 'verifier',
    }[options.mode];
    this.label = config.label ?? `${settings.model} (${kind})`;
    this.endpoint = new ChatEndpoint(config.id, settings);
    this.structured = options.structuredOutput;
  }

  /** The template it loaded (the built-in one too) stands for its file: a changed built-in prompt is a miss. */
  cacheIdentity(): string {
    // Only the field that named the file: an unset file field stays out of the identity.
    const { text, syntax } = this.options.template;
    const field = syntax === 'python' ? 'promptTemplateFile' : 'promptTemplate';
    return criticIdentity(this.config, { loaded: { [field]: text } });
  }

  async score(input: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const usage = new UsageTally();
    const signal = callSignal(input.signal);
    if (this.options.mode === 'sections') {
      const ask = async (prompt: string) =>
        (await this.sample([{ role: 'user', content: prompt }], usage, signal))[0]?.text ?? '';
      const { contextTokens, maxTokens, template } = this.options;
      const budget = contextTokens === undefined ? undefined : contextTokens - maxTokens;
      const judged = await judgeSections(input, template.text, budget, ask);
      if (input.signal?.aborted) throw new CancelledError();
      const timing = { startedAt, durationMs: performance.now() - t0 };
      return { criticId: this.id, ...judged, raw: judged.rationale, timing, usage: usage.toUsage() };
    }
    const prompt = renderTemplate(this.options.template, input.problem, input.steps);
    const samples = await this.sample([{ role: 'user', content: prompt }], usage, signal);
    if (input.signal?.aborted) throw new CancelledError();
    const n = input.steps.length;
    const { lenientOnly, ...judged } =
      this.options.mode === 'per-step'
        ? { ...(await perStepJudgement(samples, n)), lenientOnly: undefined }
        : this.options.mode === 'verifier'
          ? {
              ...verifierJudgement(samples[0].text, samples[0].tokens, n, this.options.verifier),
              rationale: samples[0].text,
              lenientOnly: undefined,
            }
          : firstErrorJudgement(samples, n, this.options.answerParsing);
    const usageOut = usage.toUsage();
    if (lenientOnly) usageOut.lenientOnlyAnswers = lenientOnly;
    return {
      criticId: this.id,
      ...judged,
      raw:
        samples.length === 1
          ? samples[0].text
          : samples.map((s, i) => `----- sample ${i + 1} of ${samples.length} -----\n${s.text}`).join('\n\n'),
      timing: { startedAt, durationMs: performance.now() - t0 },
      usage: usageOut,
    };
  }

  /** `votes` completions: in one request with `n` when allowed, topped up when a server returns fewer choices. */
  private async sample(
    messages: ChatCompletionMessageParam[],
    usage: UsageTally,
    signal?: AbortSignal,
  ): Promise<Sample[]> {
    const { votes, parallelSamples } = this.options;
    if (!parallelSamples) {
      // One failed vote fails the call: the other requests are aborted rather than sent for nothing.
      const one = (each: AbortSignal) => this.request(messages, 1, usage, each);
      return (
        await allOrNothing(
          Array.from({ length: votes }, () => one),
          signal,
        )
      ).flat();
    }
    const samples: Sample[] = [];
    // Servers that ignore `n` answer with one choice: a few top-up rounds, never an endless loop.
    for (let round = 0; samples.length < votes && round < votes; round++) {
      samples.push(...(await this.request(messages, votes - samples.length, usage, signal)));
    }
    return samples.slice(0, votes);
  }

  private async request(
    messages: ChatCompletionMessageParam[],
    n: number,
    usage: UsageTally,
    signal?: AbortSignal,
  ): Promise<Sample[]> {
    const { temperature, topP, topK, seed, maxTokens, maxTokensParam, mode } = this.options;
    // top_k is not an OpenAI parameter: vLLM and llama.cpp read it from the body.
    const request: ChatRequest & { top_k?: number } = { messages, [maxTokensParam]: maxTokens };
    if (n > 1) request.n = n;
    if (temperature !== null) request.temperature = temperature;
    if (topP !== null) request.top_p = topP;
    if (topK !== undefined) request.top_k = topK;
    if (seed !== undefined) request.seed = seed;
    if (mode === 'verifier') {
      Object.assign(request, { logprobs: true, top_logprobs: this.options.verifier.topLogprobs });
    }
    if (mode === 'per-step' && this.structured)
      request.response_format = {
        type: 'json_schema',
        json_schema: { name: 'step_verdicts', strict: true, schema: STEP_VERDICTS_SCHEMA },
      };
    try {
      const completion = await this.endpoint.complete(request, usage, signal);
      return completion.choices.map((c) => ({
        text: c.message.content ?? '',
        finishReason: c.finish_reason ?? null,
        tokens: Array.isArray(c.logprobs?.content) ? c.logprobs.content : undefined,
      }));
    } catch (err) {
      // Servers without structured output reject response_format: ask again with the prompt's JSON instructions only.
      if (
        request.response_format &&
        err instanceof RemoteError &&
        err.kind === 'bad-request' &&
        /response_format|json_schema|guided|grammar/i.test(err.message)
      ) {
        this.structured = false;
        return this.request(messages, n, usage, signal);
      }
      throw err;
    }
  }
}

const STEP_VERDICTS_SCHEMA = {
  type: 'object',
  properties: {
    steps: {
      type: 'array',
      items: {
        type: 'object',
        properties: { paragraph: { type: 'integer' }, explanation: { type: 'string' }, correct: { type: 'boolean' } },
        required: ['paragraph', 'explanation', 'correct'],
        additionalProperties: false,
      },
    },
  },
  required: ['steps'],
  additionalProperties: false,
};

type Judged = Pick<CriticResult, 'steps' | 'firstError' | 'rationale'>;

/**
 * The earliest error by vote, read with `rule` (see answer-vote.ts); `lenientOnly` counts the samples only the
 * lenient rule reads.
 */
export function firstErrorJudgement(
  samples: readonly Sample[],
  stepCount: number,
  rule: AnswerParsing,
): Judged & { lenientOnly: number } {
  const voted = voteFirstError(
    samples.map((s) => s.text),
    stepCount,
    rule,
  );
  const { lenientOnly } = voted;
  const winner = voted.index;
  if (winner === null) {
    const cut = samples.some((s) => s.finishReason === 'length') ? ' (the output hit maxTokens: raise it)' : '';
    const reason = `no prediction: ${voted.why ?? 'no answer'}${cut}`;
    return {
      steps: Array.from({ length: stepCount }, () => ({ score: null, verdict: 'unknown', reason })),
      firstError: null,
      rationale: samples[Math.max(0, voted.chosen)]?.text,
      lenientOnly,
    };
  }
  const chosen = samples[voted.chosen];
  const excerpts = critiqueByParagraph(chosen.text, stepCount);
  const voteNote = samples.length > 1 ? ` (${voted.count} of ${samples.length} votes)` : '';
  const steps: StepJudgement[] = excerpts.map((excerpt, i) => {
    const reason = excerpt === undefined ? undefined : shorten(excerpt);
    if (winner === -1 || i < winner) return withReason({ score: null, verdict: 'correct' }, reason);
    if (i === winner)
      return {
        score: null,
        verdict: 'incorrect',
        reason: `${reason ?? 'the critique names this the earliest error'}${voteNote}`,
      };
    return withReason({ score: null, verdict: 'unknown' }, reason);
  });
  return { steps, firstError: winner, rationale: chosen.text, lenientOnly };
}

/**
 * Per step, the majority verdict over the samples that judged it; with several samples, score = share saying
 * correct. Near-JSON is repaired, except in an answer cut by maxTokens: its steps stay unjudged, with the reason.
 * The first error is the first incorrect step; a step left unjudged before it leaves the solution unpredicted.
 */
export async function perStepJudgement(samples: readonly Sample[], stepCount: number): Promise<Judged> {
  const read = samples.map((s) => parseStepVerdicts(s.text, stepCount, { repair: s.finishReason !== 'length' }));
  const parsed = (await Promise.all(read)).filter((p): p is StepVerdict[] => p !== undefined);
  if (parsed.length === 0) {
    const cut = samples.some((s) => s.finishReason === 'length') ? ' (the output hit maxTokens: raise it)' : '';
    return {
      steps: Array.from({ length: stepCount }, () => ({
        score: null,
        verdict: 'unknown',
        reason: `no prediction: the answer is not the requested JSON${cut}`,
      })),
      firstError: null,
      rationale: samples[0]?.text,
    };
  }
  const steps: StepJudgement[] = Array.from({ length: stepCount }, (_, i) => {
    const said = parsed.map((p) => p[i]).filter((v): v is StepVerdict => v !== undefined);
    const yes = said.filter((v) => v.correct).length;
    const no = said.length - yes;
    const verdict = yes > no ? 'correct' : no > yes ? 'incorrect' : 'unknown';
    const score = samples.length > 1 && said.length > 0 ? yes / said.length : null;
    const explanation = said.find((v) => (verdict === 'correct') === v.correct)?.explanation ?? said[0]?.explanation;
    const note =
      samples.length > 1 && said.length > 0 ? ` (${verdict === 'incorrect' ? no : yes} of ${said.length} samples)` : '';
    return withReason({ score, verdict }, explanation === undefined ? undefined : `${shorten(explanation)}${note}`);
  });
  const decided = steps.findIndex((s) => s.verdict !== 'correct');
  const firstError = decided === -1 ? -1 : steps[decided].verdict === 'incorrect' ? decided : null;
  return { steps, firstError, rationale: samples[0].text };
}

function withReason(j: StepJudgement, reason: string | undefined): StepJudgement {
  return reason ? { ...j, reason } : j;
}

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= REASON_CHARS ? flat : `${flat.slice(0, REASON_CHARS - 1)}…`;
}
