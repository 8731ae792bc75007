import { seededRandom } from '../util/random';
import { avoidRatios } from './exact';

/** One problem as voting sees it: several voting selectors, judged on the same subsets of its samples. */
export interface VoteTable {
  /** Answer class per sample (ids 0 … classCount − 1); -1: no answer, never votes. */
  classes: Int32Array;
  classCount: number;
  correct: Uint8Array;
  /**
   * weights[s·V + v]: sample s's vote in selector v of V (1 each for plain majority, a score for weighted majority);
   * NaN where the sample does not vote in that selector.
   */
  weights: Float64Array;
}

export interface VoteOptions {
  /** V: voting selectors per table. */
  selectors: number;
  /** Most random n-subsets drawn per problem and n; an n is enumerated instead when C(N, n) ≤ trials. */
  trials: number;
  seed: number;
  /**
   * Sampling of an n stops early, after at least MIN_TRIALS (then checked every BATCH trials), once every selector's
   * standard error (a fraction) is at most this (default 0: never early). Votes on large subsets barely vary, so
   * there a few trials are exact enough.
   */
  targetStandardError?: number;
}

const MIN_TRIALS = 20;
/** Trials drawn between two checks of the standard errors, after the first MIN_TRIALS. */
const BATCH = 5;

/** The estimate of a voting accuracy: the mean over trials and its standard error (0 when exact). */
export interface VoteEstimate {
  /** Per problem, the expected correctness of the vote (averaged over trials, or exact). */
  perProblem: Float64Array;
  /** Per trial, the accuracy over all problems (empty when exact). */
  trialMeans: Float64Array;
  exact: boolean;
}

/**
 * Majority (or weighted majority) vote over n-subsets of N slots, for every n of `ns` (ascending) and every selector:
 * `[n][selector]`. The answer class with the most votes (summed weights) wins; tied classes split the win evenly; a
 * class counts as correct by the share of its voters in the subset that are correct.
 *
 * Exact where feasible: a problem whose voters are all right, all wrong or all of one class has the closed form
 * P(some voter drawn) · (its share of correct voters); where C(N, n) ≤ trials every subset is enumerated. Otherwise
 * random subsets are drawn from the repo's seeded generator: one random order of the slots per problem and trial, its
 * first n slots being the subset of every n at once (the prefixes of a uniform random order are uniform n-subsets),
 * so one pass of tallies serves every n and selector. An n stops drawing once precise enough (VoteOptions).
 */
export function voteCurves(
  tables: readonly VoteTable[],
  slots: number,
  ns: readonly number[],
  opts: VoteOptions,
): VoteEstimate[][] {
  const V = opts.selectors;
  const P = tables.length;
  const engine = new VoteEngine(tables, V);
  const perProblem = ns.map(() => Array.from({ length: V }, () => new Float64Array(P)));
  const sampled: number[] = [];
  // Per n and selector: the exact problems' summed values (a constant in every trial's mean).
  const fixedSum = new Float64Array(ns.length * V);
  ns.forEach((n, j) => {
    const ratios = avoidRatios(slots, n);
    engine.compiled.forEach((p, i) => {
      if (!p.fixed) return;
      for (let v = 0; v < V; v++) {
        const g = engine.groupOf[v];
        const voters = p.groupVoters[g];
        const value = voters === 0 ? 0 : ((1 - ratios[voters]) * p.groupRight[g]) / voters;
        perProblem[j][v][i] = value;
        fixedSum[j * V + v] += value;
      }
    });
    if (binomialAtMost(slots, n, opts.trials)) engine.enumerate(slots, n, perProblem[j]);
    else sampled.push(j);
  });
  const trialMeans: Float64Array[][] = ns.map(() => Array.from({ length: V }, () => new Float64Array(0)));
  const drawn = engine.sample(
    slots,
    sampled.map((j) => ns[j]),
    sampled.map((j) => perProblem[j]),
    sampled.map((j) => fixedSum.subarray(j * V, (j + 1) * V)),
    opts,
  );
  sampled.forEach((j, k) => (trialMeans[j] = drawn[k]));
  const allFixed = engine.compiled.every((p) => p.fixed);
  return ns.map((_, j) =>
    perProblem[j].map((values, v) => {
      const means = trialMeans[j][v];
      return { perProblem: values, trialMeans: means, exact: allFixed || means.length === 0 };
    }),
  );
}

/** A table ready for tallying: weights with 0 for non-voters and voter membership per group of selectors. */
interface Compiled {
  size: number;
  classes: Int32Array;
  correct: Uint8Array;
  weights: Float64Array;
  /** member[s·G + g]: sample s votes in the selectors of group g. */
  member: Uint8Array;
  groupVoters: Int32Array;
  groupRight: Int32Array;
  /** Whether the closed form holds: its voters are all right, all wrong, or all of one class. */
  fixed: boolean;
}

/**
 * Tallies of one subset at a time, in scratch arrays reused across problems and subsets. Selectors with the same
 * voters everywhere (e.g. every aggregation of one critic) form a group that shares its voter counts.
 */
