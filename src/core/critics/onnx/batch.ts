/**
 * Batches of solutions for one forward pass. Rows are padded on the right: with causal attention a real token never
 * attends to a later (padding) position, so every real position computes what it computes unpadded; the attention
 * mask and position ids say the same to graphs that use them.
 */
export interface PaddedBatch {
  rows: number;
  length: number;
  ids: number[];
  mask: number[];
  positions: number[];
}

export function padRight(sequences: readonly (readonly number[])[], padId: number): PaddedBatch {
  const length = Math.max(1, ...sequences.map((s) => s.length));
  const ids = new Array<number>(sequences.length * length).fill(padId);
  const mask = new Array<number>(sequences.length * length).fill(0);
  const positions = new Array<number>(sequences.length * length).fill(0);
  sequences.forEach((seq, b) => {
    for (let t = 0; t < seq.length; t++) {
      ids[b * length + t] = seq[t];
      mask[b * length + t] = 1;
      positions[b * length + t] = t;
    }
  });
  return { rows: sequences.length, length, ids, mask, positions };
}

/**
 * Groups sequence indices into batches: longest first (less padding), at most `maxRows` per batch, and at most
 * `maxElements` output values per batch (rows × padded length × output width), so a causal LM's logits over a large
 * vocabulary stay within memory. A single sequence always forms a batch, however large.
 */
export function planBatches(
  lengths: readonly number[],
  maxRows: number,
  outputWidth: number,
  maxElements: number,
): number[][] {
  const order = lengths
    .map((_, i) => i)
    .filter((i) => lengths[i] > 0)
    .sort((a, b) => lengths[b] - lengths[a] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    const longest = current.length > 0 ? lengths[current[0]] : lengths[i];
    if (
      current.length > 0 &&
      (current.length >= maxRows || (current.length + 1) * longest * outputWidth > maxElements)
    ) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
