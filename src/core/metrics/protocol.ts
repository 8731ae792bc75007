import { firstErrorAmongScored } from '../critics/judgement';
import type { ResultRecord } from '../datasets/types';
import { calibrateThreshold, thresholdGrid } from './thresholds';
import type { MetricsReport, ScoredItem } from './types';

const hasScores = (r: ResultRecord) => r.scores !== null && r.scores.some((s) => s !== null);

/**
 * The results of a critic with step scores, as threshold-sweep input; undefined when its predictions cannot be
 * re-decided from scores. A step scored null was not judged (firstErrorAmongScored). An item with no scored step
 * counts only when it also has no prediction (a scoped PRM with no step in scope): re-deciding it gives no
 * prediction again. Any other such item (a verdict-only critic, or one saved before unscored steps were kept) leaves
 * the critic's own predictions standing, as does a critic with no scores at all. Failed items (`error`) are left
 * out, as the accuracies leave them out: a failure is not a prediction.
 */
export function scoredItems(records: readonly ResultRecord[]): ScoredItem[] | undefined {
  const judged = records.filter((r) => r.error === undefined);
  if (!judged.some(hasScores)) return undefined;
  if (judged.some((r) => !hasScores(r) && r.prediction !== null)) return undefined;
  return judged.map((r) => ({ subset: r.subset, label: r.label, scores: r.scores ?? [] }));
}

/** How a critic's step threshold was chosen: calibrated on a subset (ProcessBench's protocol) or given. */
export type ThresholdUsed = { value: number; calibrated_on: string } | { value: number; given: true };

/** Each subset at its own F1-optimal threshold: an upper bound, not a fair score. */
export type UpperBound = MetricsReport & { thresholds: Record<string, number | null> };

export interface Rethresholded {
  /** The records with predictions recomputed from their scores at `threshold` (failed ones unchanged). */
  records: ResultRecord[];
  threshold: ThresholdUsed;
  /** Present when calibrated. */
  upperBound?: UpperBound;
}

/**
 * One critic's results at a step threshold, given or calibrated on `calibrateOn` with `calibrateThreshold` over
 * `thresholdGrid` (what the metrics panel does), so that headless numbers are the panel's. Undefined when
 * `scoredItems` is (its own predictions stand). Throws when the subset cannot calibrate.
 */
export function rethreshold(
  records: readonly ResultRecord[],
  protocol: { calibrateOn: string } | { threshold: number },
): Rethresholded | undefined {
  const scored = scoredItems(records);
  if (scored === undefined) return undefined;
  let threshold: ThresholdUsed;
  let upperBound: UpperBound | undefined;
  if ('calibrateOn' in protocol) {
    const c = calibrateThreshold(scored, protocol.calibrateOn, thresholdGrid(scored));
    threshold = { value: c.threshold, calibrated_on: protocol.calibrateOn };
    const thresholds: Record<string, number | null> = Object.create(null);
    for (const [name, o] of Object.entries(c.perSubset)) thresholds[name] = o.threshold;
    upperBound = { ...c.upperBound, thresholds };
  } else {
    threshold = { value: protocol.threshold, given: true };
  }
  const rethresholded = records.map((r) =>
    r.error === undefined ? { ...r, prediction: firstErrorAmongScored(r.scores ?? [], threshold.value) } : r,
  );
  return { records: rethresholded, threshold, ...(upperBound ? { upperBound } : {}) };
}
