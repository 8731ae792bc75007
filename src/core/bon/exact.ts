/**
 * Exact expectations of best-of-n selection over every n-subset of a problem's N slots. PRM800K's evaluation draws
 * random n-subsets of N slots (problems with fewer samples are padded with empty slots), drops samples without an
 * answer and takes the highest score, ties broken by a shuffled order; these are the closed forms of its average.
 */

/**
 * ratios[a] = C(N − a, n) / C(N, n): the probability that a uniform n-subset of N slots avoids a given a slots.
 * Built by the recurrence ratios[a+1] = ratios[a]·(N − a − n)/(N − a), with no large binomials.
 */
export function avoidRatios(slots: number, n: number): Float64Array {
  const ratios = new Float64Array(slots + 1);
  ratios[0] = 1;
  for (let a = 0; a < slots; a++) ratios[a + 1] = slots - a - n <= 0 ? 0 : (ratios[a] * (slots - a - n)) / (slots - a);
  return ratios;
}

/** A usable sample (it has an answer and a finite score), with per-sample values to take expectations of. */
export interface Candidate {
  score: number;
  correct: boolean;
  /** Further 0/1 indicators (e.g. "correct with a wrong step"): bestOfN can give the expected value of each pick's. */
  values?: readonly number[];
}

/** The samples a selector may choose, grouped by distinct score, highest first. */
export interface Ranked {
  /** Per score group: how many samples share it, how many of those are correct, and the sums of their `values`. */
  groups: { count: number; correct: number; sums: number[] }[];
  /** Usable samples in all. */
  usable: number;
  correct: number;
}

/** Ranks candidates by descending score, ties grouped. */
export function rank(candidates: readonly Candidate[]): Ranked {
  const sorted = [...candidates].sort((x, y) => y.score - x.score);
  const groups: Ranked['groups'] = [];
  let correct = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i].score !== sorted[i - 1].score) groups.push({ count: 0, correct: 0, sums: [] });
    const g = groups[groups.length - 1];
    g.count += 1;
    (sorted[i].values ?? []).forEach((v, k) => (g.sums[k] = (g.sums[k] ?? 0) + v));
    if (sorted[i].correct) {
      g.correct += 1;
      correct += 1;
    }
  }
  return { groups, usable: sorted.length, correct };
}

/**
 * P(best-of-n pick is correct), or with `value` = k the expectation of the pick's values[k]. The pick comes from the
 * score group G (with a samples scored higher) exactly when the subset holds none of those a and at least one of G:
 * probability ratios[a] − ratios[a + |G|]. Given that, every member of G is equally likely to be the pick (ties split
 * evenly), so its expected value is the mean over G.
 */
export function bestOfN(ranked: Ranked, ratios: Float64Array, value?: number): number {
  let above = 0;
  let p = 0;
  for (const g of ranked.groups) {
    const sum = value === undefined ? g.correct : (g.sums[value] ?? 0);
    if (sum > 0) p += ((ratios[above] - ratios[above + g.count]) * sum) / g.count;
    above += g.count;
  }
  return p;
}

/** P(some sample of the n-subset is correct): 1 − C(N − correct, n)/C(N, n). */
export function passAtN(ranked: Ranked, ratios: Float64Array): number {
  return 1 - ratios[ranked.correct];
}

/** P(a uniformly random usable sample of the n-subset is correct): P(any usable) · correct/usable, by symmetry. */
export function randomPick(ranked: Ranked, ratios: Float64Array): number {
  return ranked.usable === 0 ? 0 : ((1 - ratios[ranked.usable]) * ranked.correct) / ranked.usable;
}
