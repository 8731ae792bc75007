import { CancelledError, Critic, CriticConfig, CriticConfigError, CriticInput, CriticResult, KeySource } from '../types';
import { ConfigReader, readRemoteSettings, RemoteSettings } from './config';
import { CallContext, MalformedResponseError } from './http/errors';
import { postJson } from './http/fetch';
import { Limiter } from './http/limiter';
import { withRetry } from './http/retry';
import { judgeScores } from '../judgement';
import { callSignal } from './http/signal';
import { UsageTally } from './usage';

/** Qwen2.5-Math-PRM's system prompt: the layout its step scores were trained with. */
const QWEN_PRM_SYSTEM = 'Please reason step by step, and put your final answer within \\boxed{}.';

interface Options {
  stepTag: string;
  input: 'chat' | 'text';
  system: string;
  positiveIndex: number;
  threshold: number;
}

export async function createVllmPooling(config: CriticConfig, keys: KeySource): Promise<VllmPoolingCritic> {
  const r = new ConfigReader(config);
  const settings = await readRemoteSettings(r, keys, { modelRequired: false, timeoutMs: 120_000 });
  const stepTag = r.string('stepTag', '<extra_0>');
  const input = r.oneOf('input', ['chat', 'text'] as const, 'chat');
  const system = r.string('system', QWEN_PRM_SYSTEM);
  const positiveIndex = r.number('positiveIndex', 1, { min: 0, integer: true });
  const threshold = r.number('threshold', 0.5, { min: 0, max: 1 });
  r.done();
  return new VllmPoolingCritic(config, settings, { stepTag, input, system, positiveIndex, threshold });
}

/**
 * A PRM served by vLLM's pooling API (`POST /pooling` at the server root). Each step ends with the model's step
 * tag; with the step pooler vLLM returns one output per tag: the class probabilities (positive class at
 * `positiveIndex`) or one probability. The number of outputs must equal the number of steps.
 */
export class VllmPoolingCritic implements Critic {
  readonly id: string;
  readonly type = 'vllm-pooling';
  readonly label: string;
  private readonly limiter: Limiter;
  private readonly context: CallContext;

  constructor(
    config: CriticConfig,
    private readonly settings: RemoteSettings,
    private readonly options: Options,
  ) {
    this.id = config.id;
    this.label = config.label ?? `${settings.model ?? 'vLLM PRM'} (pooling)`;
    this.limiter = new Limiter(settings.concurrency);
    this.context = { criticId: config.id, url: `${settings.baseURL}/pooling`, model: settings.model, keyHint: settings.keyHint, apiKey: settings.apiKey };
  }

  cacheIdentity(): unknown {
    const { baseURL, model } = this.settings;
    const { stepTag, input, system, positiveIndex } = this.options;
    return { type: this.type, baseURL, model, stepTag, input, system, positiveIndex };
  }

  rejudge(result: CriticResult): CriticResult {
    return { ...result, ...judgeScores(result.steps.map((s) => s.score), this.options.threshold) };
  }

  /** The request body: chat messages (vLLM applies the model's chat template) or one text. */
  requestBody(problem: string, steps: readonly string[]): Record<string, unknown> {
    const { stepTag, input, system } = this.options;
    const clash = steps.findIndex((s) => s.includes(stepTag));
    if (clash >= 0) throw new CriticConfigError(`critic "${this.id}": step ${clash + 1} contains the step tag ${JSON.stringify(stepTag)}, which would split it in two; change "stepTag" or the step's text`, this.id, 'stepTag');
    const model = this.settings.model === undefined ? {} : { model: this.settings.model };
    if (input === 'text') return { ...model, input: `${problem}\n${steps.map((s) => `${s}${stepTag}`).join('\n')}`, encoding_format: 'float' };
    const messages = [
      { role: 'system', content: system },
      { role: 'user', content: problem },
      { role: 'assistant', content: `${steps.join(stepTag)}${stepTag}` },
    ];
    return { ...model, messages, encoding_format: 'float' };
  }

  async score(input: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const usage = new UsageTally();
    const body = this.requestBody(input.problem, input.steps);
    const headers: Record<string, string> = this.settings.apiKey ? { authorization: `Bearer ${this.settings.apiKey}` } : {};
    const signal = callSignal(input.signal);
    const scores = await this.limiter.run(
      () =>
        withRetry(
          async (signal) => {
            const answer = await postJson(this.context.url, body, headers, signal);
            const parsed = poolingScores(answer, this.options.positiveIndex);
            usage.addTokens((answer as { usage?: { prompt_tokens?: unknown } }).usage);
            return parsed;
          },
          { policy: this.settings.retry, timeoutMs: this.settings.timeoutMs, signal, context: this.context, onAttempt: () => (usage.requests += 1) },
        ),
      signal,
    );
    if (input.signal?.aborted) throw new CancelledError();
    if (scores.length !== input.steps.length) {
      throw new Error(
        `critic "${this.id}": the server returned ${scores.length} score${scores.length === 1 ? '' : 's'} for ${input.steps.length} step${input.steps.length === 1 ? '' : 's'}. ` +
          `Check "stepTag" (the model's step token, ${JSON.stringify(this.options.stepTag)} now) and that vLLM pools at that token ` +
          '(the step pooler with step_tag_id); a server that pools every token returns one output per token.',
      );
    }
    return {
      criticId: this.id,
      ...judgeScores(scores, this.options.threshold),
      timing: { startedAt, durationMs: performance.now() - t0 },
      usage: usage.toUsage(),
    };
  }
}

/**
 * Step probabilities from a /pooling answer. Accepts `{data: [{data: X}]}` (vLLM's PoolingResponse) and
 * `{data: [X]}`, where X is one entry per step: [p_neg, p_pos] class probabilities (logits are soft-maxed), [p] or
 * p. Anything else is a MalformedResponseError naming what was found.
 */
export function poolingScores(answer: unknown, positiveIndex: number): number[] {
  const data = (answer as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0) throw new MalformedResponseError(`expected {"data": [...]} from /pooling, got ${preview(answer)}`);
  const first = data[0] as unknown;
  const outputs = Array.isArray(first) ? first : (first as { data?: unknown } | null)?.data;
  if (!Array.isArray(outputs)) throw new MalformedResponseError(`expected data[0].data to be a list of step outputs, got ${preview(first)}`);
  return outputs.map((o, i) => stepProbability(o, positiveIndex, i));
}

function stepProbability(output: unknown, positiveIndex: number, i: number): number {
  const values = typeof output === 'number' ? [output] : output;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new MalformedResponseError(`step output ${i} is not a list of numbers: ${preview(output)}`);
  }
  const nums = values as number[];
  if (nums.length === 1) {
    const v = nums[0];
    return v >= 0 && v <= 1 ? v : 1 / (1 + Math.exp(-v));
  }
  if (positiveIndex >= nums.length) throw new MalformedResponseError(`step output ${i} has ${nums.length} values, so positiveIndex ${positiveIndex} does not exist`);
  const isDistribution = nums.every((v) => v >= 0 && v <= 1) && Math.abs(nums.reduce((a, b) => a + b, 0) - 1) < 1e-3;
  if (isDistribution) return nums[positiveIndex];
  const max = Math.max(...nums);
  const exps = nums.map((v) => Math.exp(v - max));
  return exps[positiveIndex] / exps.reduce((a, b) => a + b, 0);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
