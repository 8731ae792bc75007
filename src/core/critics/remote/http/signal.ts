import { setMaxListeners } from 'node:events';
import { CancelledError } from '../../types';

/**
 * A signal that aborts with `parent` and may carry any number of listeners: one call can queue many requests
 * (a step-by-step PRM, votes), each listening for cancellation, which would otherwise trip Node's leak warning.
 */
export function callSignal(parent: AbortSignal | undefined): AbortSignal | undefined {
  if (!parent) return undefined;
  const signal = AbortSignal.any([parent]);
  setMaxListeners(0, signal);
  return signal;
}

/**
 * Runs the requests of one call together and fails as soon as one fails: the others are aborted at once (queued
 * ones never reach the server, those in flight are dropped) and the first failure is what the call throws. An
 * item whose step 3 failed has no use for its other steps' answers.
 */
export async function allOrNothing<T>(
  tasks: readonly ((signal: AbortSignal) => Promise<T>)[],
  parent: AbortSignal | undefined,
): Promise<T[]> {
  const siblings = new AbortController();
  const signal = parent ? AbortSignal.any([parent, siblings.signal]) : siblings.signal;
  setMaxListeners(0, signal);
  return Promise.all(
    tasks.map((task) =>
      task(signal).catch((err: unknown) => {
        siblings.abort();
        throw err;
      }),
    ),
  );
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
