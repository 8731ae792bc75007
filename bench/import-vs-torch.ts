import { readdirSync, statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { chooseWeights, importCheckpoint, readCpuFlags, WeightFormat } from '../src/core/hf-import';
import { DecoderConfig, TINY_QWEN2 } from '../test/support/onnx/decoder';
import { testTokenizer, TEST_TOKENIZER_CONFIG } from '../test/support/onnx/fixtures';
import { tempDir } from '../test/support/onnx/tmp';
import { RandomWeights, seededRandom } from '../test/support/onnx/weights';
import { writeHfFolder } from './hf-checkpoint';
import { ModelServer } from './model-server';
import { median } from './time-imported';
import { findTorchPython, TorchReference } from './torch-reference';
import { PRECISIONS } from './validate-import';

/**
 * `npm run bench`: a Qwen2-0.5B-shaped PRM (Qwen2.5-Math-PRM's 2-label head, random weights, stored bf16 as the real
 * models ship) imported from a Hugging Face folder at each precision, side by side with PyTorch eager bf16 and fp32
 * on the same 512 tokens, 1 and 2 threads. Each engine runs in a process of its own (load time and peak memory are
 * its own); timings are medians of interleaved rounds (imported, PyTorch bf16[, PyTorch fp32], imported, …), so a
 * busy machine slows all alike. The imported graph runs as a bare session.run with the PRM Lens host's options.
 */

const QWEN2_05B: DecoderConfig = {
  ...TINY_QWEN2,
  hidden: 896,
  intermediate: 4864,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  vocab: 151936,
  head: 'token-classification',
};
const TOKENS = 512;
const ROUNDS = 5;
const ORT_SERVER = path.join(__dirname, 'ort-server.js');

interface Loaded {
  loadMs: number;
  rssMiB: number;
}

interface Row {
  label: string;
  ms: Record<number, number>;
  loadMs: number;
  peakMiB: number;
  note?: string;
}

const folderMiB = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0) / 2 ** 20;

async function startOrt(folder: string, threads: number, profilePrefix?: string) {
  return ModelServer.start<Loaded>(process.execPath, [
    ORT_SERVER,
    folder,
    String(threads),
    ...(profilePrefix ? [profilePrefix] : []),
  ]);
}

/** Per-op kernel time per run of the imported graph, from onnxruntime's profiler (a warm-up and a timed run). */
async function profile(folder: string, threads: number, ids: number[], prefix: string) {
  const server = await startOrt(folder, threads, prefix);
  await server.request({ ids });
  const { ms } = await server.request<{ ms: number }>({ ids });
  const [last] = await server.close();
  const { ops } = JSON.parse(last) as { ops: { op: string; ms: number; count: number }[] };
  const perRun = ops.map((o) => ({ ...o, ms: o.ms / 2, count: o.count / 2 }));
  return { ms, total: perRun.reduce((n, o) => n + o.ms, 0), ops: perRun };
}

