import * as ort from 'onnxruntime-node';

/** Runs a test decoder on one unpadded sequence, feeding exactly what it declares; returns its first output. */
export async function runSequence(
  session: ort.InferenceSession,
  ids: readonly number[],
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const T = ids.length;
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor) continue;
    if (meta.name === 'input_ids')
      feeds[meta.name] = new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, (v) => BigInt(v)),
        [1, T],
      );
    else if (meta.name === 'attention_mask')
      feeds[meta.name] = new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]);
    else if (meta.name === 'position_ids')
      feeds[meta.name] = new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
        [1, T],
      );
    else if (meta.name.startsWith('past_key_values'))
      feeds[meta.name] = new ort.Tensor('float32', new Float32Array(0), [
        1,
        meta.shape[1] as number,
        0,
        meta.shape[3] as number,
      ]);
    else throw new Error(`runSequence: cannot feed ${meta.name}`);
  }
  const out = (await session.run(feeds))[session.outputNames[0]];
  return { data: out.data as Float32Array, dims: out.dims };
}

/** The values at the last position of a [1, T, W] output. */
export function lastRow(out: { data: Float32Array; dims: readonly number[] }): number[] {
  const w = out.dims.length === 3 ? out.dims[2] : 1;
  return Array.from(out.data.subarray(out.data.length - w));
}

export function softmax(values: readonly number[]): number[] {
  const max = Math.max(...values);
  const e = values.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
