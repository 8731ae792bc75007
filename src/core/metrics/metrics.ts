import type { ResultRecord } from '../datasets/types';
import type { MetricsReport, SubsetCounts, SubsetMetrics } from './types';

export { formatMetricsTable, formatPercent } from './format';

/** What a metric needs from a result: the ground truth and the predicted first error (null = no prediction). */
export interface Prediction {
  subset: string;
  label: number;
  prediction: number | null;
  /** The critic failed on the item: counted apart (n_failed), never a miss. */
  error?: string;
}

/**
 * ProcessBench metrics. Per subset, a case matches only when `prediction === label` (null is a miss);
 * acc_error = % matched among erroneous cases (label ≥ 0), acc_correct = % matched among all-correct cases
 * (label = -1), F1 = 2·acc_error·acc_correct / (acc_error + acc_correct), and 0 when both accuracies are 0.
 * An accuracy over an empty group is null, and then F1 is null too: a subset without erroneous (or without
 * all-correct) cases has no defined F1 and is left out of both averages. Percentages are not rounded.
 * A failed item (one with `error`) is left out of the accuracies and counted in its subset's `n_failed`, present
 * only where there are failures.
 */
export function computeMetrics(records: Iterable<Prediction>): MetricsReport {
  const counts = new Map<string, SubsetCounts>();
  const failed = new Map<string, number>();
  for (const r of records) {
    if (!Number.isInteger(r.label) || r.label < -1) {
      throw new Error(`Label must be an integer ≥ -1, got ${String(r.label)} (subset "${r.subset}").`);
    }
    let c = counts.get(r.subset);
    if (c === undefined) {
      c = { n_error: 0, n_correct: 0, matched_error: 0, matched_correct: 0 };
      counts.set(r.subset, c);
    }
    if (r.error !== undefined) {
      failed.set(r.subset, (failed.get(r.subset) ?? 0) + 1);
      continue;
    }
    const matched = r.prediction === r.label ? 1 : 0;
    if (r.label === -1) {
      c.n_correct += 1;
      c.matched_correct += matched;
    } else {
      c.n_error += 1;
      c.matched_error += matched;
    }
  }
  const report = reportFromCounts(counts);
  for (const [subset, n] of failed) report.subsets[subset].n_failed = n;
  return report;
}

/** Failed items over every subset of a report. */
export function failedCount(report: MetricsReport): number {
  return Object.values(report.subsets).reduce((n, m) => n + (m.n_failed ?? 0), 0);
}

export function subsetMetrics(c: SubsetCounts): SubsetMetrics {
  const accError = c.n_error === 0 ? null : (100 * c.matched_error) / c.n_error;
  const accCorrect = c.n_correct === 0 ? null : (100 * c.matched_correct) / c.n_correct;
  let f1: number | null = null;
  if (accError !== null && accCorrect !== null) {
    f1 = accError + accCorrect === 0 ? 0 : (2 * accError * accCorrect) / (accError + accCorrect);
  }
  return { n_error: c.n_error, n_correct: c.n_correct, acc_error: accError, acc_correct: accCorrect, f1 };
}

/**
 * An empty object for values keyed by subset name. It has no prototype, so every name is an own key: on `{}`, a
 * subset named "__proto__" would replace the object's prototype and vanish from its keys and from JSON.
 */
export function subsetTable<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

export function reportFromCounts(counts: Iterable<[string, SubsetCounts]>): MetricsReport {
  const subsets = subsetTable<SubsetMetrics>();
  for (const [name, c] of counts) subsets[name] = subsetMetrics(c);
  return summarize(subsets);
}

/**
 * Adds the two averages over the subsets with a defined F1: f1_mean, the plain mean (the paper's headline), and
 * f1_weighted, weighted by subset size n_error + n_correct (one public script's average); null when no subset has
 * an F1. Subsets come out sorted by name.
 */
export function summarize(subsets: Record<string, SubsetMetrics>): MetricsReport {
  const names = Object.keys(subsets).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const sorted = subsetTable<SubsetMetrics>();
  let sum = 0;
  let weightedSum = 0;
  let weight = 0;
  let n = 0;
  for (const name of names) {
    const m = subsets[name];
    sorted[name] = m;
    if (m.f1 === null) continue;
    const size = m.n_error + m.n_correct;
    sum += m.f1;
    weightedSum += m.f1 * size;
    weight += size;
    n += 1;
  }
  return { subsets: sorted, f1_mean: n === 0 ? null : sum / n, f1_weighted: n === 0 ? null : weightedSum / weight };
}

/** Results per critic, in first-seen order. */
export function groupByCritic(records: Iterable<ResultRecord>): Map<string, ResultRecord[]> {
  const groups = new Map<string, ResultRecord[]>();
  for (const r of records) {
    const group = groups.get(r.critic);
    if (group === undefined) groups.set(r.critic, [r]);
    else group.push(r);
  }
  return groups;
}
