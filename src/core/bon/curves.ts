import type { Interval } from '../metrics/bootstrap';
import { curveIntervals, type CurveIntervalOptions } from './ci';
import { avoidRatios, bestOfN, passAtN, randomPick, type Ranked } from './exact';
import { firstSlots, prepareBon, type PreparedBon, type PreparedProblem } from './prepare';
import type { BonProblem } from './types';
import { standardError, voteCurves, type VoteTable } from './vote';

/** What to compute from prepared samples: all of it is cheap to change (nothing here re-reads or re-parses). */
export interface CurveOptions {
  /** The n of the curve (default 1, 2, 4, … up to N, and N). */
  n?: readonly number[];
  /** N: slots per problem, at most the prepared N (default it); a smaller N keeps each problem's first N samples. */
  slots?: number;
  /** Most random subsets per problem for voting where not every subset is enumerated (default 200). */
  trials?: number;
  /**
   * Voting stops sampling an n once its standard errors are at most this many percentage points (default 0.25, far
   * below the spread between problems that the `ci` intervals show; 0: always `trials`).
   */
  targetStandardError?: number;
  seed?: number;
  /** The score names to make selectors of (default every one present): a panel re-aggregating asks for one. */
  scores?: readonly string[];
  /**
   * Whether to include `pass`, `random` and `majority` (default true). They do not depend on any score: a panel
   * switching the aggregation keeps them and asks for the new score's selectors alone.
   */
  baselines?: boolean;
  /** Bootstrap 95% intervals of every point, overall and per subset (the report gains `ci`); off by default. */
  ci?: CurveIntervalOptions;
}

/** The votes' default target standard error, in percentage points. */
export const DEFAULT_TARGET_STANDARD_ERROR = 0.25;

/** Options of bestOfNReport: the curves' and N for preparing. */
export type BonOptions = CurveOptions;

/** A selector's wrong-process diagnostics per n, in percent (null where there is nothing to take a share of). */
export interface ProcessDiagnostics {
  /** Per judge (a critic id or "label"): among correct picks it judged, the share with a step it marks wrong. */
  wrong_process: Record<string, (number | null)[]>;
  /** Among picks with step scores of the selector's critic: the share whose lowest step score is before the last. */
  lowest_before_final?: (number | null)[];
}

/** Accuracy curves in percent per selector, overall and per subset. Keys are those of the CLI's --json output. */
export interface BonReport {
  problems: number;
  samples_per_problem: number;
  n: number[];
  curves: Record<string, number[]>;
  /** Standard errors (percent) of the voting selectors' sampled points; 0 where the point is exact. */
  standard_error: Record<string, number[]>;
  /** With the `ci` option: per selector, the bootstrap interval (percent) of each point. */
  ci?: Record<string, Interval[]>;
  subsets: Record<string, { problems: number; curves: Record<string, number[]>; ci?: Record<string, Interval[]> }>;
  process: Record<string, ProcessDiagnostics>;
}

/** 1, 2, 4, … below N, then N. */
export function defaultN(slots: number): number[] {
  const ns: number[] = [];
  for (let n = 1; n < slots; n *= 2) ns.push(n);
  return [...ns, slots];
}

/** Best-of-n curves of problems, prepared on the way (prepare once and call bonCurves to re-aggregate). */
export function bestOfNReport(all: readonly BonProblem[], opts: BonOptions = {}): BonReport {
  return bonCurves(prepareBon(all, opts.slots === undefined ? {} : { slots: opts.slots }), opts);
}

/**
 * Best-of-n curves from prepared samples (prepareBon): `pass`, `random`, `majority`, and per score name
 * `best:<name>` and `weighted:<name>`, with the process diagnostics of each `best:` selector. Pure and fast: a panel
 * prepares once and calls this whenever n, N, the selectors or the aggregation change (500 problems × 64 samples,
 * every selector: well under 200 ms; `npm run bench`).
 *
 * Best-of-n, pass@n and random are exact expectations over all n-subsets of N slots (exact.ts); voting is exact or
 * sampled with a standard error (vote.ts). A sample without an answer is never chosen nor counted in a vote, and
 * one without a given score is not a candidate of that score's selectors.
 */
