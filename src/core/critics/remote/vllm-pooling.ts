import {
  CancelledError,
  Critic,
  CriticConfig,
  CriticConfigError,
  CriticInput,
  CriticResult,
  KeySource,
} from '../types';
import { readCriticFields } from '../../config/critics';
import { judgeScores } from '../judgement';
import { remoteSettings, RemoteSettings } from './config';
import { CriticCaller } from './http/caller';
import { MalformedResponseError } from './http/errors';
import { postJson } from './http/fetch';
import { callSignal } from './http/signal';
import { reportedTokens, ReportedUsage, UsageTally } from './usage';
import { criticIdentity } from '../identity';
import { type PrmScope, rejudgeInScope, scoreInScope } from '../scope';

interface Options {
  stepTag: string;
  input: 'chat' | 'text';
  system: string;
  positiveIndex: number;
  threshold: number;
  scope: PrmScope;
}

export async function createVllmPooling(config: CriticConfig, keys: KeySource): Promise<VllmPoolingCritic> {
  const fields = readCriticFields(config, 'vllm-pooling');
  const settings = await remoteSettings(config, fields, keys);
  const { stepTag, input, system, positiveIndex, threshold, scope } = fields;
  return new VllmPoolingCritic(config, settings, { stepTag, input, system, positiveIndex, threshold, scope });
}

/**
 * A PRM served by vLLM's pooling API (`POST /pooling` at the server root). Each step ends with the model's step
 * tag; with the step pooler vLLM returns one output per tag: the class probabilities (positive class at
 * `positiveIndex`) or one probability. The number of outputs must equal the number of steps. With a `scope` only
 * the steps of that part of a trace are sent (../scope.ts).
 */
export class VllmPoolingCritic implements Critic {
  readonly id: string;
  readonly type = 'vllm-pooling';
  readonly label: string;
  private readonly caller: CriticCaller;

  constructor(
    private readonly config: CriticConfig,
    private readonly settings: RemoteSettings,
    private readonly options: Options,
  ) {
    this.id = config.id;
    this.label = config.label ?? `${settings.model ?? 'vLLM PRM'} (pooling)`;
    const { model, keyHint, apiKey } = settings;
    const url = `${settings.baseURL}/pooling`;
    this.caller = new CriticCaller({ criticId: config.id, url, model, keyHint, apiKey }, settings);
  }

  /** The threshold only turns scores into verdicts: it stays out, and is applied again on a hit. */
  cacheIdentity(): string {
    return criticIdentity(this.config, { verdictsReapplied: true });
  }

  rejudge(result: CriticResult, input: CriticInput): CriticResult {
    return rejudgeInScope(result, input, this.options.scope, (scoped) => ({
      ...scoped,
      ...judgeScores(
        scoped.steps.map((s) => s.score),
        this.options.threshold,
      ),
    }));
  }

  /** The request body: chat messages (vLLM applies the model's chat template) or one text. */
  requestBody(problem: string, steps: readonly string[]): Record<string, unknown> {
    const { stepTag, input, system } = this.options;
    const clash = steps.findIndex((s) => s.includes(stepTag));
    if (clash >= 0)
      throw new CriticConfigError(
        `critic "${this.id}": step ${clash + 1} contains the step tag ${JSON.stringify(stepTag)}, which would split it in two; change "stepTag" or the step's text`,
        this.id,
        'stepTag',
      );
    const model = this.settings.model === undefined ? {} : { model: this.settings.model };
    if (input === 'text')
      return {
        ...model,
        input: `${problem}\n${steps.map((s) => `${s}${stepTag}`).join('\n')}`,
        encoding_format: 'float',
      };
    const messages = [
      { role: 'system', content: system },
      { role: 'user', content: problem },
      { role: 'assistant', content: `${steps.join(stepTag)}${stepTag}` },
    ];
    return { ...model, messages, encoding_format: 'float' };
  }

  score(input: CriticInput): Promise<CriticResult> {
    return scoreInScope(this.id, input, this.options.scope, (scoped) => this.scoreSteps(scoped));
  }

  private async scoreSteps(input: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const usage = new UsageTally();
    const body = this.requestBody(input.problem, input.steps);
    const headers: Record<string, string> = this.settings.apiKey
      ? { authorization: `Bearer ${this.settings.apiKey}` }
      : {};
    const signal = callSignal(input.signal);
    const url = this.caller.context.url;
    const { scores } = await this.caller.call(
      async (attemptSignal) => {
        const answer = await postJson(url, body, headers, attemptSignal, this.settings.maxResponseBytes);
        // Read first: it rejects anything but an object with "data".
        const scores = poolingScores(answer, this.options.positiveIndex);
        const reported = (answer as { usage?: ReportedUsage }).usage;
        usage.addTokens(reported);
        return { scores, tokens: reportedTokens(reported) };
      },
      { usage, signal, prompt: body, tokens: (answer) => answer.tokens },
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
 * p. Anything else is a MalformedResponseError naming what was found; so is a value that is not a finite number
 * (JSON has no NaN: servers write it as null; an overflow such as 1e999 reads as Infinity).
 */
export function poolingScores(answer: unknown, positiveIndex: number): number[] {
  const data = (answer as { data?: unknown } | null)?.data;
  if (!Array.isArray(data) || data.length === 0) {
    throw new MalformedResponseError('expected {"data": [...]} from /pooling', false, JSON.stringify(answer));
  }
  const first = data[0] as unknown;
  const outputs = Array.isArray(first) ? first : (first as { data?: unknown } | null)?.data;
  if (!Array.isArray(outputs)) {
    const what = 'expected data[0].data to be a list of step outputs';
    throw new MalformedResponseError(what, false, JSON.stringify(first));
  }
  return outputs.map((o, i) => stepProbability(o, positiveIndex, i));
}

function stepProbability(output: unknown, positiveIndex: number, i: number): number {
  const values = typeof output === 'number' ? [output] : output;
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === 'number' || v === null)) {
    throw new MalformedResponseError(`step output ${i} is not a list of numbers`, false, JSON.stringify(output));
  }
  const bad = values.find((v) => typeof v !== 'number' || !Number.isFinite(v));
  if (bad !== undefined) {
    throw new MalformedResponseError(`the model returned ${String(bad)} at step ${i + 1}, not a score`);
  }
  const nums = values as number[];
  if (nums.length === 1) {
    const v = nums[0];
    return v >= 0 && v <= 1 ? v : 1 / (1 + Math.exp(-v));
  }
  if (positiveIndex >= nums.length)
    throw new MalformedResponseError(
      `step output ${i} has ${nums.length} values, so positiveIndex ${positiveIndex} does not exist`,
    );
  const isDistribution = nums.every((v) => v >= 0 && v <= 1) && Math.abs(nums.reduce((a, b) => a + b, 0) - 1) < 1e-3;
  if (isDistribution) return nums[positiveIndex];
  const max = Math.max(...nums);
  const exps = nums.map((v) => Math.exp(v - max));
  return exps[positiveIndex] / exps.reduce((a, b) => a + b, 0);
}
