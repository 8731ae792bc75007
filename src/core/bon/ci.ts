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
  const members = Array.from({ length: subsets }, (_, k) =>
    subsetOf.reduce<number[]>((m, s, i) => (s === k ? [...m, i] : m), []),
  );
  const points = [...perProblem.values()].flat();
  // replicates[(point · (subsets + 1) + k) · resamples + b]: subset k's mean in resample b (k = subsets: all).
  const replicates = new Float64Array(points.length * (subsets + 1) * resamples);
  const weight = new Float64Array(P);
  const random = seededRandom(opts.seed ?? 0);
  for (let b = 0; b < resamples; b++) {
    weight.fill(0);
    for (const m of members) for (let d = 0; d < m.length; d++) weight[m[Math.floor(random() * m.length)]] += 1;
    points.forEach((values, point) => {
      let all = 0;
      members.forEach((m, k) => {
        let sum = 0;
        for (const i of m) sum += weight[i] * values[i];
        replicates[(point * (subsets + 1) + k) * resamples + b] = (100 * sum) / m.length;
        all += sum;
      });
      replicates[(point * (subsets + 1) + subsets) * resamples + b] = P === 0 ? 0 : (100 * all) / P;
    });
  }
  const interval = (point: number, k: number): Interval => {
    const start = (point * (subsets + 1) + k) * resamples;
    return (
      percentileInterval(Array.from(replicates.subarray(start, start + resamples)), opts.level) ?? { lo: NaN, hi: NaN }
    );
  };
  const curvesOf = (k: number): Record<string, Interval[]> => {
    const out: Record<string, Interval[]> = {};
    let point = 0;
    for (const [name, curve] of perProblem) out[name] = curve.map(() => interval(point++, k));
    return out;
  };
  return { overall: curvesOf(subsets), subsets: Array.from({ length: subsets }, (_, k) => curvesOf(k)) };
}
