/** ProcessBench metrics of one subset. Accuracies and F1 are percentages; null when a group is empty. */
export interface SubsetMetrics {
  n_error: number;
  n_correct: number;
  acc_error: number | null;
  acc_correct: number | null;
  f1: number | null;
  /** Items the critic failed on: left out of both accuracies (present only when there are some). */
  n_failed?: number;
}

export interface MetricsReport {
  subsets: Record<string, SubsetMetrics>;
  /** Plain mean of the subset F1s (the ProcessBench paper's headline). */
  f1_mean: number | null;
  /** Mean of the subset F1s weighted by subset size (one public script's average). */
  f1_weighted: number | null;
}

/** Match counts of one subset; SubsetMetrics are computed from them. */
export interface SubsetCounts {
  n_error: number;
  n_correct: number;
  matched_error: number;
  matched_correct: number;
}

/** A solution with scalar step scores from a PRM (higher = more likely correct). */
export interface ScoredItem {
  subset: string;
  label: number;
  /** Step scores; null for a step the critic did not score (not judged at any threshold). */
  scores: readonly (number | null)[];
}

/** Metrics when every step whose score is not above `threshold` counts as an error. */
export interface ThresholdPoint {
  threshold: number;
  report: MetricsReport;
}

/** A subset's own F1-optimal threshold (null when its F1 is undefined: an empty group). */
export interface SubsetOptimum {
  threshold: number | null;
  metrics: SubsetMetrics;
}

/** ProcessBench's protocol: pick the threshold on one subset, apply it to all. */
export interface Calibration {
  calibrationSubset: string;
  /** The F1-optimal threshold on the calibration subset (the smallest one on ties). */
  threshold: number;
  /** Every subset at `threshold`, the calibration subset included (ProcessBench's table). */
  report: MetricsReport;
  /** The subsets other than the calibration one at `threshold`. */
  heldOut: MetricsReport;
  /** Each subset at its own optimal threshold: an upper bound, not a fair score. */
  perSubset: Record<string, SubsetOptimum>;
  upperBound: MetricsReport;
}
