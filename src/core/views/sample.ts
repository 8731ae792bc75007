/**
 * `k` distinct positions out of `n`, chosen uniformly with a seeded generator (the same seed gives the same sample,
 * so a cancelled sample run resumes on the same items), returned in ascending order.
 */
export function sampleIndices(n: number, k: number, seed = 1): number[] {
  if (k >= n) return Array.from({ length: n }, (_, i) => i);
  const random = mulberry32(seed);
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

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
