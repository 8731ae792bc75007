import { seededRandom } from '../util/random';
import { computeMetrics, type Prediction } from './metrics';
import {
  countItem,
  prmbenchFromCounts,
  type PrmbenchReport,
  type PrmbenchScored,
  type PrmScoreMetrics,
} from './prmbench';
import type { MetricsReport, SubsetMetrics } from './types';

/** A percentile interval of a bootstrap distribution. */
export interface Interval {
  lo: number;
  hi: number;
}

/** The difference of a statistic between two critics on the same items (A minus B), with its interval and p-value. */
export interface PairedDifference extends Interval {
  diff: number;
  p: number;
}

export interface BootstrapOptions {
  /** Number of resamples (default 1,000). */
  resamples?: number;
  /** Seed of the generator: the same seed gives the same intervals. */
  seed?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
}

export const DEFAULT_RESAMPLES = 1000;

/**
 * Bootstrap replicates of a statistic: each stratum is resampled with replacement to its own size (so every stratum
 * keeps its count), and the statistic is computed over the union. Deterministic for a seed.
 */
export function bootstrapReplicates<T, R>(
  strata: readonly (readonly T[])[],
  statistic: (sample: T[]) => R,
  opts: BootstrapOptions = {},
): R[] {
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new Error(`resamples must be a positive integer, got ${resamples}`);
  }
  const random = seededRandom(opts.seed ?? 0);
  const replicates: R[] = [];
  for (let b = 0; b < resamples; b++) {
    const sample: T[] = [];
    for (const stratum of strata) {
      for (let i = 0; i < stratum.length; i++) sample.push(stratum[Math.floor(random() * stratum.length)]);
    }
    replicates.push(statistic(sample));
  }
  return replicates;
}

/**
 * The percentile interval of the replicates (linear interpolation between order statistics, as numpy's default
 * quantile). Undefined replicates (null) are left out; null when none is defined.
 */
export function percentileInterval(replicates: readonly (number | null)[], level = 0.95): Interval | null {
  const values = replicates.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (values.length === 0) return null;
  const tail = (1 - level) / 2;
  return { lo: quantile(values, tail), hi: quantile(values, 1 - tail) };
}

function quantile(sorted: readonly number[], q: number): number {
  const at = q * (sorted.length - 1);
  const below = Math.floor(at);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (at - below) * (sorted[above] - sorted[below]);
}

/**
 * A paired bootstrap of `difference` (critic A minus critic B, both computed on the same resample). The p-value is
 * two-sided, read from the bootstrap distribution: twice the smaller share of replicates at or below 0 and at or
 * above 0, capped at 1 (identical critics give 1). Null when the difference is undefined on the items.
 */
export function pairedBootstrap<T>(
  strata: readonly (readonly T[])[],
  difference: (sample: readonly T[]) => number | null,
  opts: BootstrapOptions = {},
): PairedDifference | null {
  const diff = difference(strata.flat());
  if (diff === null) return null;
  const replicates = bootstrapReplicates(strata, difference, opts).filter((d): d is number => d !== null);
  const interval = percentileInterval(replicates, opts.level);
  if (interval === null) return null;
  const atOrBelow = replicates.filter((d) => d <= 0).length;
  const atOrAbove = replicates.filter((d) => d >= 0).length;
  const p = Math.min(1, (2 * Math.min(atOrBelow, atOrAbove)) / replicates.length);
  return { diff, ...interval, p };
}