class VoteEngine {
  readonly compiled: Compiled[];
  /** The group of each selector. */
  readonly groupOf: Int32Array;
  private readonly groups: number;
  private readonly tally: Float64Array;
  private readonly voters: Int32Array;
  private readonly right: Int32Array;
  private readonly touched: Int32Array;
  private readonly seen: Uint8Array;
  private count = 0;
  // Per selector: the top tally, how many classes share it, their summed shares, and the vote's result.
  private readonly best: Float64Array;
  private readonly tied: Int32Array;
  private readonly won: Float64Array;
  private readonly result: Float64Array;
  /** Per group: the share of correct voters of the class being resolved (-1: it has none in the group). */
  private readonly share: Float64Array;

  constructor(
    tables: readonly VoteTable[],
    private readonly V: number,
  ) {
    this.groupOf = groupSelectors(tables, V);
    const G = (this.groups = this.groupOf.reduce((m, g) => Math.max(m, g + 1), 0));
    this.compiled = tables.map((t) => compile(t, V, this.groupOf, G));
    const most = tables.reduce((m, t) => Math.max(m, t.classCount), 0);
    this.tally = new Float64Array(most * V);
    this.voters = new Int32Array(most * G);
    this.right = new Int32Array(most * G);
    this.touched = new Int32Array(most);
    this.seen = new Uint8Array(most);
    this.best = new Float64Array(V);
    this.tied = new Int32Array(V);
    this.won = new Float64Array(V);
    this.result = new Float64Array(V);
    this.share = new Float64Array(G);
  }

  /** Adds slot s of a problem to the subset being tallied (empty slots and samples without an answer add nothing). */
  private add(p: Compiled, s: number): void {
    if (s >= p.size) return;
    const c = p.classes[s];
    if (c < 0) return;
    const { V, groups: G, voters, right, tally } = this;
    if (this.seen[c] === 0) {
      this.seen[c] = 1;
      this.touched[this.count++] = c;
    }
    const member = p.member;
    const hit = p.correct[s];
    for (let g = 0, at = c * G, m = s * G; g < G; g++, at++, m++) {
      if (member[m] === 0) continue;
      voters[at] += 1;
      right[at] += hit;
    }
    const weights = p.weights;
    for (let v = 0, at = c * V, w = s * V; v < V; v++, at++, w++) tally[at] += weights[w];
  }

  /** Into `result[v]`: the expected correctness of selector v's vote on the subset tallied so far. */
  private resolve(): void {
    const { V, groups: G, best, tied, won, share, groupOf } = this;
    for (let v = 0; v < V; v++) {
      best[v] = -Infinity;
      tied[v] = 0;
      won[v] = 0;
    }
    for (let k = 0; k < this.count; k++) {
      const c = this.touched[k];
      for (let g = 0; g < G; g++) {
        const voters = this.voters[c * G + g];
        share[g] = voters === 0 ? -1 : this.right[c * G + g] / voters;
      }
      for (let v = 0; v < V; v++) {
        const s = share[groupOf[v]];
        if (s < 0) continue;
        const tally = this.tally[c * V + v];
        if (tally > best[v]) {
          best[v] = tally;
          tied[v] = 1;
          won[v] = s;
        } else if (tally === best[v]) {
          tied[v] += 1;
          won[v] += s;
        }
      }
    }
    for (let v = 0; v < V; v++) this.result[v] = tied[v] === 0 ? 0 : won[v] / tied[v];
  }

  private reset(): void {
    const G = this.groups;
    const V = this.V;
    for (let k = 0; k < this.count; k++) {
      const c = this.touched[k];
      this.seen[c] = 0;
      for (let g = c * G; g < c * G + G; g++) this.voters[g] = this.right[g] = 0;
      for (let v = c * V; v < c * V + V; v++) this.tally[v] = 0;
    }
    this.count = 0;
  }

  /** Every n-subset: `out[v][problem]` becomes the average vote of the problems without a closed form. */
  enumerate(slots: number, n: number, out: Float64Array[]): void {
    const open = this.compiled.flatMap((p, i) => (p.fixed ? [] : [i]));
    if (open.length === 0) return;
    let subsets = 0;
    forEachSubset(slots, n, (subset) => {
      subsets += 1;
      for (const i of open) {
        const p = this.compiled[i];
        for (let k = 0; k < n; k++) this.add(p, subset[k]);
        this.resolve();
        for (let v = 0; v < this.V; v++) out[v][i] += this.result[v];
        this.reset();
      }
    });
    for (const i of open) for (let v = 0; v < this.V; v++) out[v][i] /= subsets;
  }

