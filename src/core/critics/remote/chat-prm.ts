import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { DEFAULT_FIRST_USER, firstUserProblem } from '../chatLayout';
import { CancelledError, Critic, CriticConfig, CriticInput, CriticResult, KeySource } from '../types';
import { ConfigReader, readRemoteSettings, RemoteSettings } from './config';
import { ChatEndpoint } from './chat';
import { judgeScores } from '../judgement';
import { callSignal } from './http/signal';
import { UsageTally } from './usage';

interface Options {
  threshold: number;
  topLogprobs: number;
  positive: string;
  negative: string;
  logprobs: boolean;
  /** The first user turn, from {problem} and {step}. */
  firstUser: string;
}

export async function createChatPrm(config: CriticConfig, keys: KeySource): Promise<ChatPrmCritic> {
  const r = new ConfigReader(config);
  const settings = await readRemoteSettings(r, keys, { modelRequired: true, timeoutMs: 60_000 });
  const threshold = r.number('threshold', 0.5, { min: 0, max: 1 });
  const topLogprobs = r.number('topLogprobs', 10, { min: 1, max: 20, integer: true });
  const positive = r.string('positiveToken', '+');
  const negative = r.string('negativeToken', '-');
  // Some servers reject the logprobs options outright: `logprobs: false` reads the one-token reply instead.
  const logprobs = r.boolean('logprobs', true);
  const firstUser = r.checkedString('firstUser', DEFAULT_FIRST_USER, firstUserProblem);
  r.done();
  return new ChatPrmCritic(config, settings, { threshold, topLogprobs, positive, negative, logprobs, firstUser });
}

/**
 * RLHFlow-style PRMs behind a chat endpoint: the conversation has one user turn per step (the first one is the
 * problem and step 0, laid out by `firstUser`) with the assistant answering "+" after each earlier step; the step's
 * score is the probability of "+" against "-" as the next token.
 */
export class ChatPrmCritic implements Critic {
  readonly id: string;
  readonly type = 'chat-prm';
  readonly label: string;
  private readonly endpoint: ChatEndpoint;

  constructor(
    config: CriticConfig,
    private readonly settings: RemoteSettings,
    private readonly options: Options,
  ) {
    this.id = config.id;
    this.label = config.label ?? `${settings.model} (chat PRM)`;
    this.endpoint = new ChatEndpoint(config.id, settings);
  }

  cacheIdentity(): unknown {
    const { baseURL, model } = this.settings;
    const { positive, negative, logprobs, firstUser } = this.options;
    // The threshold only turns scores into verdicts: it is applied again on a cache hit.
    return { type: this.type, baseURL, model, positive, negative, logprobs, ...(firstUser === DEFAULT_FIRST_USER ? {} : { firstUser }) };
  }

  /** Re-applies the current threshold to cached scores. */
  rejudge(result: CriticResult): CriticResult {
    return { ...result, ...judgeScores(result.steps.map((s) => s.score), this.options.threshold, result.steps.map((s) => s.reason)) };
  }

  async score(input: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const usage = new UsageTally();
    const signal = callSignal(input.signal);
    const judged = await Promise.all(input.steps.map((_, i) => this.scoreStep(conversation(input.problem, input.steps, i, this.options), usage, signal)));
    if (input.signal?.aborted) throw new CancelledError();
    return {
      criticId: this.id,
      ...judgeScores(
        judged.map((j) => j.score),
        this.options.threshold,
        judged.map((j) => j.reason),
      ),
      timing: { startedAt, durationMs: performance.now() - t0 },
      usage: usage.toUsage(),
    };
  }

  private async scoreStep(messages: ChatCompletionMessageParam[], usage: UsageTally, signal?: AbortSignal): Promise<{ score: number | null; reason: string }> {
    const { logprobs, topLogprobs } = this.options;
    const completion = await this.endpoint.complete({ messages, max_tokens: 1, temperature: 0, ...(logprobs ? { logprobs: true, top_logprobs: topLogprobs } : {}) }, usage, signal);
    return stepScore(completion, this.options.positive, this.options.negative);
  }
}

/** The conversation that asks about step `upTo`: earlier steps are answered "+" as in RLHFlow's training data. */
export function conversation(
  problem: string,
  steps: readonly string[],
  upTo: number,
  layout: { positive: string; firstUser?: string },
): ChatCompletionMessageParam[] {
  const first = (layout.firstUser ?? DEFAULT_FIRST_USER).replace(/\{(problem|step)\}/g, (_, key: string) => (key === 'problem' ? problem : steps[0]));
  const messages: ChatCompletionMessageParam[] = [];
  for (let i = 0; i <= upTo; i++) {
    messages.push({ role: 'user', content: i === 0 ? first : steps[i] });
    if (i < upTo) messages.push({ role: 'assistant', content: layout.positive });
  }
  return messages;
}

/**
 * p(+) / (p(+) + p(−)) over the first token's top_logprobs (tokens compared without surrounding spaces, so "+" and
 * " +" count together); else the one-token reply itself (1 for "+", 0 for "-"); else no score.
 */
export function stepScore(completion: ChatCompletion, positive: string, negative: string): { score: number | null; reason: string } {
  const choice = completion.choices[0];
  const top = choice.logprobs?.content?.[0]?.top_logprobs;
  if (Array.isArray(top) && top.length > 0) {
    let p = 0;
    let q = 0;
    for (const t of top) {
      const token = typeof t.token === 'string' ? t.token.trim() : '';
      if (typeof t.logprob !== 'number') continue;
      if (token === positive) p += Math.exp(t.logprob);
      else if (token === negative) q += Math.exp(t.logprob);
    }
    if (p + q > 0) return { score: p / (p + q), reason: `p(${positive}) = ${(p / (p + q)).toFixed(3)} from the next-token probabilities` };
  }
  const reply = (choice.message.content ?? '').trim();
  if (reply.startsWith(positive)) return { score: 1, reason: `replied "${positive}" (the server gave no probabilities)` };
  if (reply.startsWith(negative)) return { score: 0, reason: `replied "${negative}" (the server gave no probabilities)` };
  return { score: null, reason: `no score: the reply ${JSON.stringify(reply.slice(0, 20))} is neither "${positive}" nor "${negative}"` };
}
