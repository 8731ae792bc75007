import { recordedScores } from '../critics/judgement';
import type { CriticResult } from '../critics/types';
import type { DatasetItem, ResultRecord } from '../datasets/types';

/** What a results line keeps of a critic's answer on one item (also what the run store keeps). */
export interface Answer {
  /** The predicted first error (0-based), -1 for "all correct", null when the critic named no step. */
  prediction: number | null;
  /** Each step's score (a PRM), null for a step it did not score; null as a whole without scores: recordedScores. */
  scores: (number | null)[] | null;
  /** A section-level critic's predicted erroneous sections (1-based), when it gives them. */
  sections?: number[];
}

export function answerOf(result: CriticResult, stepCount: number): Answer {
  const answer = { prediction: result.firstError, scores: recordedScores(result, stepCount) };
  return result.sections ? { ...answer, sections: result.sections } : answer;
}

/**
 * The one record builder: a results line for an item and a critic, from its answer or from the reason it failed.
 * A failure has prediction and scores null and says why in `error`; it is not "no prediction". Section-level
 * answers add `sections`, DeltaBench items `gold_sections`; other lines are unchanged.
 */
export function buildRecord(
  item: Pick<DatasetItem, 'id' | 'subset' | 'label' | 'goldSections'>,
  critic: string,
  outcome: Answer | { error: string },
): ResultRecord {
  const base = { id: item.id, subset: item.subset, label: item.label };
  const gold = item.goldSections ? { gold_sections: item.goldSections } : {};
  if ('error' in outcome) return { ...base, prediction: null, critic, scores: null, error: outcome.error, ...gold };
  const sections = outcome.sections ? { sections: outcome.sections } : {};
  return { ...base, prediction: outcome.prediction, critic, scores: outcome.scores, ...sections, ...gold };
}
