import { reportFromCounts, subsetTable, summarize } from './metrics';
import type { Calibration, ScoredItem, SubsetCounts, SubsetMetrics, SubsetOptimum, ThresholdPoint } from './types';

/** 0, 0.01, …, 1: the thresholds swept by default, for probability-like scores. Other score ranges need their own. */
export const DEFAULT_SWEEP_GRID: readonly number[] = Array.from({ length: 101 }, (_, i) => i / 100);

/** Above this many breakpoints `thresholdGrid` takes quantiles of them instead of all of them. */
export const MAX_BREAKPOINTS = 10_000;

/**
 * The thresholds to sweep and calibrate on for these scores, used by the metrics panel and the CLI alike. Under the
 * strict rule (correct iff score > t) an item's predicted first error changes only where t reaches a new prefix
 * minimum of its scores, so those values are the exact breakpoints: all of them when at most `maxBreakpoints`, else
 * that many quantiles of them. A fixed 0.01 grid alone is blind to scores packed near one value (β-scaled implicit
 * PRM rewards all lie within 0.5 ± 0.01). Added for reading the sweep: the 0…1 grid for probability-like scores,
 * else 101 evenly spaced values over the scores' own range (logits).
 */
export function thresholdGrid(items: Iterable<ScoredItem>, maxBreakpoints = MAX_BREAKPOINTS): number[] {
  const breakpoints = new Set<number>();
  let lo = Infinity;
  let hi = -Infinity;
  for (const { scores } of items) {
    let min = Infinity;
    for (const s of scores) {
      if (s === null || !Number.isFinite(s)) continue;
      if (s < min) {
        min = s;
        breakpoints.add(s);
      }
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
  }
  const sorted = [...breakpoints].sort((a, b) => a - b);
  const last = sorted.length - 1;
  const step = last / Math.max(1, maxBreakpoints - 1);
  const chosen =
    sorted.length <= maxBreakpoints
      ? sorted
      : Array.from({ length: maxBreakpoints }, (_, i) => sorted[Math.round(i * step)]);
  const base =
    lo >= 0 && hi <= 1 ? DEFAULT_SWEEP_GRID : Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100);
  return [...new Set([...base.filter(Number.isFinite), ...chosen])].sort((a, b) => a - b);
}

/**
 * Metrics at each threshold (ascending, duplicates removed). Rather than predicting every item at every threshold,
 * each item's set of matching thresholds is one interval derived from its prefix minima (see `matchInterval`), so
 * the sweep costs O(steps + log T) per item plus O(T) per subset.
 */
export function sweepThresholds(
  items: Iterable<ScoredItem>,
  thresholds: readonly number[] = DEFAULT_SWEEP_GRID,
): ThresholdPoint[] {
  const ts = sortedThresholds(thresholds);
  const tallies = new Map<string, Tally>();
  for (const item of items) {
    if (!Number.isInteger(item.label) || item.label < -1) {
      throw new Error(`Label must be an integer ≥ -1, got ${String(item.label)} (subset "${item.subset}").`);
    }
    let t = tallies.get(item.subset);
    if (t === undefined) {
      t = { n_error: 0, n_correct: 0, error: new Int32Array(ts.length + 1), correct: new Int32Array(ts.length + 1) };
      tallies.set(item.subset, t);
    }
    const diff = item.label === -1 ? t.correct : t.error;
    if (item.label === -1) t.n_correct += 1;
    else t.n_error += 1;
    const interval = matchInterval(item.label, item.scores);
    if (interval === null) continue;
    const from = lowerBound(ts, interval.lo);
    const to = interval.hi === null ? ts.length : lowerBound(ts, interval.hi);
    if (from < to) {
      diff[from] += 1;
      diff[to] -= 1;
    }
  }
  const running = new Map<string, { error: number; correct: number }>(
    [...tallies.keys()].map((k) => [k, { error: 0, correct: 0 }]),
  );
  return ts.map((threshold, j) => {
    const counts: [string, SubsetCounts][] = [];
    for (const [name, t] of tallies) {
      const r = running.get(name)!;
      r.error += t.error[j];
      r.correct += t.correct[j];
      counts.push([
        name,
        { n_error: t.n_error, n_correct: t.n_correct, matched_error: r.error, matched_correct: r.correct },
      ]);
    }
    return { threshold, report: reportFromCounts(counts) };
  });
}

