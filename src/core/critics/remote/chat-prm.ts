import type { ChatCompletion, ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { readCriticFields } from '../../config/critics';
import { DEFAULT_FIRST_USER } from '../chatLayout';
import { judgeScores } from '../judgement';
import { CancelledError, Critic, CriticConfig, CriticInput, CriticResult, KeySource } from '../types';
import { remoteSettings, RemoteSettings } from './config';
import { ChatEndpoint } from './chat';
import { MalformedResponseError, RemoteError } from './http/errors';
import { Limiter } from './http/limiter';
import { allOrNothing } from './http/signal';
import { UsageTally } from './usage';
import { criticIdentity } from '../identity';
import { type PrmScope, rejudgeInScope, scoreInScope } from '../scope';

/** How a step's verdict is made: its p(+) against `threshold`, or the greedy reply as ProcessBench's protocol does. */
export type ChatPrmDecision = 'threshold' | 'greedy';

interface Options {
  decision: ChatPrmDecision;
  threshold: number;
  topLogprobs: number;
  positive: string;
  negative: string;
  logprobs: boolean;
  /** The first user turn, from {problem} and {step}. */
  firstUser: string;
  scope: PrmScope;
}

export async function createChatPrm(config: CriticConfig, keys: KeySource): Promise<ChatPrmCritic> {
  const fields = readCriticFields(config, 'chat-prm');
  const settings = await remoteSettings(config, fields, keys);
  const { decision, threshold, topLogprobs, logprobs, firstUser, scope } = fields;
  const { positiveToken: positive, negativeToken: negative } = fields;
  const options = { decision, threshold, topLogprobs, positive, negative, logprobs, firstUser, scope };
  return new ChatPrmCritic(config, settings, options);
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
  /** The critic's steps in flight, across items, started in the order they were queued. */
  private readonly slots: Limiter;

  constructor(
    private readonly config: CriticConfig,
    settings: RemoteSettings,
    private readonly options: Options,
  ) {
    this.id = config.id;
    this.label = config.label ?? `${settings.model} (chat PRM)`;
    this.endpoint = new ChatEndpoint(config.id, settings);
    this.slots = new Limiter(settings.concurrency);
  }

  /** The threshold only turns scores into verdicts: it stays out, and is applied again on a hit. */
  cacheIdentity(): string {
    return criticIdentity(this.config, { verdictsReapplied: true });
  }

  /** Re-applies the current threshold to cached scores (greedy verdicts do not depend on it). */
  rejudge(result: CriticResult, input: CriticInput): CriticResult {
    if (this.options.decision === 'greedy') return result;
    return rejudgeInScope(result, input, this.options.scope, (scoped) => ({
      ...scoped,
      ...judgeScores(
        scoped.steps.map((s) => s.score),
        this.options.threshold,
        scoped.steps.map((s) => s.reason),
      ),
    }));
  }

  /** With a `scope`, only the steps of that part of a trace are asked about (../scope.ts). */
  score(input: CriticInput): Promise<CriticResult> {
    return scoreInScope(this.id, input, this.options.scope, (scoped) => this.scoreSteps(scoped));
  }

  private async scoreSteps(input: CriticInput): Promise<CriticResult> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const usage = new UsageTally();
    const turns = new Conversations(input.problem, input.steps, this.options);
    const greedy = this.options.decision === 'greedy';
    // Greedy: no request after the first step the model does not answer "+" (those in flight are let go).
    let stopAt = Infinity;
    // Every step is queued at once, so a run's items finish in the order they started (a cancelled run keeps whole
    // items), but a step's conversation is made only when its request starts: made up front, an item's
    // conversations would take memory in the square of its steps (20,000 steps ran out of it).
    const steps = input.steps.map(
      (_, i) => (signal: AbortSignal) =>
        this.slots.run(async (): Promise<StepScore | undefined> => {
          if (i > stopAt) return undefined;
          const judged = await this.scoreStep(turns.upTo(i), i, usage, signal);
          if (greedy && !judged.greedyCorrect) stopAt = Math.min(stopAt, i);
          return judged;
        }, signal),
    );
    // One failed step fails the item: its other requests are aborted rather than sent for nothing.
    const judged = await allOrNothing(steps, input.signal);
    if (input.signal?.aborted) throw new CancelledError();
    return {
      criticId: this.id,
      ...(greedy
        ? greedyJudgement(judged, input.steps.length)
        : judgeScores(
            // Every step is asked unless greedy stopped early.
            judged.map((j) => j?.score ?? null),
            this.options.threshold,
            judged.map((j) => j?.reason),
          )),
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
    const completion = await this.endpoint.complete(
      { messages, max_tokens: 1, temperature: 0, ...(logprobs ? { logprobs: true, top_logprobs: topLogprobs } : {}) },
      usage,
      signal,
    );
    try {
      const { decision, positive, negative } = this.options;
      if (decision === 'greedy') return greedyStep(completion, positive, negative);
      return stepScore(completion, positive, negative);
    } catch (err) {
      // Not retried: at temperature 0 the model would say the same again. The item fails; no verdict is made.
      if (!(err instanceof MalformedResponseError)) throw err;
      throw new RemoteError(`critic "${this.id}": ${err.message} at step ${step + 1}, not a score`, 'malformed', false);
    }
  }
}

/**
 * The conversations of one item, one per step, sharing their turns: the one that asks about step i is the problem and
 * steps 0..i as user turns, each earlier step answered "+" as in RLHFlow's training data.
 */
export class Conversations {
  /** Every step's user turn, each followed by the assistant's "+" (all but the last). */
  private readonly turns: ChatCompletionMessageParam[] = [];

  constructor(problem: string, steps: readonly string[], layout: { positive: string; firstUser?: string }) {
    const template = layout.firstUser ?? DEFAULT_FIRST_USER;
    const first = template.replace(/\{(problem|step)\}/g, (_, key: string) => (key === 'problem' ? problem : steps[0]));
    const answer: ChatCompletionMessageParam = { role: 'assistant', content: layout.positive };
    steps.forEach((step, i) => {
      if (i > 0) this.turns.push(answer);
      this.turns.push({ role: 'user', content: i === 0 ? first : step });
    });
  }

  /** The conversation that asks about step `step`: a new array of the shared turns. */
  upTo(step: number): ChatCompletionMessageParam[] {
    return this.turns.slice(0, 2 * step + 1);
  }
}

interface StepScore {
  score: number | null;
  reason: string;
  /** Greedy decision: the reply starts with the positive token. */
  greedyCorrect?: boolean;
}

/**
 * ProcessBench's RLHFlow protocol: the step is correct when the one-token reply at temperature 0, stripped and
 * lower-cased, starts with "+"; any other reply (not only "-") is the earliest error. The score stays p(+) when the
 * server sends log-probabilities, for the views; it does not make the verdict.
 */
export function greedyStep(completion: ChatCompletion, positive: string, negative: string): StepScore {
  const reply = (completion.choices[0]?.message.content ?? '').trim();
  const greedyCorrect = reply.toLowerCase().startsWith(positive.toLowerCase());
  const score = positiveShare(completion, positive, negative) ?? null;
  const p = score === null ? '' : `; p(${positive}) = ${score.toFixed(3)}`;
  return { score, reason: `greedy reply ${JSON.stringify(reply.slice(0, 20))}${p}`, greedyCorrect };
}

const AFTER_FIRST_ERROR = "after the first error, as ProcessBench's protocol stops";

/** Verdicts from the greedy replies: correct up to the first other reply, that step incorrect, later ones unasked. */
function greedyJudgement(
  judged: readonly (StepScore | undefined)[],
  stepCount: number,
): Pick<CriticResult, 'steps' | 'firstError'> {
  const first = judged.findIndex((j) => j !== undefined && !j.greedyCorrect);
  const steps = Array.from({ length: stepCount }, (_, i) => {
    const step = judged[i];
    // Only steps after the first error go unasked.
    if (step === undefined || (first !== -1 && i > first)) {
      return { score: null, verdict: 'unknown' as const, reason: AFTER_FIRST_ERROR };
    }
    const { score, reason, greedyCorrect } = step;
    return { score, verdict: greedyCorrect ? ('correct' as const) : ('incorrect' as const), reason };
  });
  return { steps, firstError: first };
}

/**
 * p(+) / (p(+) + p(−)) over the first token's top_logprobs (tokens compared without surrounding spaces, so "+" and
 * " +" count together); else the one-token reply itself (1 for "+", 0 for "-"); else no score. A log-probability
 * that is not a number at most 0 (NaN arrives as null; 1000 or 1e999 would make the score NaN) is a
 * MalformedResponseError, never a score.
 */
export function stepScore(completion: ChatCompletion, positive: string, negative: string): StepScore {
  const choice = completion.choices[0];
  const share = positiveShare(completion, positive, negative);
  if (share !== undefined) {
    return { score: share, reason: `p(${positive}) = ${share.toFixed(3)} from the next-token probabilities` };
  }
  const reply = (choice.message.content ?? '').trim();
  if (reply.startsWith(positive))
    return { score: 1, reason: `replied "${positive}" (the server gave no probabilities)` };
  if (reply.startsWith(negative))
    return { score: 0, reason: `replied "${negative}" (the server gave no probabilities)` };
  return {
    score: null,
    reason: `no score: the reply ${JSON.stringify(reply.slice(0, 20))} is neither "${positive}" nor "${negative}"`,
  };
}

/** p(+) / (p(+) + p(−)) over the first token's top_logprobs, or undefined when neither token is among them. */
function positiveShare(completion: ChatCompletion, positive: string, negative: string): number | undefined {
  const top = completion.choices[0]?.logprobs?.content?.[0]?.top_logprobs;
  if (!Array.isArray(top) || top.length === 0) return undefined;
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
  return p + q > 0 ? p / (p + q) : undefined;
}
