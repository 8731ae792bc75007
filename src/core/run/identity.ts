import { createHash } from 'node:crypto';
import { canonicalJson } from '../critics/cache';
import type { SectionRange } from '../critics/types';

/**
 * An item's content key: answers are reused only for the same problem and steps (its id and label do not matter).
 * A run keeps answers under it and the critic's identity (criticIdentity in ../critics/identity).
 */
export function contentKey(problem: string, steps: readonly string[], sections?: readonly SectionRange[]): string {
  // Sections (DeltaBench items) change what a section-level critic is asked; without them keys are unchanged.
  const content = sections ? { problem, steps, sections } : { problem, steps };
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32);
}
