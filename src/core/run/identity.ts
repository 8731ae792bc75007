import { createHash } from 'node:crypto';
import { canonicalJson, itemContent } from '../critics/cache';
import type { SectionRange } from '../critics/types';
import type { DatasetItem } from '../datasets/types';

/**
 * An item's content key: answers are reused only for the same problem and steps (its id and label do not matter).
 * A run keeps answers under it and the critic's identity (criticIdentity in ../critics/identity).
 */
export function contentKey(
  problem: string,
  steps: readonly string[],
  sections?: readonly SectionRange[],
  thinkingSteps?: number,
): string {
  const content = itemContent(problem, steps, sections, thinkingSteps);
  return createHash('sha256').update(canonicalJson(content)).digest('hex').slice(0, 32);
}

export function itemContentKey(item: Pick<DatasetItem, 'problem' | 'steps' | 'sections' | 'thinkingSteps'>): string {
  return contentKey(item.problem, item.steps, item.sections, item.thinkingSteps);
}
