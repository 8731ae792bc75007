import { performance } from 'node:perf_hooks';
import type { ResultRecord } from '../core/datasets/types';
import { computeMetrics, groupByCritic } from '../core/metrics/metrics';
import { scoredItems } from '../core/metrics/protocol';
import { calibrateThreshold, sweepThresholds, thresholdGrid } from '../core/metrics/thresholds';
import type { MetricsReport, ScoredItem } from '../core/metrics/types';
import type {
  CalibrationView,
  CriticCharts,
  Histogram,
  MetricsModel,
  MetricsRow,
  SweepSeries,
} from '../protocol/messages';
import { errorMessage } from '../core/util/errors';

/** Offsets beyond ±OFFSET_CLIP share the end bins of the histogram. */
export const OFFSET_CLIP = 8;
const MIN_POSITION_BINS = 10;

/** One row per subset, then the two averages, each named for what it is. */
export function reportRows(critic: string, report: MetricsReport): MetricsRow[] {
  const rows: MetricsRow[] = Object.entries(report.subsets).map(([subset, m]) => ({
    critic,
    subset,
    kind: 'subset',
    ...m,
  }));
  const average = { n_error: null, n_correct: null, acc_error: null, acc_correct: null };
  rows.push({
    critic,
    subset: 'mean of subset F1 (ProcessBench headline)',
    kind: 'mean',
    ...average,
    f1: report.f1_mean,
  });
  rows.push({ critic, subset: 'mean weighted by subset size', kind: 'weighted', ...average, f1: report.f1_weighted });
  return rows;
}

/**
 * The subset to calibrate on: the requested one when present, else ProcessBench's choice (gsm8k, any case), else
 * the first subset by name.
 */
export function defaultCalibrationSubset(subsets: readonly string[], requested: string | null): string | null {
  if (requested !== null && subsets.includes(requested)) return requested;
  return subsets.find((s) => s.toLowerCase() === 'gsm8k') ?? [...subsets].sort()[0] ?? null;
}

/** Erroneous items by predicted − true first error (clipped at ±OFFSET_CLIP), misses and no-predictions apart. */
export function offsetHistogram(records: readonly ResultRecord[]): CriticCharts['offset'] & { falseAlarms: number } {
  const labels: string[] = [];
  for (let d = -OFFSET_CLIP; d <= OFFSET_CLIP; d++)
    labels.push(d === -OFFSET_CLIP ? `≤${d}` : d === OFFSET_CLIP ? `≥${d}` : d > 0 ? `+${d}` : String(d));
  const counts = new Array<number>(labels.length).fill(0);
  let missed = 0;
  let noPrediction = 0;
  let falseAlarms = 0;
  let n = 0;
  for (const r of records) {
    if (r.error !== undefined) continue; // a failure is not a prediction
    if (r.label < 0) {
      if (r.prediction !== null && r.prediction >= 0) falseAlarms += 1;
      continue;
    }
    n += 1;
    if (r.prediction === null) noPrediction += 1;
    else if (r.prediction < 0) missed += 1;
    else counts[Math.max(-OFFSET_CLIP, Math.min(OFFSET_CLIP, r.prediction - r.label)) + OFFSET_CLIP] += 1;
  }
  return { labels, counts, missed, noPrediction, n, falseAlarms };
}

/**
 * Where each solution's lowest step score falls (tenths of the solution) and how often it is the last step. Steps
 * the critic did not score (null) are skipped; a solution without a scored step is left out.
 */
export function minScorePosition(items: readonly ScoredItem[]): Histogram & { lastStepShare: number; n: number } {
  const counts = new Array<number>(MIN_POSITION_BINS).fill(0);
  let last = 0;
  let n = 0;
  for (const { scores } of items) {
    let at = -1;
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i];
      if (s !== null && (at === -1 || s < scores[at]!)) at = i;
    }
    if (at === -1) continue;
    n += 1;
    if (at === scores.length - 1) last += 1;
    const position = scores.length === 1 ? 1 : at / (scores.length - 1);
    counts[Math.min(MIN_POSITION_BINS - 1, Math.floor(position * MIN_POSITION_BINS))] += 1;
  }
  const labels = counts.map((_, b) => `${b * 10}–${(b + 1) * 10}%`);
  return { labels, counts, lastStepShare: n === 0 ? 0 : last / n, n };
}

