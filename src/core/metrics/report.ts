import type { PrmbenchLabels } from '../datasets/prmbench';
import type { ResultRecord } from '../datasets/types';
import {
  compareF1Mean,
  comparePrmScore,
  metricsWithCi,
  prmbenchWithCi,
  type BootstrapOptions,
  type MetricsReportWithCi,
  type PairedDifference,
  type PairedPrmbenchItem,
  type PrmbenchReportWithCi,
} from './bootstrap';
import { computeMetrics } from './metrics';
import { computePrmbench, DEFAULT_PRMBENCH_THRESHOLD, type PrmbenchReport } from './prmbench';
import { everyStepScored, joinPrmbench, type PrmbenchCoverage } from './prmbenchResults';
import type { MetricsReport } from './types';

/** What to compute beside the ProcessBench metrics. */
export interface StatsOptions {
  /** PRMBench's per-step labels by id: adds the PRMScore. */
  prmbench?: ReadonlyMap<string, PrmbenchLabels>;
  /** Step threshold of the PRMScore (default 0.5): a step is predicted correct when its score is above it. */
  threshold?: number;
  /** Adds bootstrap intervals (and, between critics, paired comparisons). */
  ci?: BootstrapOptions;
}

export type PrmbenchSection = (PrmbenchReport | PrmbenchReportWithCi) & {
  threshold: number;
  coverage: PrmbenchCoverage;
};

/** One critic's metrics: ProcessBench's (with `ci` objects under --ci), and `prmbench` when labels are given. */
export type CriticStats = (MetricsReport | MetricsReportWithCi) & { prmbench?: PrmbenchSection };

export function criticStats(records: readonly ResultRecord[], opts: StatsOptions = {}): CriticStats {
  const report: CriticStats = opts.ci ? metricsWithCi(records, opts.ci) : computeMetrics(records);
  if (opts.prmbench === undefined) return report;
  const threshold = opts.threshold ?? DEFAULT_PRMBENCH_THRESHOLD;
  const { items, coverage } = joinPrmbench(records, opts.prmbench);
  const scores = opts.ci ? prmbenchWithCi(items, threshold, opts.ci) : computePrmbench(items, threshold);
  return { ...report, prmbench: { threshold, ...scores, coverage } };
}

/** Critic A against critic B on the items both answered: differences are A minus B. */
export interface CriticComparison {
  a: string;
  b: string;
  /** Items both critics answered (no failure), by id. */
  items: number;
  f1_mean: PairedDifference | null;
  /** Over the solutions both scored on every step (present when PRMBench labels are given). */
  prmscore?: PairedDifference | null;
}

/** Paired bootstrap comparisons of every pair of critics (in the given order), on the same items. */
export function compareCritics(
  groups: ReadonlyArray<readonly [string, readonly ResultRecord[]]>,
  ci: BootstrapOptions,
  opts: Omit<StatsOptions, 'ci'> = {},
): CriticComparison[] {
  const byId = groups.map(([critic, rs]) => {
    const answered = new Map<string, ResultRecord>();
    for (const r of rs) if (r.error === undefined && !answered.has(r.id)) answered.set(r.id, r);
    return [critic, answered] as const;
  });
  const comparisons: CriticComparison[] = [];
  for (let i = 0; i < byId.length; i++) {
    for (let j = i + 1; j < byId.length; j++) {
      const [a, ra] = byId[i];
      const [b, rb] = byId[j];
      const both = [...ra.values()].filter((r) => rb.has(r.id)).map((r) => [r, rb.get(r.id)!] as const);
      const paired = both.map(([x, y]) => ({ subset: x.subset, label: x.label, a: x.prediction, b: y.prediction }));
      const comparison: CriticComparison = { a, b, items: both.length, f1_mean: compareF1Mean(paired, ci) };
      if (opts.prmbench !== undefined) {
        const scored: PairedPrmbenchItem[] = [];
        for (const [x, y] of both) {
          const truth = opts.prmbench.get(x.id);
          const [sa, sb] = [everyStepScored(x.scores), everyStepScored(y.scores)];
          if (truth && sa?.length === truth.correct.length && sb?.length === truth.correct.length) {
            scored.push({ category: truth.category, correct: truth.correct, a: sa, b: sb });
          }
        }
        comparison.prmscore = comparePrmScore(scored, opts.threshold ?? DEFAULT_PRMBENCH_THRESHOLD, ci);
      }
      comparisons.push(comparison);
    }
  }
  return comparisons;
}