  /**
   * Random subsets for the sampled ns (ascending): `out[k][v][problem]` becomes the mean vote over the trials of ns[k]
   * for problems without a closed form; `fixedSums[k][v]` are the others' summed values. Returns the trial means.
   */
  sample(
    slots: number,
    ns: readonly number[],
    out: Float64Array[][],
    fixedSums: readonly Float64Array[],
    opts: VoteOptions,
  ): Float64Array[][] {
    const V = this.V;
    const J = ns.length;
    const means = ns.map(() => Array.from({ length: V }, () => new Float64Array(opts.trials)));
    const open = this.compiled.flatMap((p, i) => (p.fixed ? [] : [i]));
    const trials = new Int32Array(J);
    if (J === 0) return means;
    if (open.length === 0) return means.map((m) => m.map(() => new Float64Array(0)));
    const P = this.compiled.length;
    const random = seededRandom(opts.seed);
    const order = Int32Array.from({ length: slots }, (_, i) => i);
    const active = new Uint8Array(J).fill(1);
    const checkpoints = new Int32Array(J);
    const sums = new Float64Array(J * V);
    const squares = new Float64Array(J * V);
    // Per trial of a batch, n and selector: the summed votes of the problems without a closed form.
    const trialSums = new Float64Array(Math.max(MIN_TRIALS, BATCH) * J * V);
    const target = opts.targetStandardError ?? 0;
    for (let t = 0; t < opts.trials;) {
      let live = 0;
      for (let j = 0; j < J; j++) if (active[j]) checkpoints[live++] = j;
      if (live === 0) break;
      const top = ns[checkpoints[live - 1]];
      const batch = Math.min(opts.trials - t, t === 0 ? MIN_TRIALS : BATCH);
      trialSums.fill(0);
      // A problem's trials of a batch run back to back, so its arrays stay in cache.
      for (const i of open) {
        const p = this.compiled[i];
        for (let b = 0; b < batch; b++) {
          let next = 0;
          for (let k = 0; k < top; k++) {
            // A partial Fisher-Yates shuffle: the first k + 1 entries are a uniform random (k + 1)-subset.
            const r = k + Math.floor(random() * (slots - k));
            const s = order[r];
            order[r] = order[k];
            order[k] = s;
            this.add(p, s);
            if (k + 1 !== ns[checkpoints[next]]) continue;
            const j = checkpoints[next++];
            this.resolve();
            for (let v = 0; v < V; v++) {
              out[j][v][i] += this.result[v];
              trialSums[(b * J + j) * V + v] += this.result[v];
            }
          }
          this.reset();
        }
      }
      for (let a = 0; a < live; a++) {
        const j = checkpoints[a];
        for (let b = 0; b < batch; b++) {
          for (let v = 0; v < V; v++) {
            const mean = (trialSums[(b * J + j) * V + v] + fixedSums[j][v]) / P;
            means[j][v][t + b] = mean;
            sums[j * V + v] += mean;
            squares[j * V + v] += mean * mean;
          }
        }
        const k = (trials[j] += batch);
        let precise = target > 0;
        for (let v = 0; v < V; v++) {
          const variance = Math.max(0, squares[j * V + v] - sums[j * V + v] ** 2 / k) / (k - 1);
          precise &&= Math.sqrt(variance / k) <= target;
        }
        if (precise) active[j] = 0;
      }
      t += batch;
    }
    for (let j = 0; j < J; j++) for (const values of out[j]) for (const i of open) values[i] /= trials[j];
    return means.map((m, j) => m.map((values) => values.slice(0, trials[j])));
  }
}

/** Groups selectors whose voters (samples with a finite weight) are the same in every table. */
function groupSelectors(tables: readonly VoteTable[], V: number): Int32Array {
  const groupOf = new Int32Array(V).fill(-1);
  const leaders: number[] = [];
  const same = (a: number, b: number): boolean =>
    tables.every((t) => {
      for (let s = 0; s < t.classes.length; s++) {
        if (t.classes[s] >= 0 && Number.isNaN(t.weights[s * V + a]) !== Number.isNaN(t.weights[s * V + b]))
          return false;
      }
      return true;
    });
  for (let v = 0; v < V; v++) {
    const g = leaders.findIndex((leader) => same(leader, v));
    groupOf[v] = g >= 0 ? g : leaders.push(v) - 1;
  }
  return groupOf;
}

function compile(t: VoteTable, V: number, groupOf: Int32Array, G: number): Compiled {
  const size = t.classes.length;
  const weights = new Float64Array(size * V);
  const member = new Uint8Array(size * G);
  const groupVoters = new Int32Array(G);
  const groupRight = new Int32Array(G);
  let correct = 0;
  let wrong = 0;
  let firstClass = -1;
  let oneClass = true;
  for (let s = 0; s < size; s++) {
    const c = t.classes[s];
    if (c < 0) continue;
    let votes = false;
    for (let v = 0; v < V; v++) {
      const w = t.weights[s * V + v];
      if (Number.isNaN(w)) continue;
      votes = true;
      weights[s * V + v] = w;
      const g = groupOf[v];
      if (member[s * G + g] === 0) {
        member[s * G + g] = 1;
        groupVoters[g] += 1;
        groupRight[g] += t.correct[s];
      }
    }
    if (!votes) continue;
    if (t.correct[s]) correct += 1;
    else wrong += 1;
    if (firstClass < 0) firstClass = c;
    else if (c !== firstClass) oneClass = false;
  }
  const fixed = correct === 0 || wrong === 0 || oneClass;
  return { size, classes: t.classes, correct: t.correct, weights, member, groupVoters, groupRight, fixed };
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
