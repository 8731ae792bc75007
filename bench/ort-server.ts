import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-node';
import { sessionOptions } from '../src/onnx-host/engine';

/**
 * An imported model folder's graph in a process of its own, so its load time and peak memory are its own: the same
 * line protocol as scripts/reference/qwen2_reference.py. It prints {"loadMs", "rssMiB"} once loaded, then answers
 * each {"ids": [...]} with {"ms", "peakRssMiB"} (a bare session.run with the PRM Lens host's session options).
 * With a profile prefix, onnxruntime's profiler is on and the last line, at the end of input, sums node time per op.
 *
 *   node out/bench/ort-server.js MODEL_FOLDER THREADS [PROFILE_PREFIX]
 */

/**
 * This process's peak resident memory (MiB). Linux's VmHWM starts afresh with the process image; getrusage's maxRSS
 * does not: exec carries the spawning process's peak over, so a benchmark parent holding a checkpoint would inflate
 * every child's figure.
 */
export function peakRssMiB(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    if (line) return Number(line[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** What the graph declares, for one unpadded row: the ids, an all-ones mask, positions 0…T−1. */
function feeds(session: ort.InferenceSession, ids: readonly number[]): Record<string, ort.Tensor> {
  const T = ids.length;
  const row = (values: (i: number) => bigint) =>
    new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: T }, (_, i) => values(i)),
      [1, T],
    );
  const out: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') out[name] = row((i) => BigInt(ids[i]));
    else if (name === 'attention_mask') out[name] = row(() => 1n);
    else if (name === 'position_ids') out[name] = row((i) => BigInt(i));
    else throw new Error(`cannot feed input ${name}`);
  }
  return out;
}

/** onnxruntime's profile (Chrome trace events): total node time and count per operator type. */
function opTotals(file: string): { op: string; ms: number; count: number }[] {
  const events = JSON.parse(readFileSync(file, 'utf8')) as {
    cat?: string;
    name?: string;
    dur?: number;
    args?: { op_name?: string };
  }[];
  const totals = new Map<string, { ms: number; count: number }>();
  for (const e of events) {
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || !e.args?.op_name) continue;
    const t = totals.get(e.args.op_name) ?? { ms: 0, count: 0 };
    t.ms += (e.dur ?? 0) / 1000;
    t.count++;
    totals.set(e.args.op_name, t);
  }
  return [...totals].map(([op, t]) => ({ op, ...t })).sort((a, b) => b.ms - a.ms);
}

async function main(): Promise<void> {
  const [folder, threadsArg, profilePrefix] = process.argv.slice(2);
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'), {
    ...sessionOptions(Number(threadsArg)),
    ...(profilePrefix ? { enableProfiling: true, profileFilePrefix: profilePrefix } : {}),
  });
  console.log(JSON.stringify({ loadMs: performance.now() - t0, rssMiB: peakRssMiB() }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const { ids } = JSON.parse(line) as { ids: number[] };
    const input = feeds(session, ids);
    const start = performance.now();
    await session.run(input);
    console.log(JSON.stringify({ ms: performance.now() - start, peakRssMiB: peakRssMiB() }));
  }
  if (profilePrefix) {
    session.endProfiling();
    const dir = path.dirname(path.resolve(profilePrefix));
    const base = path.basename(profilePrefix);
    const file = readdirSync(dir).find((f) => f.startsWith(base) && f.endsWith('.json'));
    if (!file) throw new Error(`no profile ${profilePrefix}*.json written`);
    console.log(JSON.stringify({ ops: opTotals(path.join(dir, file)) }));
    rmSync(path.join(dir, file));
  }
  await session.release();
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
