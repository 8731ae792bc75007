import { createHash } from 'node:crypto';
import { canonicalJson } from '../critics/cache';

/**
 * An item's content key: answers are reused only for the same problem and steps (its id and label do not matter).
 * A run keeps answers under it and the critic's identity (criticIdentity in ../critics/identity).
 */
export function contentKey(problem: string, steps: readonly string[]): string {
  return createHash('sha256').update(canonicalJson({ problem, steps })).digest('hex').slice(0, 32);
}
