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

/** The samples a selector may choose, grouped by distinct score, highest first. */
export interface Ranked {
  /** Per score group: how many samples share the score, and how many of those are correct. */
  count: Int32Array;
  correct: Int32Array;
  /** sums[g · width + k]: the sum of the group's values[k] (see rank). */
  sums: Float64Array;
  width: number;
  /** Usable samples in all, and correct ones. */
  usable: number;
  correctTotal: number;
}

/**
 * Ranks samples by descending score, ties grouped. Samples with a NaN score are not usable (no answer, or no score
 * for this selector). `values` (sample s's k-th at s · width + k, e.g. "correct with a wrong step") are summed per
 * group, so bestOfN can give the expected value of each pick's.
 */
export function rank(scores: Float64Array, correct: Uint8Array, values: Float64Array | null = null, width = 0): Ranked {
  // (Loops, not typed-array callbacks: this runs per problem and selector on every re-aggregation.)
  let usable = 0;
  for (let s = 0; s < scores.length; s++) if (!Number.isNaN(scores[s])) usable += 1;
  const sorted = new Float64Array(usable);
  for (let s = 0, k = 0; s < scores.length; s++) if (!Number.isNaN(scores[s])) sorted[k++] = scores[s];
  sorted.sort();
  // Distinct scores, highest first.
  const distinct = new Float64Array(sorted.length);
  let groups = 0;
  for (let i = sorted.length - 1; i >= 0; i--)
    if (groups === 0 || sorted[i] !== distinct[groups - 1]) distinct[groups++] = sorted[i];
  const ranked: Ranked = {
    count: new Int32Array(groups),
    correct: new Int32Array(groups),
    sums: new Float64Array(groups * width),
    width,
    usable,
    correctTotal: 0,
  };
  for (let s = 0; s < scores.length; s++) {
    const score = scores[s];
    if (Number.isNaN(score)) continue;
    // Binary search in the descending distinct scores.
    let lo = 0;
    let hi = groups - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (distinct[mid] > score) lo = mid + 1;
      else hi = mid;
    }
    ranked.count[lo] += 1;
    ranked.correct[lo] += correct[s];
    ranked.correctTotal += correct[s];
    if (values) for (let k = 0; k < width; k++) ranked.sums[lo * width + k] += values[s * width + k];
  }
  return ranked;
}

/**
 * The expected best-of-n pick: out[0] = P(it is correct), out[1 + k] = the expectation of its values[k]. The pick
 * comes from the score group G (with a samples scored higher) exactly when the subset holds none of those a and at
 * least one of G: probability ratios[a] − ratios[a + |G|]. Given that, every member of G is equally likely to be the
 * pick (ties split evenly), so its expected value is the mean over G.
 */
export function bestOfN(ranked: Ranked, ratios: Float64Array, out = new Float64Array(1 + ranked.width)): Float64Array {
  const width = ranked.width;
  out.fill(0);
  let above = 0;
  for (let g = 0; g < ranked.count.length; g++) {
    // Past N − n samples scored higher, no subset reaches the rest.
    if (ratios[above] === 0) break;
    const count = ranked.count[g];
    const p = (ratios[above] - ratios[above + count]) / count;
    above += count;
    if (p === 0) continue;
    out[0] += p * ranked.correct[g];
    for (let k = 0; k < width; k++) out[1 + k] += p * ranked.sums[g * width + k];
  }
  return out;
}

/** P(some sample of the n-subset is correct): 1 − C(N − correct, n)/C(N, n). */
export function passAtN(ranked: Ranked, ratios: Float64Array): number {
  return 1 - ratios[ranked.correctTotal];
}

/** P(a uniformly random usable sample of the n-subset is correct): P(any usable) · correct/usable, by symmetry. */
export function randomPick(ranked: Ranked, ratios: Float64Array): number {
  return ranked.usable === 0 ? 0 : ((1 - ratios[ranked.usable]) * ranked.correctTotal) / ranked.usable;
}
