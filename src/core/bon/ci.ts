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
  // Problems laid out subset by subset: subset k holds positions start[k] … start[k + 1] − 1.
  const start = new Int32Array(subsets + 1);
  members.forEach((m, k) => (start[k + 1] = start[k] + m.length));
  const points = [...perProblem.values()].flat();
  const Q = points.length;
  // values[q · P + position]: a problem's value at point q (point-major: the sums at one point read one row).
  const values = new Float64Array(Q * P);
  const layout = members.flat();
  points.forEach((column, q) => layout.forEach((i, position) => (values[q * P + position] = column[i])));
  // replicates[(q · S + k) · resamples + b]: subset k's mean at point q in resample b (k = subsets: all problems).
  const replicates = new Float64Array(Q * S * resamples);
  // How often each problem is drawn in the resample; then the drawn positions and their counts, subset by subset
  // (about 63% of the problems are drawn: the sums below skip the others).
  const counts = new Float64Array(P);
  const drawn = new Int32Array(P);
  const times = new Float64Array(P);
  const ends = new Int32Array(subsets + 1);
  const random = seededRandom(opts.seed ?? 0);
  for (let b = 0; b < resamples; b++) {
    counts.fill(0);
    members.forEach((m, k) => {
      for (let d = 0; d < m.length; d++) counts[start[k] + Math.floor(random() * m.length)] += 1;
    });
    let n = 0;
    for (let k = 0; k < subsets; k++) {
      for (let i = start[k]; i < start[k + 1]; i++) {
        if (counts[i] === 0) continue;
        drawn[n] = i;
        times[n++] = counts[i];
      }
      ends[k + 1] = n;
    }
    for (let q = 0; q < Q; q++) {
      let all = 0;
      const row = q * P;
      for (let k = 0; k < subsets; k++) {
        let sum = 0;
        for (let t = ends[k]; t < ends[k + 1]; t++) sum += times[t] * values[row + drawn[t]];
        all += sum;
        replicates[(q * S + k) * resamples + b] = (100 * sum) / members[k].length;
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