function sweepSeries(items: readonly ScoredItem[], subset: string, thresholds: readonly number[]): SweepSeries {
  const sweep = sweepThresholds(items, thresholds);
  const subsets = Object.keys(sweep[0]?.report.subsets ?? {});
  // No prototype: a subset may be named "__proto__".
  const subsetF1: Record<string, (number | null)[]> = Object.create(null);
  for (const s of subsets) subsetF1[s] = sweep.map((p) => p.report.subsets[s].f1);
  return {
    thresholds: sweep.map((p) => p.threshold),
    f1: sweep.map((p) => p.report.subsets[subset]?.f1 ?? null),
    accError: sweep.map((p) => p.report.subsets[subset]?.acc_error ?? null),
    accCorrect: sweep.map((p) => p.report.subsets[subset]?.acc_correct ?? null),
    subsetF1,
  };
}

export interface MetricsInput {
  dataset: string;
  records: readonly ResultRecord[];
  /** The subset to calibrate scalar critics on (null or absent: gsm8k, else the first subset). */
  calibrationSubset: string | null;
  /** The thresholds to sweep (default: thresholdGrid of each critic's scores). */
  thresholds?: readonly number[];
  /** How many items the dataset has, when known (the metrics may cover only those already run). */
  datasetItems?: number;
}

/**
 * Everything the metrics panel shows, from results in the CLI's format: ProcessBench metrics per critic and subset;
 * for scalar critics the threshold sweep, the threshold calibrated on one subset and applied to all (ProcessBench's
 * protocol) and each subset's own optimum (an upper bound); first-error offset and minimum-score histograms.
 */
export function buildMetricsModel(input: MetricsInput): MetricsModel {
  const started = performance.now();
  const groups = groupByCritic(input.records);
  const subsets = [...new Set(input.records.map((r) => r.subset))].sort();
  const calibrationSubset = defaultCalibrationSubset(subsets, input.calibrationSubset);
  const rows: MetricsRow[] = [];
  const calibrations: CalibrationView[] = [];
  const calibrationErrors: { critic: string; message: string }[] = [];
  const charts: CriticCharts[] = [];
  const scalarCritics: string[] = [];
  for (const [critic, records] of groups) {
    rows.push(...reportRows(critic, computeMetrics(records)));
    const { falseAlarms, ...offset } = offsetHistogram(records);
    const scored = scoredItems(records);
    charts.push({ critic, offset, falseAlarms, ...(scored ? { minPosition: minScorePosition(scored) } : {}) });
    if (!scored) continue;
    scalarCritics.push(critic);
    const subset = calibrationSubset!;
    const thresholds = input.thresholds ?? thresholdGrid(scored);
    try {
      const c = calibrateThreshold(scored, subset, thresholds);
      const perSubsetThreshold: Record<string, number | null> = Object.create(null);
      for (const [name, o] of Object.entries(c.perSubset)) perSubsetThreshold[name] = o.threshold;
      calibrations.push({
        critic,
        calibrationSubset: subset,
        threshold: c.threshold,
        sweep: sweepSeries(scored, subset, thresholds),
        rows: reportRows(critic, c.report),
        upperBound: reportRows(critic, c.upperBound),
        perSubsetThreshold,
      });
    } catch (e) {
      calibrationErrors.push({ critic, message: errorMessage(e) });
    }
  }
  return {
    dataset: input.dataset,
    subsets,
    critics: [...groups.keys()],
    scalarCritics,
    rows,
    calibrationSubset,
    calibrations,
    calibrationErrors,
    charts,
    items: new Set(input.records.map((r) => `${r.subset}\u0000${r.id}`)).size,
    datasetItems: input.datasetItems ?? null,
    computeMs: performance.now() - started,
  };
}
