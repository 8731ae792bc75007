import { performance } from 'node:perf_hooks';
import { AGGREGATIONS } from '../core/bon/aggregate';
import { bestOfNReport, defaultN, scoreNames } from '../core/bon/curves';
import type { BonProblem } from '../core/bon/types';
import { bootstrapReplicates, DEFAULT_RESAMPLES, percentileInterval, strataBy } from '../core/metrics/bootstrap';
import type {
  BonCurvesView,
  BonProblemSummary,
  BonScoreChoice,
  BonSelectorKind,
  BonSeries,
} from '../protocol/messages';
import type { BonData } from './bonData';
import { PANEL_LEVEL, PANEL_SEED } from './metricsIntervals';

/** Problems per call of bestOfNReport when taking per-problem values (see perProblemCurves). */
const CHUNK = 64;

/** Per selector (in the report's order), per n, each problem's expected accuracy of the pick, in percent. */
export interface PerProblemCurves {
  n: number[];
  slots: number;
  selectors: Map<string, Float64Array[]>;
}

/**
 * Each problem's value on every curve, from the public best-of-n report: within a call each problem gets a subset
 * of its own, so the report's per-subset curves are per-problem values (their mean over problems is the curve).
 * Exact selectors give exactly the CLI's numbers; voting is sampled per chunk of problems with seeds derived from
 * `seed`, so its points agree with `prm-lens bon` within their standard error. Calls take CHUNK problems, since
 * the report's per-subset means cost problems × subsets.
 */
export function perProblemCurves(
  problems: readonly BonProblem[],
  opts: { scores: readonly string[]; seed: number; n?: readonly number[] },
): PerProblemCurves {
  const slots = problems.reduce((m, p) => Math.max(m, p.samples.length), 0);
  const n = [...(opts.n ?? defaultN(slots))];
  const selectors = new Map<string, Float64Array[]>();
  for (let start = 0; start < problems.length; start += CHUNK) {
    const chunk = problems.slice(start, start + CHUNK).map((p, k) => ({ ...p, subset: String(k) }));
    const report = bestOfNReport(chunk, { slots, n, scores: opts.scores, seed: opts.seed + start });
    for (const name of Object.keys(report.curves)) {
      let perN = selectors.get(name);
      if (!perN) selectors.set(name, (perN = n.map(() => new Float64Array(problems.length))));
      chunk.forEach((_, k) => report.subsets[String(k)].curves[name].forEach((v, j) => (perN![j][start + k] = v)));
    }
  }
  return { n, slots, selectors };
}

/** The scores of a dataset: per-solution fields first, then each critic's aggregations. */
export function scoreChoices(problems: readonly BonProblem[]): BonScoreChoice[] {
  const aggregations: readonly string[] = AGGREGATIONS;
  const choices = scoreNames(problems).map((name): BonScoreChoice => {
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
}

/**
 * The panel's best-of-n chart: accuracy per n for pass, random, majority and the chosen score's best and weighted
 * selectors, each with a 95% percentile band from a seeded bootstrap over problems (resampled within their subset,
 * the per-problem values kept: the band is the spread over problem samples, not over subsets of solutions), and
 * the problem list with whether the chosen score's best-of-N pick is right.
 */
export function bonCurvesView(data: BonData, opts: BonCurvesOptions = {}): BonCurvesView {
  const started = performance.now();
  const seed = opts.seed ?? PANEL_SEED;
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const scores = scoreChoices(data.problems);
  const score = defaultScore(scores, opts.score ?? null);
  const curves = perProblemCurves(data.problems, { scores: score === null ? [] : [score], seed });
  const names = [...curves.selectors.keys()];
  const columns = names.flatMap((name) => curves.selectors.get(name)!);
  const meanOf = (indices: readonly number[]): Float64Array =>
    Float64Array.from(columns, (values) => {
      let sum = 0;
      for (const i of indices) sum += values[i];
      return indices.length === 0 ? 0 : sum / indices.length;
    });
  const all = data.problems.map((_, i) => i);
  const point = meanOf(all);
  const strata = strataBy(all, (i) => data.problems[i].subset);
  const replicates = bootstrapReplicates(strata, meanOf, { resamples, seed });
  const series: BonSeries[] = names.map((selector, s) => {
    const values: number[] = [];
    const lo: number[] = [];
    const hi: number[] = [];
    curves.n.forEach((_, j) => {
      const c = s * curves.n.length + j;
      const interval = percentileInterval(
        replicates.map((r) => r[c]),
        PANEL_LEVEL,
      );
      values.push(point[c]);
      lo.push(interval?.lo ?? point[c]);
      hi.push(interval?.hi ?? point[c]);
    });
    return { selector, kind: selectorKind(selector), values, lo, hi };
  });
  const best = score === null ? undefined : curves.selectors.get(`best:${score}`);
  const problemList = data.problems.map((p, i): BonProblemSummary => ({
    id: p.id,
    subset: p.subset,
    samples: p.samples.length,
    answered: p.samples.filter((s) => s.answer !== null).length,
    correct: p.samples.filter((s) => s.correct).length,
    pickCorrect: best ? best[best.length - 1][i] / 100 : null,
  }));
  return {
    problems: data.problems.length,
    samplesPerProblem: curves.slots,
    n: curves.n,
    scores,
    score,
    series,
    resamples,
    seed,
    level: PANEL_LEVEL,
    problemList,
    computeMs: performance.now() - started,
  };
}
