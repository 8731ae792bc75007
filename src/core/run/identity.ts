import { createHash } from 'node:crypto';
import { canonicalJson } from '../critics/cache';
import type { CriticConfig } from '../critics/types';

/**
 * Settings that never change a critic's answers: its names, where its key comes from, and how fast or how many at
 * once it is asked. Changing them must not throw away finished results.
 */
const NOT_ANSWER_CHANGING = new Set([
  'id',
  'label',
  'apiKeyEnv',
  'concurrency',
  'timeoutMs',
  'retries',
  'retryDelayMs',
  'threads',
  'idleUnloadSeconds',
]);

/** Bumped when the meaning of stored answers changes, so old entries are ignored rather than misread. */
const RUN_FORMAT = 1;

const sha = (text: string, hexChars: number) => createHash('sha256').update(text).digest('hex').slice(0, hexChars);

/**
 * The one cache identity of a critic in a run (`prm-lens eval` and the dataset view alike): a hash of the settings in
 * its configuration that can change its answers, whatever their key order. Renaming or relabelling a critic, or
 * changing its concurrency or timeouts, keeps its results; changing its model, prompt or threshold does not.
 */
export function criticIdentity(config: CriticConfig): string {
  const answers = Object.fromEntries(Object.entries(config).filter(([key]) => !NOT_ANSWER_CHANGING.has(key)));
  return sha(canonicalJson({ format: RUN_FORMAT, critic: answers }), 32);
}

/** An item's content key: answers are reused only for the same problem and steps (its id and label do not matter). */
export function contentKey(problem: string, steps: readonly string[]): string {
  return sha(canonicalJson({ problem, steps }), 32);
}
