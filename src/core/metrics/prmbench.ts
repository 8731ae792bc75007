import { isCorrectScore } from '../critics/judgement';

/** A PRMBench solution with its per-step ground truth and a critic's scalar step scores (same length). */
export interface PrmbenchScored {
  /** PRMBench's `classification` (error category), or "correct" for the unmodified solutions. */
  category: string;
  /** Per step: true when the step is correct (not among the item's `error_steps`). */
  correct: readonly boolean[];
  scores: readonly number[];
}

/** Step counts with the CORRECT step as the positive class, as PRMBench's evaluator counts them. */
export interface StepConfusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

/** PRMScore of a group of steps. F1s and PRMScore are percentages; null when undefined. */
export interface PrmScoreMetrics extends StepConfusion {
  n_items: number;
  n_steps: number;
  /** F1 of the positive class (correct steps). */
  f1: number | null;
  /** F1 of the negative class (erroneous steps). */
  negative_f1: number | null;
  /** 0.5·f1 + 0.5·negative_f1. */
  prmscore: number | null;
}

export interface PrmbenchReport {
  /** One entry per category, sorted by name ("correct" included). */
  categories: Record<string, PrmScoreMetrics>;
  /** All steps of every category except "correct", pooled (PRMBench's total). */
  overall: PrmScoreMetrics;
}

/** The category of the unmodified solutions PRMBench adds: counted in its own row, left out of the overall score. */
export const CORRECT_CATEGORY = 'correct';

export const DEFAULT_PRMBENCH_THRESHOLD = 0.5;

/** Adds one item's steps to `c`: a step is predicted correct when its score is above the threshold (judgement.ts). */
export function addConfusion(
  c: StepConfusion,
  item: Pick<PrmbenchScored, 'correct' | 'scores'>,
  threshold: number,
): void {
  if (item.scores.length !== item.correct.length) {
    throw new Error(`PRMBench item has ${item.scores.length} scores for ${item.correct.length} steps`);
  }
  item.correct.forEach((truth, i) => {
    const predicted = isCorrectScore(item.scores[i], threshold);
    if (truth) {
      if (predicted) c.tp += 1;
      else c.fn += 1;
    } else if (predicted) c.fp += 1;
    else c.tn += 1;
  });
}

/** F1 from counts (percent); null when precision or recall is undefined (no prediction or no truth of the class). */
function f1(hit: number, falseAlarm: number, miss: number): number | null {
  if (hit + falseAlarm === 0 || hit + miss === 0) return null;
  return hit === 0 ? 0 : (200 * hit) / (2 * hit + falseAlarm + miss);
}

export function prmScoreFromCounts(c: StepConfusion, nItems: number): PrmScoreMetrics {
  const pos = f1(c.tp, c.fp, c.fn);
  const neg = f1(c.tn, c.fn, c.fp);
  return {
    n_items: nItems,
    n_steps: c.tp + c.fp + c.tn + c.fn,
    tp: c.tp,
    fp: c.fp,
    tn: c.tn,
    fn: c.fn,
    f1: pos,
    negative_f1: neg,
    prmscore: pos === null || neg === null ? null : (pos + neg) / 2,
  };
}

/** One solution's step counts. */
export interface CountedItem {
  category: string;
  c: StepConfusion;
}

export function countItem(item: PrmbenchScored, threshold: number): CountedItem {
  const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
  addConfusion(c, item, threshold);
  return { category: item.category, c };
}

/**
 * PRMBench's PRMScore (Song et al. 2025): per category, the steps of all its solutions pooled into one confusion
 * matrix with correct steps as the positive class; PRMScore = 0.5·F1(correct steps) + 0.5·F1(erroneous steps). The
 * overall score pools every category but "correct", as PRMBench's evaluator does.
 */
export function computePrmbench(
  items: Iterable<PrmbenchScored>,
  threshold: number = DEFAULT_PRMBENCH_THRESHOLD,
): PrmbenchReport {
  return prmbenchFromCounts([...items].map((i) => countItem(i, threshold)));
}

/** computePrmbench from per-solution counts (the bootstrap resamples these rather than re-judging steps). */
export function prmbenchFromCounts(items: readonly CountedItem[]): PrmbenchReport {
  const sums = new Map<string, { c: StepConfusion; n: number }>();
  const total = { c: { tp: 0, fp: 0, tn: 0, fn: 0 }, n: 0 };
  const add = (to: { c: StepConfusion; n: number }, c: StepConfusion): void => {
    to.c.tp += c.tp;
    to.c.fp += c.fp;
    to.c.tn += c.tn;
    to.c.fn += c.fn;
    to.n += 1;
  };
  for (const item of items) {
    let s = sums.get(item.category);
    if (s === undefined) {
      s = { c: { tp: 0, fp: 0, tn: 0, fn: 0 }, n: 0 };
      sums.set(item.category, s);
    }
    add(s, item.c);
    if (item.category !== CORRECT_CATEGORY) add(total, item.c);
  }
  const names = [...sums.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  // fromEntries defines own properties, so a category named "__proto__" is a key like any other.
  const categories = Object.fromEntries(names.map((n) => [n, prmScoreFromCounts(sums.get(n)!.c, sums.get(n)!.n)]));
  return { categories, overall: prmScoreFromCounts(total.c, total.n) };
}
