import { answerKey } from '../answers/equivalent';
import { avoidRatios, bestOfN, passAtN, randomPick, rank, type Candidate, type Ranked } from './exact';
import type { BonProblem, BonSample } from './types';
import { standardError as standardErrorOf, voteAtN, type VoteProblem } from './vote';

export interface BonOptions {
  /** The n of the curve (default 1, 2, 4, … up to N, and N). */
  n?: readonly number[];
  /** N: slots per problem (default the most samples any problem has); problems with fewer are padded. */
  slots?: number;
  /** Most random subsets per problem for voting where not every subset is enumerated (default 200). */
  trials?: number;
  /**
   * Voting stops sampling once its standard errors are at most this many percentage points (default 0.1; 0: always
   * `trials`).
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
}

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
  subsets: Record<string, { problems: number; curves: Record<string, number[]> }>;
  process: Record<string, ProcessDiagnostics>;
}

/** 1, 2, 4, … below N, then N. */
export function defaultN(slots: number): number[] {
  const ns: number[] = [];
  for (let n = 1; n < slots; n *= 2) ns.push(n);
  return [...ns, slots];
}

/** Score names present on any sample, sorted (fields like prm_score, then critic/aggregation names). */
export function scoreNames(problems: readonly BonProblem[]): string[] {
  const names = new Set<string>();
  for (const p of problems) for (const s of p.samples) for (const k of Object.keys(s.scores)) names.add(k);
  return [...names].sort();
}

/**
 * Best-of-n curves: `pass`, `random`, `majority`, and per score name `best:<name>` and `weighted:<name>`. Best-of-n,
 * pass@n and random are exact expectations over all n-subsets of N slots (exact.ts); voting is exact or sampled
 * (vote.ts). A sample without an answer is never chosen nor counted in a vote, and one without a given score is not a
 * candidate of that score's selectors. Problems with more than N samples keep their first N.
 */
export function bestOfNReport(all: readonly BonProblem[], opts: BonOptions = {}): BonReport {
  const most = all.reduce((m, p) => Math.max(m, p.samples.length), 0);
  const slots = opts.slots ?? most;
  const problems = all.map((p) => ({ ...p, samples: p.samples.slice(0, slots) }));
  const ns = [...new Set(opts.n ?? defaultN(slots))].sort((a, b) => a - b);
  const bad = ns.find((n) => !Number.isInteger(n) || n < 1 || n > slots);
  if (bad !== undefined) throw new RangeError(`n must be an integer in [1, ${slots}] (the slots); got ${bad}`);
  const ratios = ns.map((n) => avoidRatios(slots, n));
  const subsetOf = problems.map((p) => p.subset);
  const names = opts.scores ? [...opts.scores] : scoreNames(problems);
  const perProblem = new Map<string, Float64Array[]>();
  const standardError: Record<string, number[]> = {};
  const process: Record<string, ProcessDiagnostics> = {};

  const baselines = opts.baselines ?? true;
  if (baselines) {
    const answered = problems.map((p) => rank(usable(p.samples).map((s) => ({ score: 0, correct: s.correct }))));
    perProblem.set('pass', exactCurve(answered, ratios, passAtN));
    perProblem.set('random', exactCurve(answered, ratios, randomPick));
  }
  const keys = new Map<string, string>();
  const classes = problems.map((p) => answerClasses(p.samples, keys));
  const voting: [string, ((s: BonSample) => number | undefined) | null][] = baselines ? [['majority', null]] : [];
  const judges = judgeNames(problems);
  for (const name of names) {
    const critic = name.includes('/') ? name.slice(0, name.lastIndexOf('/')) : undefined;
    const ranked = problems.map((p) => rank(candidates(p.samples, name, judges, critic)));
    perProblem.set(
      `best:${name}`,
      exactCurve(ranked, ratios, (r, ratio) => bestOfN(r, ratio)),
    );
    process[`best:${name}`] = diagnostics(ranked, ratios, judges, critic !== undefined);
    voting.push([`weighted:${name}`, (s) => s.scores[name]]);
  }
  const voters = voting.map(([, weightOf]) => problems.map((p, i) => voteProblem(p.samples, classes[i], weightOf)));
  const trials = opts.trials ?? 200;
  const targetStandardError = (opts.targetStandardError ?? 0.1) / 100;
  const estimates = ns.map((n, k) =>
    voteAtN(voters, slots, n, { trials, seed: (opts.seed ?? 0) + k, targetStandardError }),
  );
  voting.forEach(([name], v) => {
    perProblem.set(
      name,
      estimates.map((e) => e[v].perProblem),
    );
    standardError[name] = estimates.map((e) => 100 * standardErrorOf(e[v].trialMeans));
  });

  const order = [
    ...(baselines ? ['pass', 'random', 'majority'] : []),
    ...names.flatMap((name) => [`best:${name}`, `weighted:${name}`]),
  ];
  const ordered = new Map(order.map((name) => [name, perProblem.get(name) ?? []]));
  const curves = meanCurves(
    ordered,
    problems.map(() => true),
  );
  const subsets: BonReport['subsets'] = {};
  for (const subset of [...new Set(subsetOf)].sort()) {
    const members = subsetOf.map((s) => s === subset);
    subsets[subset] = { problems: members.filter(Boolean).length, curves: meanCurves(ordered, members) };
  }
  return {
    problems: problems.length,
    samples_per_problem: slots,
    n: ns,
    curves,
    standard_error: standardError,
    subsets,
    process,
  };
}

function usable(samples: readonly BonSample[]): BonSample[] {
  return samples.filter((s) => s.answer !== null);
}

type Expectation = (r: Ranked, ratio: Float64Array) => number;

function exactCurve(ranked: readonly Ranked[], ratios: readonly Float64Array[], f: Expectation): Float64Array[] {
  return ratios.map((ratio) => Float64Array.from(ranked, (r) => f(r, ratio)));
}

/** Judges of the process: "label" and critic ids that marked some sample's steps. */
function judgeNames(problems: readonly { samples: readonly BonSample[] }[]): string[] {
  const names = new Set<string>();
  for (const p of problems) for (const s of p.samples) for (const k of Object.keys(s.processError ?? {})) names.add(k);
  return [...names].sort();
}

/**
 * The candidates of `best:<name>` with the indicator values its diagnostics take expectations of: per judge
 * [correct ∧ wrong step, correct ∧ judged], then [lowest step earlier, lowest step known] for the selector's
 * critic.
 */
function candidates(
  samples: readonly BonSample[],
  name: string,
  judges: readonly string[],
  critic?: string,
): Candidate[] {
  const out: Candidate[] = [];
  for (const s of samples) {
    const score = s.scores[name];
    if (s.answer === null || score === undefined || !Number.isFinite(score)) continue;
    const values: number[] = [];
    for (const j of judges) {
      const wrong = s.processError?.[j];
      values.push(s.correct && wrong === true ? 1 : 0, s.correct && wrong !== undefined ? 1 : 0);
    }
    const lowest = critic === undefined ? undefined : s.lowestStep?.[critic];
    values.push(lowest === 'earlier' ? 1 : 0, lowest === undefined ? 0 : 1);
    out.push({ score, correct: s.correct, values });
  }
  return out;
}

function diagnostics(
  ranked: readonly Ranked[],
  ratios: readonly Float64Array[],
  judges: readonly string[],
  stepScored: boolean,
): ProcessDiagnostics {
  const share = (part: number, whole: number): (number | null)[] =>
    ratios.map((ratio) => {
      const [p, w] = [part, whole].map((v) => ranked.reduce((sum, r) => sum + bestOfN(r, ratio, v), 0));
      return w > 1e-12 ? (100 * p) / w : null;
    });
  const wrong = Object.fromEntries(judges.map((j, k) => [j, share(2 * k, 2 * k + 1)]));
  const out: ProcessDiagnostics = { wrong_process: wrong };
  if (stepScored) out.lowest_before_final = share(2 * judges.length, 2 * judges.length + 1);
  return out;
}

/** Answer classes per sample by answerKey (-1: no answer); `keys` memoises answerKey across problems. */
function answerClasses(
  samples: readonly BonSample[],
  keys: Map<string, string>,
): { classes: Int32Array; count: number } {
  const ids = new Map<string, number>();
  const classes = Int32Array.from(samples, (s) => {
    if (s.answer === null) return -1;
    let key = keys.get(s.answer);
    if (key === undefined) {
      key = answerKey(s.answer);
      keys.set(s.answer, key);
    }
    let id = ids.get(key);
    if (id === undefined) ids.set(key, (id = ids.size));
    return id;
  });
  return { classes, count: ids.size };
}

function voteProblem(
  samples: readonly BonSample[],
  classes: { classes: Int32Array; count: number },
  weightOf: ((s: BonSample) => number | undefined) | null,
): VoteProblem {
  const weights = weightOf ? Float64Array.from(samples, (s) => weightOf(s) ?? NaN) : null;
  // A sample without the weighting score does not vote in that weighted vote.
  const own = weights ? classes.classes.map((c, i) => (Number.isFinite(weights[i]) ? c : -1)) : classes.classes;
  const correct = Uint8Array.from(samples, (s) => (s.correct ? 1 : 0));
  return { classes: own, correct, weights, classCount: classes.count };
}

function meanCurves(perProblem: Map<string, Float64Array[]>, members: readonly boolean[]): Record<string, number[]> {
  const count = members.filter(Boolean).length;
  const out: Record<string, number[]> = {};
  for (const [name, points] of perProblem) {
    out[name] = points.map((values) => {
      let sum = 0;
      values.forEach((v, i) => (sum += members[i] ? v : 0));
      return count === 0 ? 0 : (100 * sum) / count;
    });
  }
  return out;
}
