import { performance } from 'node:perf_hooks';
import { AGGREGATIONS } from '../core/bon/aggregate';
import { bonCurves } from '../core/bon/curves';
import { prepareBon, type PreparedBon } from '../core/bon/prepare';
import type { BonProblem } from '../core/bon/types';
import { DEFAULT_RESAMPLES } from '../core/metrics/bootstrap';
import type {
  BonCurvesView,
  BonProblemSummary,
  BonScoreChoice,
  BonSelectorKind,
  BonSeries,
} from '../protocol/messages';
import type { BonData } from './bonData';
import { PANEL_LEVEL, PANEL_SEED } from './metricsIntervals';

/** Score names present on any sample, sorted. */
export function scoreNames(problems: readonly BonProblem[]): string[] {
  const names = new Set<string>();
  for (const p of problems) for (const s of p.samples) for (const k of Object.keys(s.scores)) names.add(k);
  return [...names].sort();
}

/** The scores of a dataset: per-solution fields first, then each critic's aggregations. */
export function scoreChoices(names: readonly string[]): BonScoreChoice[] {
  const aggregations: readonly string[] = AGGREGATIONS;
  const choices = names.map((name): BonScoreChoice => {
    const cut = name.lastIndexOf('/');
    const aggregation = cut > 0 ? name.slice(cut + 1) : '';
    return aggregations.includes(aggregation)
      ? { name, source: name.slice(0, cut), aggregation }
      : { name, source: name, aggregation: null };
  });
  const rank = (c: BonScoreChoice) => (c.aggregation === null ? 0 : 1);
  return choices.sort((a, b) => rank(a) - rank(b) || a.source.localeCompare(b.source));
}

/** The requested score when the dataset has it, else its first per-solution field, else a critic's `min`. */
export function defaultScore(choices: readonly BonScoreChoice[], requested: string | null): string | null {
  if (requested !== null && choices.some((c) => c.name === requested)) return requested;
  return (choices.find((c) => c.aggregation === null) ?? choices.find((c) => c.aggregation === 'min'))?.name ?? null;
}

export function selectorKind(selector: string): BonSelectorKind {
  const head = selector.split(':')[0];
  return head === 'best' || head === 'weighted' || head === 'pass' || head === 'random' ? head : 'majority';
}

export interface BonCurvesOptions {
  /** The score of the best/weighted curves (default: defaultScore). */
  score?: string | null;
  seed?: number;
  resamples?: number;
  /** Whether to compute the bootstrap bands (default true); without them the view says they are pending. */
  bands?: boolean;
}

/**
 * The share of a problem's best-of-N picks (all its samples) that are right: the highest `score` among samples with
 * an answer, tied samples sharing the pick; null when no answered sample has the score.
 */
export function pickShare(problem: BonProblem, score: string): number | null {
  let top = -Infinity;
  let tied = 0;
  let right = 0;
  for (const s of problem.samples) {
    const v = s.scores[score];
    if (s.answer === null || v === undefined || !Number.isFinite(v) || v < top) continue;
    if (v > top) [top, tied, right] = [v, 0, 0];
    tied += 1;
    right += s.correct ? 1 : 0;
  }
  return tied === 0 ? null : right / tied;
}

/**
 * The panel's best-of-n chart: accuracy per n for pass, random, majority and the chosen score's best and weighted
 * selectors (bonCurves: the CLI's numbers for the same seed), each with a 95% percentile band from a seeded bootstrap
 * over problems resampled within their subset (with `bands: false` the curves alone: the same values, sooner), and
 * the problem list with whether the chosen score's best-of-N pick is right. `given` is prepareBon of the data's
 * problems: the panel's worker keeps it while only the score changes (preparing grades every answer again: the
 * larger part of the time at 500 × 64).
 */
export function bonCurvesView(data: BonData, opts: BonCurvesOptions = {}, given?: PreparedBon): BonCurvesView {
  const started = performance.now();
  const prepared = given ?? prepareBon(data.problems);
  const seed = opts.seed ?? PANEL_SEED;
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const scores = scoreChoices(prepared.scoreNames);
  const score = defaultScore(scores, opts.score ?? null);
  const bands = opts.bands ?? true;
  const report = bonCurves(prepared, {
    scores: score === null ? [] : [score],
    seed,
    ...(bands ? { ci: { resamples, seed, level: PANEL_LEVEL } } : {}),
  });
  const series = Object.entries(report.curves).map(([selector, values]): BonSeries => {
    const ci = report.ci?.[selector] ?? [];
    return {
      selector,
      kind: selectorKind(selector),
      values,
      lo: values.map((v, j) => (Number.isFinite(ci[j]?.lo) ? ci[j].lo : v)),
      hi: values.map((v, j) => (Number.isFinite(ci[j]?.hi) ? ci[j].hi : v)),
    };
  });
  const problemList = data.problems.map((p): BonProblemSummary => ({
    id: p.id,
    subset: p.subset,
    samples: p.samples.length,
    answered: p.samples.filter((s) => s.answer !== null).length,
    correct: p.samples.filter((s) => s.correct).length,
    pickCorrect: score === null ? null : pickShare(p, score),
  }));
  return {
    problems: report.problems,
    samplesPerProblem: report.samples_per_problem,
    n: report.n,
    scores,
    score,
    series,
    resamples,
    seed,
    level: PANEL_LEVEL,
    problemList,
    computeMs: performance.now() - started,
    ...(bands ? {} : { bandsPending: true as const }),
  };
}
