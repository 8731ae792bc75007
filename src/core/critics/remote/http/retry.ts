import { CancelledError } from '../../types';
import { CallContext, RemoteError } from './errors';
import { classifyError } from './classify';

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  /** Backoff before retry k (from 0) is baseDelayMs · 2^k, capped at maxDelayMs, then jittered. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this fails the call at once instead of stalling a run. */
  maxRetryAfterMs: number;
  /** Source of jitter in [0, 1); tests inject a fixed one. */
  random?: () => number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { retries: 4, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 120_000 };

/** "Equal jitter": half the capped exponential delay plus a random half, so retries of many calls spread out. */
export function backoffDelay(retryIndex: number, policy: RetryPolicy): number {
  const capped = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retryIndex);
  return capped / 2 + (policy.random ?? Math.random)() * (capped / 2);
}

export interface RetryOptions {
  policy: RetryPolicy;
  /** Each attempt (not the whole call) is aborted after this long, then counts as a retryable timeout. */
  timeoutMs: number;
  signal?: AbortSignal;
  context: CallContext;
  /** Called before every attempt (requests are counted in usage). */
  onAttempt?: () => void;
}

/**
 * Runs `attempt` until it succeeds, retrying timeouts, connection resets, 408/429/5xx and truncated answers with
 * exponential backoff and jitter, or exactly the server's Retry-After when it gives one. 400/401/403/404 fail at
 * once. Cancelling `signal` aborts the attempt in flight and any wait, rejecting with CancelledError.
 */
export async function withRetry<T>(attempt: (signal: AbortSignal) => Promise<T>, opts: RetryOptions): Promise<T> {
  const { policy, timeoutMs, signal, context } = opts;
  for (let retry = 0; ; retry++) {
    if (signal?.aborted) throw new CancelledError();
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
      return await attempt(controller.signal);
    } catch (err) {
      if (signal?.aborted) throw new CancelledError();
      failure = timedOut
        ? new RemoteError(`critic "${context.criticId}": no answer from ${context.url} within ${timeoutMs} ms. Raise "timeoutMs" or check the server's load.`, 'timeout', true)
        : classifyError(err, context);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
    if (!failure.retryable) throw failure;
    if (retry >= policy.retries) throw retriesExhausted(failure, retry + 1);
    const wait = failure.retryAfterMs ?? backoffDelay(retry, policy);
    if (wait > policy.maxRetryAfterMs) {
      throw new RemoteError(`${failure.message} The server asked to retry after ${Math.round(wait / 1000)} s, longer than PRM Lens waits; try again later.`, failure.kind, false, failure.retryAfterMs, failure.status);
    }
    await sleep(wait, signal);
  }
}

function retriesExhausted(failure: RemoteError, attempts: number): RemoteError {
  return new RemoteError(`${failure.message} (gave up after ${attempts} attempt${attempts === 1 ? '' : 's'})`, failure.kind, false, failure.retryAfterMs, failure.status);
}

/** Waits `ms`, rejecting with CancelledError as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new CancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new CancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
