/**
 * Reading step scores out of a graph output. `dims` is [batch, sequence] or [batch, sequence, width]; values are
 * float32 (float16 outputs are converted before they get here).
 */
export interface OutputTensor {
  data: Float32Array;
  dims: readonly number[];
}

function width(out: OutputTensor): number {
  return out.dims.length >= 3 ? out.dims[2] : 1;
}

/** The output values at [row, position]. */
export function outputRow(out: OutputTensor, row: number, position: number): Float32Array {
  const w = width(out);
  const start = (row * out.dims[1] + position) * w;
  return out.data.subarray(start, start + w);
}

export function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

/** Token classification: softmax over the labels at `position`: probability of `label` and its log-odds. */
export function labelProbability(
  out: OutputTensor,
  row: number,
  position: number,
  label: number,
): { probability: number; logOdds: number } {
  const logits = outputRow(out, row, position);
  const others = Array.from(logits).filter((_, i) => i !== label);
  return { probability: Math.exp(logits[label] - logSumExp(logits)), logOdds: logits[label] - logSumExp(others) };
}

/** Causal LM: p(+) / (p(+) + p(−)) for the next token after `position` — the softmax over just those two logits. */
export function tokenPairProbability(
  out: OutputTensor,
  row: number,
  position: number,
  positive: number,
  negative: number,
): { probability: number; margin: number } {
  const logits = outputRow(out, row, position);
  const margin = logits[positive] - logits[negative];
  return { probability: sigmoid(margin), margin };
}

/** Value head: the raw value at `position` (a [batch, sequence] output or a [batch, sequence, 1] one). */
export function valueAt(out: OutputTensor, row: number, position: number): number {
  return outputRow(out, row, position)[0];
}

/**
 * Causal LM: log p(ids[t] | ids[<t]) for each t in [start, end), read from the logits at t − 1.
 * The first token of a sequence has no prediction and contributes nothing.
 */
export function tokenLogProbs(
  out: OutputTensor,
  row: number,
  ids: readonly number[],
  start: number,
  end: number,
): Float64Array {
  const result = new Float64Array(end - start);
  for (let t = Math.max(start, 1); t < end; t++) {
    const logits = outputRow(out, row, t - 1);
    result[t - start] = logits[ids[t]] - logSumExp(logits);
  }
  return result;
}

/** IEEE half-precision bits → float32, for graphs whose outputs are float16. */
export function halfToFloat(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i++) {
    const h = bits[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exponent = (h >> 10) & 0x1f;
    const fraction = h & 0x3ff;
    if (exponent === 0) out[i] = sign * Math.pow(2, -14) * (fraction / 1024);
    else if (exponent === 31) out[i] = fraction ? NaN : sign * Infinity;
    else out[i] = sign * Math.pow(2, exponent - 15) * (1 + fraction / 1024);
  }
  return out;
}
