import type { PrmbenchLabels } from '../datasets/prmbench';
import type { ResultRecord } from '../datasets/types';
import type { PrmbenchScored } from './prmbench';

/** What became of the results and dataset solutions when joining them by id for the PRMScore. */
export interface PrmbenchCoverage {
  /** Solutions with a score for every step: the ones in the PRMScore. */
  scored: number;
  /** Results of failed items (lines with "error"). */
  failed: number;
  /** Results without a score for every step (verdict-only critics; a step not scored: a scope, a cut input). */
  no_scores: number;
  /** Results whose id is not in the PRMBench file. */
  not_in_dataset: number;
  /** Results whose number of scores differs from the solution's steps (run on another segmentation). */
  step_mismatch: number;
  /** Solutions of the PRMBench file without a result. */
  not_evaluated: number;
}

/**
 * A result's step scores when every step has one, else null. PRMBench pools every step of a solution, so a
 * solution with a step the critic did not score is left out rather than counted with a step missing.
 */
export function everyStepScored(scores: readonly (number | null)[] | null): readonly number[] | null {
  return scores !== null && scores.every((s): s is number => s !== null) ? scores : null;
}

export type PrmbenchScoredItem = PrmbenchScored & { id: string };

/** Joins one critic's results to PRMBench's per-step labels by id (the first result of an id wins). */
export function joinPrmbench(
  records: readonly ResultRecord[],
  labels: ReadonlyMap<string, PrmbenchLabels>,
): { items: PrmbenchScoredItem[]; coverage: PrmbenchCoverage } {
  const coverage = { scored: 0, failed: 0, no_scores: 0, not_in_dataset: 0, step_mismatch: 0, not_evaluated: 0 };
  const items: PrmbenchScoredItem[] = [];
  const seen = new Set<string>();
  for (const r of records) {
    if (seen.has(r.id)) continue;
    seen.add(r.id);
    const truth = labels.get(r.id);
    if (truth === undefined) coverage.not_in_dataset += 1;
    else if (r.error !== undefined) coverage.failed += 1;
    else if (r.scores !== null && r.scores.length !== truth.correct.length) coverage.step_mismatch += 1;
    else {
      const scores = everyStepScored(r.scores);
      if (scores === null) coverage.no_scores += 1;
      else {
        coverage.scored += 1;
        items.push({ id: r.id, category: truth.category, correct: truth.correct, scores });
      }
    }
  }
  for (const id of labels.keys()) if (!seen.has(id)) coverage.not_evaluated += 1;
  return { items, coverage };
}
