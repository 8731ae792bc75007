/** ProcessBench metrics of one subset. Accuracies and F1 are percentages; null when a group is empty. */
export interface SubsetMetrics {
  n_error: number;
  n_correct: number;
  acc_error: number | null;
  acc_correct: number | null;
  f1: number | null;
}

export interface MetricsReport {
  subsets: Record<string, SubsetMetrics>;
  /** Plain mean of the subset F1s (the ProcessBench paper's headline). */
  f1_mean: number | null;
  /** Mean of the subset F1s weighted by subset size (one public script's average). */
  f1_weighted: number | null;
}
