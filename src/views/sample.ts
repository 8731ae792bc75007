import { seededRandom } from '../core/util/random';

/**
 * `k` distinct positions out of `n`, chosen uniformly with a seeded generator (the same seed gives the same sample,
 * so a cancelled sample run resumes on the same items), returned in ascending order.
 */
export function sampleIndices(n: number, k: number, seed = 1): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const random = seededRandom(seed);
  // Partial Fisher–Yates over a sparse map: O(k) time and memory whatever n is.
  const swapped = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(random() * (n - i));
    const atJ = swapped.get(j) ?? j;
    swapped.set(j, swapped.get(i) ?? i);
    out.push(atJ);
  }
  return out.sort((a, b) => a - b);
}
