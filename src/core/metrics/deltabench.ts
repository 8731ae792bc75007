import type { ResultRecord } from '../datasets/types';

/**
 * DeltaBench's section-level scoring (arXiv 2502.19361), from results lines that carry `gold_sections` (the union
 * of the error and unuseful sections) and, when the critique parsed, `sections` (predicted, 1-based):
 * - predicted numbers above the largest number in the gold set are dropped first (with an empty gold set nothing
 *   is dropped: there is no largest gold section);
 * - per sample, precision / recall / F1 of the remaining predicted set against the gold set, each 0 when undefined;
 * - macro = mean of the per-sample values, micro = from the TP/FP/FN pooled over the samples;
 * - `parsed` = share of samples whose critique parsed. An unparsed critique is a sample with no prediction (0s in
 *   the macro means, its gold sections false negatives in the micro counts), as the benchmark's scorer counts it.
 * Failed lines (`error`) are left out, as in the ProcessBench metrics. Percentages, not rounded.
 */
export interface SectionScores {
  precision_macro: number;
  recall_macro: number;
  f1_macro: number;
  precision_micro: number;
  recall_micro: number;
  f1_micro: number;
  parsed: number;
}

export interface SampleScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
const f1Of = (p: number, r: number) => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

/** One sample: `predicted` null when its critique did not parse. */
export function sampleScore(predicted: readonly number[] | null, gold: readonly number[]): SampleScore {
  const goldSet = new Set(gold);
  const largest = gold.length > 0 ? Math.max(...gold) : Infinity;
  const kept = new Set((predicted ?? []).filter((n) => n <= largest));
  const tp = [...kept].filter((n) => goldSet.has(n)).length;
  const fp = kept.size - tp;
  const fn = goldSet.size - tp;
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return { tp, fp, fn, precision, recall, f1: f1Of(precision, recall) };
}

/** Scores of a set of samples (null when there are none). */
export function sectionScores(
  samples: ReadonlyArray<{ predicted: number[] | null; gold: number[] }>,
): SectionScores | null {
  if (samples.length === 0) return null;
  const scores = samples.map((s) => sampleScore(s.predicted, s.gold));
  const mean = (pick: (s: SampleScore) => number) => (100 * scores.reduce((a, s) => a + pick(s), 0)) / scores.length;
  const sum = (pick: (s: SampleScore) => number) => scores.reduce((a, s) => a + pick(s), 0);
  const [tp, fp, fn] = [sum((s) => s.tp), sum((s) => s.fp), sum((s) => s.fn)];
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    precision_macro: mean((s) => s.precision),
    recall_macro: mean((s) => s.recall),
    f1_macro: mean((s) => s.f1),
    precision_micro: 100 * precision,
    recall_micro: 100 * recall,
    f1_micro: 100 * f1Of(precision, recall),
    parsed: (100 * samples.filter((s) => s.predicted !== null).length) / samples.length,
  };
}

/**
 * Per subset, the section scores of one critic's records; undefined when the critic is not section-level (none of
 * its lines carries `sections`) or no line carries `gold_sections`.
 */
export function sectionMetrics(records: readonly ResultRecord[]): Record<string, SectionScores> | undefined {
  if (!records.some((r) => r.sections !== undefined)) return undefined;
  const bySubset = new Map<string, { predicted: number[] | null; gold: number[] }[]>();
  for (const r of records) {
    if (r.gold_sections === undefined || r.error !== undefined) continue;
    const list = bySubset.get(r.subset) ?? [];
    list.push({ predicted: r.sections ?? null, gold: r.gold_sections });
    bySubset.set(r.subset, list);
  }
  if (bySubset.size === 0) return undefined;
  const out: Record<string, SectionScores> = {};
  for (const [subset, samples] of bySubset) {
    const scores = sectionScores(samples);
    if (scores) out[subset] = scores;
  }
  return out;
}

/** A metrics report with `sections` added to each subset that has section scores (the report is left as it is else). */
export function withSectionMetrics<R extends { subsets: Record<string, object> }>(
  report: R,
  records: readonly ResultRecord[],
): R {
  const scores = sectionMetrics(records);
  if (!scores) return report;
  const subsets = Object.fromEntries(
    Object.entries(report.subsets).map(([s, m]) => [s, scores[s] ? { ...m, sections: scores[s] } : m]),
  );
  return { ...report, subsets };
}
