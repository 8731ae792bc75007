import { DEFAULT_RESAMPLES, percentileInterval, type BootstrapOptions, type Interval } from '../metrics/bootstrap';
import { seededRandom } from '../util/random';

export type CurveIntervalOptions = BootstrapOptions;

/**
 * Seeded bootstrap percentile intervals (percent) of mean curves: problems are resampled with replacement within
 * their subset, so every subset keeps its size, and each replicate averages the problems' expected values (exact,
 * or the votes' estimates: the votes' own sampling error is in their standard errors, not here). One draw per
 * replicate serves every selector, n and subset.
 */
export function curveIntervals(
  perProblem: ReadonlyMap<string, readonly Float64Array[]>,
  subsetOf: Int32Array,
  subsets: number,
  opts: CurveIntervalOptions,
): { overall: Record<string, Interval[]>; subsets: Record<string, Interval[]>[] } {
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  if (!Number.isInteger(resamples) || resamples < 1) {
    throw new RangeError(`resamples must be a positive integer, got ${resamples}`);
  }
  const P = subsetOf.length;
  const S = subsets + 1;
  const members = Array.from({ length: subsets }, () => [] as number[]);
  subsetOf.forEach((k, i) => members[k].push(i));
  const points = [...perProblem.values()].flat();
  const Q = points.length;
  // values[i · Q + q]: problem i's value at point q (problem-major, so one draw reads one run of memory).
  const values = new Float64Array(P * Q);
  points.forEach((column, q) => column.forEach((v, i) => (values[i * Q + q] = v)));
  // replicates[(q · S + k) · resamples + b]: subset k's mean at point q in resample b (k = subsets: all problems).
  const replicates = new Float64Array(Q * S * resamples);
  // sums[k · Q + q]: the summed values at point q of the problems drawn from subset k.
  const sums = new Float64Array(Q * subsets);
  const random = seededRandom(opts.seed ?? 0);
  for (let b = 0; b < resamples; b++) {
    sums.fill(0);
    members.forEach((m, k) => {
      for (let d = 0; d < m.length; d++) {
        const from = m[Math.floor(random() * m.length)] * Q;
        for (let q = 0, to = k * Q; q < Q; q++, to++) sums[to] += values[from + q];
      }
    });
    for (let q = 0; q < Q; q++) {
      let all = 0;
      for (let k = 0; k < subsets; k++) {
        all += sums[k * Q + q];
        replicates[(q * S + k) * resamples + b] = (100 * sums[k * Q + q]) / members[k].length;
      }
      replicates[(q * S + subsets) * resamples + b] = P === 0 ? 0 : (100 * all) / P;
    }
  }
  const interval = (q: number, k: number): Interval => {
    const start = (q * S + k) * resamples;
    // Sorted natively first: percentileInterval's own sort then finds the order already made.
    const sorted = replicates.subarray(start, start + resamples).sort();
    return percentileInterval(Array.from(sorted), opts.level) ?? { lo: NaN, hi: NaN };
  };
  const curvesOf = (k: number): Record<string, Interval[]> => {
    const out: Record<string, Interval[]> = {};
    let point = 0;
    for (const [name, curve] of perProblem) out[name] = curve.map(() => interval(point++, k));
    return out;
  };
  return { overall: curvesOf(subsets), subsets: Array.from({ length: subsets }, (_, k) => curvesOf(k)) };
}
