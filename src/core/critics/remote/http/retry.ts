import { CancelledError } from '../../types';
import { CircuitBreaker } from './breaker';
import { CallContext, RemoteError } from './errors';
import { classifyError } from './classify';
import { RateCaps, RateWindow, Reservation } from './rate';
import { sleep } from './signal';

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /**
   * Of those, how many may follow a timeout. A server that let one attempt run out the whole timeout is stuck or
   * overloaded and rarely answers the same request faster: one more try, so the worst case of a call is about
   * 2 × timeoutMs, not (retries + 1) × timeoutMs.
   */
  timeoutRetries: number;
  /** Backoff before retry k (from 0) is baseDelayMs · 2^k, capped at maxDelayMs, then jittered. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails the call at once instead of stalling a run. */
  maxRetryAfterMs: number;
  /** Source of jitter in [0, 1); tests inject a fixed one. */
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 4,
  timeoutRetries: 1,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

/** "Equal jitter": half the capped exponential delay plus a random half, so retries of many calls spread out. */
export function backoffDelay(retryIndex: number, policy: RetryPolicy): number {
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return capped / 2 + (policy.random ?? Math.random)() * (capped / 2);
}

/** Rate caps an attempt waits for: `estimate` tokens are booked before sending, corrected by `used` after. */
export interface RateGate<T> {
  window: RateWindow;
  caps: RateCaps;
  estimate: number;
  /** Tokens the server counted for this answer (prompt + completion), when it says. */
  used(result: T): number | undefined;
}

export interface RetryOptions<T> {
  policy: RetryPolicy;
  /** Each attempt (not the whole call) is aborted after this long, then counts as a retryable timeout. */
  timeoutMs: number;
  signal?: AbortSignal;
  context: CallContext;
  /** Called before every attempt (requests are counted in usage). */
  onAttempt?: () => void;
  breaker?: CircuitBreaker;
  rate?: RateGate<T>;
}

/**
 * Runs `attempt` until it succeeds, retrying timeouts (once), connection resets, 408/429/5xx and truncated answers
 * with exponential backoff and jitter, or exactly the server's Retry-After when it gives one. 400/401/403/404 fail
 * at once, and so does every attempt while the critic's breaker is open. Each attempt first waits for room under
 * the rate caps (outside its timeout). Cancelling `signal` aborts the attempt in flight and any wait, rejecting
 * with CancelledError.
 */
export async function withRetry<T>(attempt: (signal: AbortSignal) => Promise<T>, opts: RetryOptions<T>): Promise<T> {
  const { policy, timeoutMs, signal, context, breaker, rate } = opts;
  for (let retry = 0, timeouts = 0; ; retry++) {
    if (signal?.aborted) throw new CancelledError();
    const reservation = await rate?.window.acquire(rate.estimate, rate.caps, signal);
    admit(breaker, reservation);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    let failure: RemoteError;
    try {
      opts.onAttempt?.();
      const result = await attempt(controller.signal);
      breaker?.record(undefined);
      const used = rate?.used(result);
      if (used !== undefined) reservation?.settle(used);
      return result;
    } catch (err) {
      if (signal?.aborted) {
        breaker?.cancelled();
        throw new CancelledError();
      }
      failure = timedOut
        ? new RemoteError(
            `critic "${context.criticId}": no answer from ${context.url} within ${timeoutMs} ms. Raise "timeoutMs" or check the server's load.`,
            'timeout',
            true,
          )
        : classifyError(err, context);
      breaker?.record(failure);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (!failure.retryable) throw failure;
    if (failure.kind === 'timeout' && ++timeouts > policy.timeoutRetries) throw retriesExhausted(failure, retry + 1);
    if (retry >= policy.retries) throw retriesExhausted(failure, retry + 1);
    const wait = failure.retryAfterMs ?? backoffDelay(retry, policy);
    if (wait > policy.maxRetryAfterMs) {
      throw new RemoteError(
        `${failure.message} The server asked to retry after ${Math.round(wait / 1000)} s, longer than PRM Lens waits; try again later.`,
        failure.kind,
        false,
        failure.retryAfterMs,
        failure.status,
      );
    }
    await sleep(wait, signal);
  }
}

/** The breaker's verdict on the next attempt; a refused attempt gives back its place under the rate caps. */
function admit(breaker: CircuitBreaker | undefined, reservation: Reservation | undefined): void {
  try {
    breaker?.admit();
  } catch (err) {
    reservation?.cancel();
    throw err;
  }
}

function retriesExhausted(failure: RemoteError, attempts: number): RemoteError {
  const message = `${failure.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`;
  return new RemoteError(message, failure.kind, false, failure.retryAfterMs, failure.status);
}