export async function importVsTorchBenchmark(): Promise<void> {
  console.log(
    `Hugging Face import vs PyTorch eager (Qwen2-0.5B shape: hidden 896, 24 layers, 14 heads / 2 kv, intermediate 4864, vocab ${QWEN2_05B.vocab}; 2-label head; ${TOKENS} tokens; medians of ${ROUNDS} interleaved rounds):`,
  );
  console.log(
    `  load average (1, 5, 15 min) at the start: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} on ${cpus().length} CPUs (a busy machine inflates 2-thread times most)`,
  );
  const torch = findTorchPython();
  if (!torch.python) console.log(`  PyTorch side skipped: ${torch.reason}`);
  const tmp = tempDir('bench-import');
  try {
    const source = path.join(tmp.dir, 'hf');
    let t0 = performance.now();
    writeHfFolder(source, QWEN2_05B, new RandomWeights(7, 0.02), {
      arch: 'qwen2',
      dtype: 'BF16',
      maxPositions: 32768,
      tokenizerJson: testTokenizer().json,
      tokenizerConfig: TEST_TOKENIZER_CONFIG,
    });
    console.log(
      `  checkpoint written (bf16, ${folderMiB(source).toFixed(0)} MiB) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const random = seededRandom(99);
    const ids = Array.from({ length: TOKENS }, () => Math.floor(random() * QWEN2_05B.vocab));

    const folders = new Map<WeightFormat, string>();
    for (const precision of PRECISIONS) {
      const out = path.join(tmp.dir, precision);
      t0 = performance.now();
      await importCheckpoint({ source, out, weights: precision });
      console.log(
        `  import ${precision.padEnd(4)}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${folderMiB(out).toFixed(0)} MiB`,
      );
      folders.set(precision, out);
    }

    const torchServers = torch.python
      ? await Promise.all(
          (['bf16', 'fp32'] as const).map(async (dtype) => ({
            dtype,
            ref: await TorchReference.start(torch.python as string, source, dtype),
          })),
        )
      : [];
    const rows = new Map<string, Row>();
    const row = (label: string) => {
      let r = rows.get(label);
      if (!r) rows.set(label, (r = { label, ms: {}, loadMs: 0, peakMiB: 0 }));
      return r;
    };
    try {
      for (const threads of [1, 2]) {
        const torchTimes = new Map<string, number[]>(torchServers.map((s) => [s.dtype, []]));
        for (const [i, precision] of PRECISIONS.entries()) {
          const server = await startOrt(folders.get(precision) as string, threads);
          const times: number[] = [];
          // PyTorch fp32 is slow: it takes part in the first group's rounds only.
          const torchHere = torchServers.filter((s) => s.dtype === 'bf16' || i === 0);
          let peak = 0;
          try {
            await server.request({ ids });
            for (const s of torchHere) await s.ref.run(ids, threads);
            for (let round = 0; round < ROUNDS; round++) {
              const run = await server.request<{ ms: number; peakRssMiB: number }>({ ids });
              times.push(run.ms);
              peak = run.peakRssMiB;
              for (const s of torchHere) torchTimes.get(s.dtype)?.push((await s.ref.run(ids, threads)).ms);
            }
          } finally {
            await server.close();
          }
          const r = row(`imported ${precision}`);
          r.ms[threads] = median(times);
          r.loadMs = Math.max(r.loadMs, server.loaded.loadMs);
          r.peakMiB = Math.max(r.peakMiB, peak);
        }
        for (const s of torchServers) {
          const r = row(`PyTorch eager ${s.dtype}`);
          r.ms[threads] = median(torchTimes.get(s.dtype) as number[]);
          r.loadMs = s.ref.load.loadMs;
        }
      }
      for (const s of torchServers) {
        row(`PyTorch eager ${s.dtype}`).peakMiB = (await s.ref.run(ids, 1)).peakRssMiB;
      }
    } finally {
      for (const s of torchServers) await s.ref.close();
    }

    const auto = chooseWeights(readCpuFlags());
    const bf16 = rows.get('PyTorch eager bf16');
    const ratio = (r: Row, t: number) => (bf16 ? ` (${(r.ms[t] / bf16.ms[t]).toFixed(2)}×)` : '');
    console.log(
      `  ${''.padEnd(22)} ${'1 thread'.padStart(18)} ${'2 threads'.padStart(18)}   load     peak RSS   (× = time / PyTorch bf16)`,
    );
    for (const r of rows.values()) {
      const mark = r.label === `imported ${auto.weights}` ? ' ← auto' : '';
      console.log(
        `  ${r.label.padEnd(22)} ${`${r.ms[1].toFixed(0)} ms${ratio(r, 1)}`.padStart(18)} ${`${r.ms[2].toFixed(0)} ms${ratio(r, 2)}`.padStart(18)}   ${`${(r.loadMs / 1000).toFixed(2)} s`.padEnd(8)} ${r.peakMiB.toFixed(0).padStart(5)} MiB${mark}`,
      );
    }
    console.log(`  auto on this CPU: ${auto.weights} (${auto.reason})`);

    // What bounds the imported graph: onnxruntime's per-op profile of the automatic precision, 1 thread.
    const p = await profile(folders.get(auto.weights) as string, 1, ids, path.join(tmp.dir, `profile-${auto.weights}`));
    console.log(
      `  onnxruntime profile of imported ${auto.weights}, 1 thread: ${p.ms.toFixed(0)} ms run, ${p.total.toFixed(0)} ms in kernels:`,
    );
    for (const o of p.ops.slice(0, 6))
      console.log(
        `    ${o.op.padEnd(34)} ${o.ms.toFixed(0).padStart(6)} ms  ${((100 * o.ms) / p.total).toFixed(1).padStart(5)}%  (${o.count} nodes)`,
      );
    console.log(
      `  load average (1, 5, 15 min) at the end: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(', ')} on ${cpus().length} CPUs`,
    );
  } finally {
    tmp.remove();
  }
}

if (require.main === module) {
  importVsTorchBenchmark().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