export function bonCurves(prepared: PreparedBon, opts: CurveOptions = {}): BonReport {
  const slots = opts.slots ?? prepared.slots;
  if (!Number.isInteger(slots) || slots < 1 || slots > prepared.slots) {
    throw new RangeError(`N must be an integer in [1, ${prepared.slots}] (the prepared N); got ${slots}`);
  }
  const { problems, judges } = slots === prepared.slots ? prepared : firstSlots(prepared, slots);
  const ns = [...new Set(opts.n ?? defaultN(slots))].sort((a, b) => a - b);
  const bad = ns.find((n) => !Number.isInteger(n) || n < 1 || n > slots);
  if (bad !== undefined) throw new RangeError(`n must be an integer in [1, ${slots}] (the slots); got ${bad}`);
  const ratios = ns.map((n) => avoidRatios(slots, n));
  const names = opts.scores ? [...opts.scores] : prepared.scoreNames;
  const perProblem = new Map<string, Float64Array[]>();
  const standardErrors: Record<string, number[]> = {};
  const process: Record<string, ProcessDiagnostics> = {};

  const baselines = opts.baselines ?? true;
  if (baselines) {
    const answered = problems.map((p) => p.answered);
    perProblem.set('pass', exactCurve(answered, ratios, passAtN));
    perProblem.set('random', exactCurve(answered, ratios, randomPick));
  }
  for (const name of names) {
    const ranked = problems.map((p) => p.ranked.get(name) ?? NOTHING);
    const { curve, totals } = bestCurve(ranked, ratios);
    perProblem.set(`best:${name}`, curve);
    process[`best:${name}`] = diagnostics(totals, judges, name.includes('/'));
  }
  const voting = [...(baselines ? ['majority'] : []), ...names.map((name) => `weighted:${name}`)];
  const weightsOf = [...(baselines ? [null] : []), ...names];
  const tables = problems.map((p) => voteTable(p, weightsOf));
  const estimates = voteCurves(tables, slots, ns, {
    selectors: voting.length,
    trials: opts.trials ?? 200,
    seed: opts.seed ?? 0,
    targetStandardError: (opts.targetStandardError ?? DEFAULT_TARGET_STANDARD_ERROR) / 100,
  });
  voting.forEach((name, v) => {
    perProblem.set(
      name,
      estimates.map((e) => e[v].perProblem),
    );
    standardErrors[name] = estimates.map((e) => 100 * standardError(e[v].trialMeans));
  });

  const order = [
    ...(baselines ? ['pass', 'random', 'majority'] : []),
    ...names.flatMap((name) => [`best:${name}`, `weighted:${name}`]),
  ];
  const ordered = new Map(order.map((name) => [name, perProblem.get(name) ?? []]));
  const subsetNames = [...new Set(problems.map((p) => p.subset))].sort();
  const subsetOf = Int32Array.from(problems, (p) => subsetNames.indexOf(p.subset));
  const report: BonReport = {
    problems: problems.length,
    samples_per_problem: slots,
    n: ns,
    curves: meanCurves(ordered, subsetOf, -1),
    standard_error: standardErrors,
    subsets: {},
    process,
  };
  const intervals = opts.ci ? curveIntervals(ordered, subsetOf, subsetNames.length, opts.ci) : undefined;
  if (intervals) report.ci = intervals.overall;
  subsetNames.forEach((subset, k) => {
    const count = subsetOf.reduce((c, s) => c + (s === k ? 1 : 0), 0);
    report.subsets[subset] = { problems: count, curves: meanCurves(ordered, subsetOf, k) };
    if (intervals) report.subsets[subset].ci = intervals.subsets[k];
  });
  return report;
}

type Expectation = (r: Ranked, ratio: Float64Array) => number;

function exactCurve(ranked: readonly Ranked[], ratios: readonly Float64Array[], f: Expectation): Float64Array[] {
  return ratios.map((ratio) => {
    const out = new Float64Array(ranked.length);
    for (let i = 0; i < ranked.length; i++) out[i] = f(ranked[i], ratio);
    return out;
  });
}

/** A problem without a selector's score: no candidates. */
const NOTHING: Ranked = {
  count: new Int32Array(0),
  correct: new Int32Array(0),
  sums: new Float64Array(0),
  width: 0,
  usable: 0,
  correctTotal: 0,
};

/**
 * Best-of-n per n and problem, and per n the expected pick's values summed over problems ([correct, ...values], see
 * rankBy in prepare.ts).
 */
function bestCurve(ranked: readonly Ranked[], ratios: readonly Float64Array[]) {
  const width = ranked.reduce((w, r) => Math.max(w, r.width), 0);
  const out = new Float64Array(1 + width);
  const curve = ratios.map(() => new Float64Array(ranked.length));
  const totals = ratios.map(() => new Float64Array(1 + width));
  ratios.forEach((ratio, j) => {
    for (let i = 0; i < ranked.length; i++) {
      bestOfN(ranked[i], ratio, out);
      curve[j][i] = out[0];
      for (let k = 0; k <= ranked[i].width; k++) totals[j][k] += out[k];
    }
  });
  return { curve, totals };
}

/** Shares of the summed pick values: per judge k values 2k, 2k + 1; then the lowest step's (a critic's score). */
function diagnostics(
  totals: readonly Float64Array[],
  judges: readonly string[],
  stepScored: boolean,
): ProcessDiagnostics {
  const share = (part: number, whole: number): (number | null)[] =>
    totals.map((t) => (t[1 + whole] > 1e-12 ? (100 * t[1 + part]) / t[1 + whole] : null));
  const wrong = Object.fromEntries(judges.map((j, k) => [j, share(2 * k, 2 * k + 1)]));
  const out: ProcessDiagnostics = { wrong_process: wrong };
  if (stepScored) out.lowest_before_final = share(2 * judges.length, 2 * judges.length + 1);
  return out;
}

/**
 * A problem's votes: plain majority (null: one vote per answered sample) and weighted by each score name. A sample
 * without the weighting score does not vote in that weighted vote.
 */
function voteTable(p: PreparedProblem, weightsOf: readonly (string | null)[]): VoteTable {
  const V = weightsOf.length;
  const weights = new Float64Array(p.classes.length * V);
  weightsOf.forEach((name, v) => {
    const scores = name === null ? null : p.scores.get(name);
    for (let i = 0; i < p.classes.length; i++) {
      weights[i * V + v] = p.classes[i] < 0 ? NaN : name === null ? 1 : scores ? scores[i] : NaN;
    }
  });
  return { classes: p.classes, classCount: p.classCount, correct: p.correct, weights };
}

/** Mean curves in percent over the problems of subset k (-1: all). */
function meanCurves(
  perProblem: Map<string, Float64Array[]>,
  subsetOf: Int32Array,
  k: number,
): Record<string, number[]> {
  let count = 0;
  for (const s of subsetOf) if (k < 0 || s === k) count += 1;
  const out: Record<string, number[]> = {};
  for (const [name, points] of perProblem) {
    out[name] = points.map((values) => {
      let sum = 0;
      for (let i = 0; i < values.length; i++) if (k < 0 || subsetOf[i] === k) sum += values[i];
      return count === 0 ? 0 : (100 * sum) / count;
    });
  }
  return out;
}