/** Groups items by a key, in first-seen order of the keys. */
export function strataBy<T>(items: Iterable<T>, key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

/** ProcessBench strata: subset × erroneous / all-correct, so each resample keeps every group's size. */
function processBenchStratum(r: Pick<Prediction, 'subset' | 'label'>): string {
  return `${r.label === -1 ? 'correct' : 'error'}\u0000${r.subset}`;
}

export interface SubsetIntervals {
  acc_error: Interval | null;
  acc_correct: Interval | null;
  f1: Interval | null;
}

export type SubsetMetricsWithCi = SubsetMetrics & { ci: SubsetIntervals };

export interface MetricsReportWithCi extends MetricsReport {
  subsets: Record<string, SubsetMetricsWithCi>;
  ci: { f1_mean: Interval | null; f1_weighted: Interval | null };
}

/**
 * ProcessBench metrics with bootstrap percentile intervals for every accuracy, F1 and both averages. Items are
 * resampled within their subset, stratified by erroneous / all-correct (failed items are left out, as in the
 * metrics). An interval is null where the value itself is null.
 */
export function metricsWithCi(records: readonly Prediction[], opts: BootstrapOptions = {}): MetricsReportWithCi {
  const report = computeMetrics(records);
  const answered = records.filter((r) => r.error === undefined);
  const replicates = bootstrapReplicates(strataBy(answered, processBenchStratum), computeMetrics, opts);
  const interval = (value: number | null, pick: (r: MetricsReport) => number | null): Interval | null =>
    value === null ? null : percentileInterval(replicates.map(pick), opts.level);
  const subsets = Object.fromEntries(
    Object.entries(report.subsets).map(([name, m]) => {
      const of = (key: 'acc_error' | 'acc_correct' | 'f1') => interval(m[key], (r) => r.subsets[name]?.[key] ?? null);
      return [name, { ...m, ci: { acc_error: of('acc_error'), acc_correct: of('acc_correct'), f1: of('f1') } }];
    }),
  );
  const ci = {
    f1_mean: interval(report.f1_mean, (r) => r.f1_mean),
    f1_weighted: interval(report.f1_weighted, (r) => r.f1_weighted),
  };
  return { ...report, subsets, ci };
}

/** Two critics' predictions of one item. */
export interface PairedPrediction {
  subset: string;
  label: number;
  a: number | null;
  b: number | null;
}

/** Paired bootstrap of f1_mean (A minus B) over items both critics answered, stratified as metricsWithCi. */
export function compareF1Mean(
  items: readonly PairedPrediction[],
  opts: BootstrapOptions = {},
): PairedDifference | null {
  const f1Mean = (sample: readonly PairedPrediction[], side: 'a' | 'b'): number | null =>
    computeMetrics(sample.map((i) => ({ subset: i.subset, label: i.label, prediction: i[side] }))).f1_mean;
  const difference = (sample: readonly PairedPrediction[]): number | null => {
    const a = f1Mean(sample, 'a');
    const b = f1Mean(sample, 'b');
    return a === null || b === null ? null : a - b;
  };
  return pairedBootstrap(strataBy(items, processBenchStratum), difference, opts);
}

export interface PrmScoreIntervals {
  f1: Interval | null;
  negative_f1: Interval | null;
  prmscore: Interval | null;
}

export type PrmScoreWithCi = PrmScoreMetrics & { ci: PrmScoreIntervals };

export interface PrmbenchReportWithCi {
  categories: Record<string, PrmScoreWithCi>;
  overall: PrmScoreWithCi;
}

/**
 * PRMBench's PRMScore per category and overall (see prmbench.ts) with bootstrap percentile intervals for both F1s
 * and the PRMScore. Solutions (not steps) are resampled, within their category.
 */
export function prmbenchWithCi(
  items: readonly PrmbenchScored[],
  threshold: number,
  opts: BootstrapOptions = {},
): PrmbenchReportWithCi {
  const counted = items.map((i) => countItem(i, threshold));
  const report = prmbenchFromCounts(counted);
  const replicates = bootstrapReplicates(
    strataBy(counted, (i) => i.category),
    prmbenchFromCounts,
    opts,
  );
  const withCi = (m: PrmScoreMetrics, pick: (r: PrmbenchReport) => PrmScoreMetrics | undefined): PrmScoreWithCi => {
    const of = (key: 'f1' | 'negative_f1' | 'prmscore') =>
      m[key] === null
        ? null
        : percentileInterval(
            replicates.map((r) => pick(r)?.[key] ?? null),
            opts.level,
          );
    return { ...m, ci: { f1: of('f1'), negative_f1: of('negative_f1'), prmscore: of('prmscore') } };
  };
  const categories = Object.fromEntries(
    Object.entries(report.categories).map(([name, m]) => [name, withCi(m, (r) => r.categories[name])]),
  );
  return { categories, overall: withCi(report.overall, (r) => r.overall) };
}

/** One PRMBench solution scored by two critics. */
export interface PairedPrmbenchItem {
  category: string;
  correct: readonly boolean[];
  a: readonly number[];
  b: readonly number[];
}

/** Paired bootstrap of the overall PRMScore (A minus B), solutions resampled within their category. */
export function comparePrmScore(
  items: readonly PairedPrmbenchItem[],
  threshold: number,
  opts: BootstrapOptions = {},
): PairedDifference | null {
  const counted = items.map((i) => ({
    category: i.category,
    a: countItem({ category: i.category, correct: i.correct, scores: i.a }, threshold),
    b: countItem({ category: i.category, correct: i.correct, scores: i.b }, threshold),
  }));
  const difference = (sample: readonly (typeof counted)[number][]): number | null => {
    const a = prmbenchFromCounts(sample.map((i) => i.a)).overall.prmscore;
    const b = prmbenchFromCounts(sample.map((i) => i.b)).overall.prmscore;
    return a === null || b === null ? null : a - b;
  };
  return pairedBootstrap(
    strataBy(counted, (i) => i.category),
    difference,
    opts,
  );
}
