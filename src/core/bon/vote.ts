import { seededRandom } from '../util/random';

/** One problem as voting sees it: per sample, its answer class (-1: not usable), correctness and vote weight. */
export interface VoteProblem {
  classes: Int32Array;
  correct: Uint8Array;
  /** Vote weights (weighted majority), or null: one vote each (plain majority). */
  weights: Float64Array | null;
  classCount: number;
}

export interface VoteOptions {
  /** Most random n-subsets drawn per problem when not every subset is enumerated. */
  trials: number;
  seed: number;
  /**
   * Sampling stops early, after at least MIN_TRIALS, once every selector's standard error (a fraction) is at most
   * this (default 0: never early). Votes on large subsets barely vary, so at large n a few trials are exact enough.
   */
  targetStandardError?: number;
}

const MIN_TRIALS = 20;

/** The estimate of a voting accuracy: the mean over trials and its standard error (0 when exact). */
export interface VoteEstimate {
  /** Per problem, the expected correctness of the vote (averaged over trials or over all subsets). */
  perProblem: Float64Array;
  /** Per trial, the accuracy over all problems (empty when exact). */
  trialMeans: Float64Array;
  exact: boolean;
}

/**
 * Majority (or weighted majority) vote over n-subsets of N slots: the answer class with the most votes (summed
 * weights) wins; tied classes split the win evenly; a class counts as correct by the share of its voters in the
 * subset that are correct. When C(N, n) ≤ trials every subset is enumerated (exact); otherwise `trials` random
 * subsets per problem are drawn from the repo's seeded generator (fewer when the standard error is small enough,
 * see VoteOptions). Several voting selectors (`selectors[v][problem]`) are judged on the same subsets: one draw
 * serves all of them.
 */
export function voteAtN(
  selectors: readonly (readonly VoteProblem[])[],
  slots: number,
  n: number,
  opts: VoteOptions,
): VoteEstimate[] {
  const count = selectors[0]?.length ?? 0;
  const perProblem = selectors.map(() => new Float64Array(count));
  const size = Math.min(n, slots);
  const exact = binomialAtMost(slots, size, opts.trials);
  const scratch = new Scratch(selectors.flat());
  if (exact) {
    let subsets = 0;
    forEachSubset(slots, size, (subset) => {
      subsets += 1;
      selectors.forEach((problems, v) => problems.forEach((p, i) => (perProblem[v][i] += scratch.vote(p, subset))));
    });
    for (const values of perProblem) for (let i = 0; i < count; i++) values[i] /= subsets;
    return perProblem.map((values) => ({ perProblem: values, trialMeans: new Float64Array(0), exact }));
  }
  const random = seededRandom(opts.seed);
  const trialMeans = selectors.map(() => new Float64Array(opts.trials));
  const order = Int32Array.from({ length: slots }, (_, i) => i);
  const subset = order.subarray(0, size);
  const target = opts.targetStandardError ?? 0;
  let trials = 0;
  for (let t = 0; t < opts.trials; t++) {
    trials += 1;
    for (let i = 0; i < count; i++) {
      // A partial Fisher-Yates shuffle: the first `size` entries are a uniform random n-subset of the slots.
      for (let k = 0; k < size; k++) {
        const j = k + Math.floor(random() * (slots - k));
        const swap = order[k];
        order[k] = order[j];
        order[j] = swap;
      }
      for (let v = 0; v < selectors.length; v++) {
        const value = scratch.vote(selectors[v][i], subset);
        perProblem[v][i] += value;
        trialMeans[v][t] += value / count;
      }
    }
    const precise = (m: Float64Array): boolean => standardError(m.subarray(0, trials)) <= target;
    if (trials >= MIN_TRIALS && target > 0 && trialMeans.every(precise)) break;
  }
  for (const values of perProblem) for (let i = 0; i < count; i++) values[i] /= trials;
  return perProblem.map((values, v) => ({ perProblem: values, trialMeans: trialMeans[v].slice(0, trials), exact }));
}

/** The standard error of the mean of `values` (0 for fewer than two). */
export function standardError(values: ArrayLike<number>): number {
  const k = values.length;
  if (k < 2) return 0;
  let mean = 0;
  for (let i = 0; i < k; i++) mean += values[i] / k;
  let squares = 0;
  for (let i = 0; i < k; i++) squares += (values[i] - mean) ** 2;
  return Math.sqrt(squares / (k - 1) / k);
}

/** Tallies reused across problems and subsets (sized for the problem with the most classes). */
class Scratch {
  private readonly tally: Float64Array;
  private readonly voters: Int32Array;
  private readonly right: Int32Array;
  private readonly touched: Int32Array;

  constructor(problems: readonly VoteProblem[]) {
    const most = problems.reduce((m, p) => Math.max(m, p.classCount), 0);
    this.tally = new Float64Array(most);
    this.voters = new Int32Array(most);
    this.right = new Int32Array(most);
    this.touched = new Int32Array(most);
  }

  /** The expected correctness of the vote among the samples at `subset` (slots past the samples are empty). */
  vote(p: VoteProblem, subset: ArrayLike<number>): number {
    let touched = 0;
    for (let k = 0; k < subset.length; k++) {
      const s = subset[k];
      if (s >= p.classes.length || p.classes[s] < 0) continue;
      const c = p.classes[s];
      if (this.voters[c] === 0) this.touched[touched++] = c;
      this.voters[c] += 1;
      this.right[c] += p.correct[s];
      this.tally[c] += p.weights ? p.weights[s] : 1;
    }
    let best = -Infinity;
    let tied = 0;
    let won = 0;
    for (let k = 0; k < touched; k++) {
      const c = this.touched[k];
      const share = this.right[c] / this.voters[c];
      if (this.tally[c] > best) {
        best = this.tally[c];
        tied = 1;
        won = share;
      } else if (this.tally[c] === best) {
        tied += 1;
        won += share;
      }
    }
    for (let k = 0; k < touched; k++) {
      const c = this.touched[k];
      this.tally[c] = 0;
      this.voters[c] = 0;
      this.right[c] = 0;
    }
    return tied === 0 ? 0 : won / tied;
  }
}

/** Whether C(n, k) ≤ limit, without computing a large binomial. */
export function binomialAtMost(n: number, k: number, limit: number): boolean {
  let c = 1;
  for (let i = 1; i <= Math.min(k, n - k); i++) {
    c = (c * (n - k + i)) / i;
    if (c > limit) return false;
  }
  return true;
}

/** Calls `visit` with every k-subset of 0..n-1 (a reused array, in lexicographic order). */
export function forEachSubset(n: number, k: number, visit: (subset: Int32Array) => void): void {
  const subset = Int32Array.from({ length: k }, (_, i) => i);
  for (;;) {
    visit(subset);
    let i = k - 1;
    while (i >= 0 && subset[i] === n - k + i) i -= 1;
    if (i < 0) return;
    subset[i] += 1;
    for (let j = i + 1; j < k; j++) subset[j] = subset[j - 1] + 1;
  }
}
