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

const rssMiB = () => process.resourceUsage().maxRSS / 1024;

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
  console.log(JSON.stringify({ loadMs: performance.now() - t0, rssMiB: rssMiB() }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (!line.trim()) continue;
    const { ids } = JSON.parse(line) as { ids: number[] };
    const T = ids.length;
    const feeds = {
      input_ids: new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, (v) => BigInt(v)),
        [1, T],
      ),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    };
    const start = performance.now();
    await session.run(feeds);
    console.log(JSON.stringify({ ms: performance.now() - start, peakRssMiB: rssMiB() }));
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

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