/**
 * ProcessBench's protocol: the threshold that maximises F1 on `calibrationSubset` (the smallest such threshold
 * on ties), applied to every subset; plus each subset's own optimal threshold as an upper bound. Throws when the
 * calibration subset is absent or has no defined F1 (no erroneous or no all-correct cases).
 */
export function calibrateThreshold(
  items: Iterable<ScoredItem>,
  calibrationSubset: string,
  thresholds: readonly number[] = DEFAULT_SWEEP_GRID,
): Calibration {
  const sweep = sweepThresholds(items, thresholds);
  const subsets = Object.keys(sweep[0].report.subsets);
  if (!subsets.includes(calibrationSubset)) {
    throw new Error(
      `Calibration subset "${calibrationSubset}" has no items; subsets present: ${subsets.join(', ') || 'none'}.`,
    );
  }
  const perSubset = subsetTable<SubsetOptimum>();
  for (const name of subsets) perSubset[name] = bestFor(sweep, name);
  const chosen = perSubset[calibrationSubset];
  if (chosen.threshold === null) {
    throw new Error(
      `Cannot calibrate on "${calibrationSubset}": its F1 is undefined (it needs both erroneous and all-correct cases).`,
    );
  }
  const report = sweep.find((p) => p.threshold === chosen.threshold)!.report;
  const heldOut = subsetTable<SubsetMetrics>();
  for (const [name, m] of Object.entries(report.subsets)) if (name !== calibrationSubset) heldOut[name] = m;
  const best = subsetTable<SubsetMetrics>();
  for (const [name, o] of Object.entries(perSubset)) best[name] = o.metrics;
  return {
    calibrationSubset,
    threshold: chosen.threshold,
    report,
    heldOut: summarize(heldOut),
    perSubset,
    upperBound: summarize(best),
  };
}

interface Tally {
  n_error: number;
  n_correct: number;
  /** Difference arrays over the sorted thresholds: +1 where an item starts matching, -1 where it stops. */
  error: Int32Array;
  correct: Int32Array;
}

/**
 * The thresholds t at which the predicted first error equals `label`, as `lo ≤ t < hi` (`hi` null: no upper
 * bound), or null when none. This is `firstErrorAmongScored` (critics/judgement.ts: a step is correct iff its score
 * is > t, NaN never; a null step is not judged) solved for t: with m(k) the minimum of the scored steps among the
 * first k (NaN counting as -∞; none: no bound), label -1 matches when some step is scored and t < m(all); label
 * L ≥ 0 matches when step L is scored and scores[L] ≤ t < m(L). A label past the last score never matches.
 */
function matchInterval(label: number, scores: readonly (number | null)[]): { lo: number; hi: number | null } | null {
  if (label >= scores.length) return null;
  let prefixMin: number | null = null;
  const end = label === -1 ? scores.length : label;
  for (let i = 0; i < end; i++) {
    const score = scores[i];
    if (score === null) continue;
    const s = orMinusInfinity(score);
    prefixMin = prefixMin === null || s < prefixMin ? s : prefixMin;
  }
  if (label === -1) return prefixMin === null ? null : { lo: -Infinity, hi: prefixMin };
  const at = scores[label];
  return at === null ? null : { lo: orMinusInfinity(at), hi: prefixMin };
}

function orMinusInfinity(score: number): number {
  return Number.isNaN(score) ? -Infinity : score;
}

function bestFor(sweep: readonly ThresholdPoint[], subset: string): SubsetOptimum {
  let best: SubsetOptimum = { threshold: null, metrics: sweep[0].report.subsets[subset] };
  for (const point of sweep) {
    const m = point.report.subsets[subset];
    if (m.f1 !== null && (best.threshold === null || m.f1 > best.metrics.f1!))
      best = { threshold: point.threshold, metrics: m };
  }
  return best;
}

function sortedThresholds(thresholds: readonly number[]): number[] {
  if (thresholds.length === 0) throw new Error('At least one threshold is needed.');
  if (thresholds.some((t) => Number.isNaN(t))) throw new Error('Thresholds must be numbers, got NaN.');
  return [...new Set(thresholds)].sort((a, b) => a - b);
}

/** Index of the first threshold ≥ x. */
function lowerBound(ts: readonly number[], x: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
