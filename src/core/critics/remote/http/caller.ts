import { UsageTally } from '../usage';
import { CircuitBreaker } from './breaker';
import { CallContext } from './errors';
import { Limiter } from './limiter';
import { estimateTokens, rateWindow, RateWindow, SYSTEM_CLOCK } from './rate';
import { RetryPolicy, withRetry } from './retry';

/** The parts of a remote critic's settings its requests obey. */
export interface CallerSettings {
  baseURL: string;
  model: string | undefined;
  concurrency: number;
  timeoutMs: number;
  retry: RetryPolicy;
  maxConsecutiveFailures: number;
  rpm: number;
  tpm: number;
}

export interface CallOptions<T> {
  usage: UsageTally;
  signal?: AbortSignal;
  /** What the request sends, for the token estimate booked under `tpm` before the server reports usage. */
  prompt: unknown;
  /** Tokens the server counted for an answer (prompt + completion), when it says. */
  tokens(result: T): number | undefined;
}

/**
 * Everything one critic's requests go through: at most `concurrency` in flight, the process-wide rate caps of its
 * endpoint, its circuit breaker and the retry policy.
 */
export class CriticCaller {
  private readonly limiter: Limiter;
  private readonly breaker: CircuitBreaker;
  private readonly window: RateWindow | undefined;

  constructor(
    readonly context: CallContext,
    private readonly settings: CallerSettings,
  ) {
    this.limiter = new Limiter(settings.concurrency);
    this.breaker = new CircuitBreaker(context.criticId, settings.maxConsecutiveFailures);
    const capped = Number.isFinite(settings.rpm) || Number.isFinite(settings.tpm);
    this.window = capped ? rateWindow(settings.baseURL, settings.model, SYSTEM_CLOCK) : undefined;
  }

  call<T>(attempt: (signal: AbortSignal) => Promise<T>, opts: CallOptions<T>): Promise<T> {
    const { retry, timeoutMs, rpm, tpm } = this.settings;
    const { usage, signal } = opts;
    const caps = { rpm, tpm };
    const rate = this.window && { window: this.window, caps, estimate: estimateTokens(opts.prompt), used: opts.tokens };
    return this.limiter.run(
      () =>
        withRetry(attempt, {
          policy: retry,
          timeoutMs,
          signal,
          context: this.context,
          onAttempt: () => (usage.requests += 1),
          breaker: this.breaker,
          rate,
        }),
      signal,
    );
  }
}
