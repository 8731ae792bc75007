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
  /** Random n-subsets drawn per problem when not every subset is enumerated. */
  trials: number;
  seed: number;
}

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
 * subsets per problem are drawn from the repo's seeded generator, the same draws for every problem of a trial.
 */
export function voteAtN(problems: readonly VoteProblem[], slots: number, n: number, opts: VoteOptions): VoteEstimate {
  const perProblem = new Float64Array(problems.length);
  const size = Math.min(n, slots);
  const exact = binomialAtMost(slots, size, opts.trials);
  const scratch = new Scratch(problems);
  if (exact) {
    let subsets = 0;
    forEachSubset(slots, size, (subset) => {
      subsets += 1;
      problems.forEach((p, i) => (perProblem[i] += scratch.vote(p, subset)));
    });
    for (let i = 0; i < perProblem.length; i++) perProblem[i] /= subsets;
    return { perProblem, trialMeans: new Float64Array(0), exact };
  }
  const random = seededRandom(opts.seed);
  const trialMeans = new Float64Array(opts.trials);
  const order = Int32Array.from({ length: slots }, (_, i) => i);
  for (let t = 0; t < opts.trials; t++) {
    let sum = 0;
    problems.forEach((p, i) => {
      // A partial Fisher-Yates shuffle: the first `size` entries are a uniform random n-subset of the slots.
      for (let k = 0; k < size; k++) {
        const j = k + Math.floor(random() * (slots - k));
        [order[k], order[j]] = [order[j], order[k]];
      }
      const v = scratch.vote(p, order.subarray(0, size));
      perProblem[i] += v;
      sum += v;
    });
    trialMeans[t] = problems.length === 0 ? 0 : sum / problems.length;
  }
  for (let i = 0; i < perProblem.length; i++) perProblem[i] /= opts.trials;
  return { perProblem, trialMeans, exact };
}

/** Tallies reused across problems and subsets (sized for the problem with the most classes). */
class Scratch {
  private readonly tally: Float64Array;
  private readonly voters: Int32Array;
  private readonly right: Int32Array;
  private readonly touched: Int32Array;

  constructor(problems: readonly VoteProblem[]) {
    const most = problems.reduce((m, p) => Math.max(m, p.classCount), 0);
    [this.tally, this.voters, this.right] = [new Float64Array(most), new Int32Array(most), new Int32Array(most)];
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
      if (this.tally[c] > best) [best, tied, won] = [this.tally[c], 1, share];
      else if (this.tally[c] === best) [tied, won] = [tied + 1, won + share];
    }
    for (let k = 0; k < touched; k++) {
      const c = this.touched[k];
      [this.tally[c], this.voters[c], this.right[c]] = [0, 0, 0];
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
