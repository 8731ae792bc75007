import { setMaxListeners } from 'node:events';

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
