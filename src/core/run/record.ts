import { scalarScores } from '../critics/judgement';
import type { CriticResult } from '../critics/types';
import type { DatasetItem, ResultRecord } from '../datasets/types';

/** What a results line keeps of a critic's answer on one item (also what the run store keeps). */
export interface Answer {
  /** The predicted first error (0-based), -1 for "all correct", null when the critic named no step. */
  prediction: number | null;
  /** Every step's finite score (a PRM), else null: see scalarScores. */
  scores: number[] | null;
}

export function answerOf(result: CriticResult, stepCount: number): Answer {
  return { prediction: result.firstError, scores: scalarScores(result, stepCount) };
}

/**
 * The one record builder: a results line for an item and a critic, from its answer or from the reason it failed.
 * A failure has prediction and scores null and says why in `error`; it is not "no prediction".
 */
export function buildRecord(
  item: Pick<DatasetItem, 'id' | 'subset' | 'label'>,
  critic: string,
  outcome: Answer | { error: string },
): ResultRecord {
  const base = { id: item.id, subset: item.subset, label: item.label };
  if ('error' in outcome) return { ...base, prediction: null, critic, scores: null, error: outcome.error };
  return { ...base, prediction: outcome.prediction, critic, scores: outcome.scores };
}
