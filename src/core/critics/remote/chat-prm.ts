import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { readCriticFields } from '../../config/critics';
import { DEFAULT_FIRST_USER } from '../chatLayout';
import { judgeScores } from '../judgement';
import { CancelledError, Critic, CriticConfig, CriticInput, CriticResult, KeySource } from '../types';
import { remoteSettings, RemoteSettings } from './config';
import { ChatEndpoint } from './chat';
import { MalformedResponseError, RemoteError } from './http/errors';
import { allOrNothing } from './http/signal';
import { UsageTally } from './usage';
import { criticIdentity } from '../identity';

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
  const fields = readCriticFields(config, 'chat-prm');
  const settings = await remoteSettings(config, fields, keys);
  const { threshold, topLogprobs, positiveToken: positive, negativeToken: negative, logprobs, firstUser } = fields;
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
    private readonly config: CriticConfig,
    settings: RemoteSettings,
    private readonly options: Options,
  ) {
    this.id = config.id;
    this.label = config.label ?? `${settings.model} (chat PRM)`;
    this.endpoint = new ChatEndpoint(config.id, settings);
  }

  /** The threshold only turns scores into verdicts: it stays out, and is applied again on a hit. */
  cacheIdentity(): string {
    return criticIdentity(this.config, { verdictsReapplied: true });
  }

  /** Re-applies the current threshold to cached scores. */
  rejudge(result: CriticResult): CriticResult {
    return { ...result, ...judgeScores(result.steps.map((s) => s.score), this.options.threshold, result.steps.map((s) => s.reason)) };
  }

  async score(input: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const usage = new UsageTally();
    // One failed step fails the item: its other requests are aborted rather than sent for nothing.
    const steps = input.steps.map((_, i) => (signal: AbortSignal) => {
      const messages = conversation(input.problem, input.steps, i, this.options);
      return this.scoreStep(messages, i, usage, signal);
    });
    const judged = await allOrNothing(steps, input.signal);
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

  private async scoreStep(
    messages: ChatCompletionMessageParam[],
    step: number,
    usage: UsageTally,
    signal: AbortSignal,
  ): Promise<StepScore> {
    const { logprobs, topLogprobs } = this.options;
    const completion = await this.endpoint.complete({ messages, max_tokens: 1, temperature: 0, ...(logprobs ? { logprobs: true, top_logprobs: topLogprobs } : {}) }, usage, signal);
    try {
      return stepScore(completion, this.options.positive, this.options.negative);
    } catch (err) {
      // Not retried: at temperature 0 the model would say the same again. The item fails; no verdict is made.
      if (!(err instanceof MalformedResponseError)) throw err;
      throw new RemoteError(`critic "${this.id}": ${err.message} at step ${step + 1}, not a score`, 'malformed', false);
    }
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

interface StepScore {
  score: number | null;
  reason: string;
}

/**
 * p(+) / (p(+) + p(−)) over the first token's top_logprobs (tokens compared without surrounding spaces, so "+" and
 * " +" count together); else the one-token reply itself (1 for "+", 0 for "-"); else no score. A log-probability
 * that is not a number at most 0 (NaN arrives as null; 1000 or 1e999 would make the score NaN) is a
 * MalformedResponseError, never a score.
 */
export function stepScore(completion: ChatCompletion, positive: string, negative: string): StepScore {
  const choice = completion.choices[0];
  const top = choice.logprobs?.content?.[0]?.top_logprobs;
  if (Array.isArray(top) && top.length > 0) {
    let p = 0;
    let q = 0;
    for (const t of top) {
      const token = typeof t.token === 'string' ? t.token.trim() : '';
      const logprob: unknown = t.logprob;
      if (typeof logprob !== 'number' || Number.isNaN(logprob) || logprob > 0) {
        // The token is not quoted: it is server text, and only our own two tokens are worth naming.
        const of = token === positive || token === negative ? ` of "${token}"` : '';
        throw new MalformedResponseError(`the model returned the log-probability ${String(logprob)}${of}`);
      }
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
