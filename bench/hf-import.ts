import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { importCheckpoint, ImportOptions } from '../src/core/hf-import';
import { writeHfCheckpoint } from '../test/support/hf/checkpoint';
import { DecoderConfig } from '../test/support/onnx/decoder';
import { buildModelFolder } from '../test/support/onnx/fixtures';
import { tempDir } from '../test/support/onnx/tmp';
import { median, startTimer, Timer, TimerStats } from './time-imported';

/**
 * Imported graphs against the basic-operator graphs the tests build, on a Qwen2-0.5B-shaped model with
 * Qwen2.5-Math-PRM's two-label head (random weights, written as bfloat16 safetensors shards): one forward pass over
 * 512 tokens at 1 and 2 threads, medians of rounds interleaved across the variants (each in a process of its own),
 * load time and peak memory. PRM_LENS_BENCH_ROUNDS sets the rounds (default 7); PRM_LENS_BENCH_VOCAB a smaller
 * vocabulary (default Qwen2's 151936).
 */

const TOKENS = 512;
const QWEN2_05B = {
  hidden: 896,
  intermediate: 4864,
  layers: 24,
  heads: 14,
  kvHeads: 2,
  ropeTheta: 1000000,
  rmsEps: 1e-6,
  qkvBias: true,
  tieEmbeddings: true,
};

interface Variant {
  name: string;
  folder: string;
  importSeconds?: number;
}

function folderMB(dir: string): number {
  return readdirSync(dir).reduce((n, f) => n + statSync(path.join(dir, f)).size, 0) / 1e6;
}

export async function hfImportBenchmark(): Promise<void> {
  const rounds = Number(process.env.PRM_LENS_BENCH_ROUNDS ?? 7);
  const vocab = Number(process.env.PRM_LENS_BENCH_VOCAB ?? 151936);
  const tmp = tempDir('bench-hf-import');
  try {
    console.log(`\nHugging Face import: Qwen2-0.5B shape (vocab ${vocab}), 2-label head, ${TOKENS} tokens`);
    const source = path.join(tmp.dir, 'hf');
    let t0 = performance.now();
    writeHfCheckpoint(source, {
      family: 'qwen2',
      head: 'token-classification',
      dtype: 'BF16',
      shards: 4,
      scale: 0.02,
      keepWeights: false,
      maxPositions: 32768,
      model: { ...QWEN2_05B, vocab },
    });
    console.log(
      `  checkpoint written (bf16, 4 shards): ${(performance.now() - t0) / 1000} s, ${folderMB(source).toFixed(0)} MB`,
    );

    const variants: Variant[] = [];
    const imports: [string, Partial<ImportOptions>][] = [
      ['imported fp32', { weights: 'fp32' }],
      ['imported fp16', { weights: 'fp16' }],
      ['imported int8', { weights: 'int8' }],
      ['imported int4', { weights: 'int4' }],
      ['imported int4 asym', { weights: 'int4', int4Asymmetric: true }],
      ['imported int4 acc4', { weights: 'int4', int4AccuracyLevel: 4 }],
    ];
    for (const [name, opts] of imports) {
      const folder = path.join(tmp.dir, name.replace(/ /g, '-'));
      t0 = performance.now();
      await importCheckpoint({ source, out: folder, weights: 'fp32', ...opts });
      const importSeconds = (performance.now() - t0) / 1000;
      variants.push({ name, folder, importSeconds });
      console.log(`  ${name}: import ${importSeconds.toFixed(1)} s, ${folderMB(folder).toFixed(0)} MB`);
    }
    for (const [name, quantizeBlock] of [
      ['basic ops fp32', undefined],
      ['basic ops int4', 32],
    ] as const) {
      const folder = path.join(tmp.dir, name.replace(/ /g, '-'));
      const model: Partial<DecoderConfig> = { ...QWEN2_05B, vocab, quantizeBlock };
      buildModelFolder(folder, { family: 'token-classification', model, scale: 0.02 });
      variants.push({ name, folder });
    }

    const results: Record<string, Record<number, { medianMs: number; stats: TimerStats }>> = {};
    for (const threads of [1, 2]) {
      const timers: Timer[] = [];
      try {
        for (const v of variants) timers.push(await startTimer(v.folder, TOKENS, threads, Math.min(vocab, 500)));
        for (const t of timers) await t.run(); // warm-up
        const runs = variants.map((): number[] => []);
        for (let r = 0; r < rounds; r++) for (const [i, t] of timers.entries()) runs[i].push(await t.run());
        for (const [i, v] of variants.entries()) {
          results[v.name] ??= {};
          results[v.name][threads] = { medianMs: median(runs[i]), stats: timers[i].stats() };
        }
      } finally {
        for (const t of timers) await t.stop();
      }
    }

    console.log(
      `  ${'variant'.padEnd(20)} ${'1 thread'.padStart(10)} ${'2 threads'.padStart(10)} ${'load'.padStart(8)} ${'peak RSS'.padStart(10)}`,
    );
    for (const v of variants) {
      const r = results[v.name];
      console.log(
        `  ${v.name.padEnd(20)} ${`${r[1].medianMs.toFixed(0)} ms`.padStart(10)} ${`${r[2].medianMs.toFixed(0)} ms`.padStart(10)} ${`${r[1].stats.loadMs.toFixed(0)} ms`.padStart(8)} ${`${Math.max(r[1].stats.peakRssMB, r[2].stats.peakRssMB).toFixed(0)} MB`.padStart(10)}`,
      );
    }
    console.log(`  (medians of ${rounds} interleaved rounds after a warm-up; each variant in its own process)`);
    console.log(
      JSON.stringify({
        hfImport: variants.map((v) => ({
          variant: v.name,
          importSeconds: v.importSeconds,
          ms1: results[v.name][1].medianMs,
          ms2: results[v.name][2].medianMs,
          loadMs: results[v.name][1].stats.loadMs,
          peakRssMB: Math.max(results[v.name][1].stats.peakRssMB, results[v.name][2].stats.peakRssMB),
        })),
      }),
    );
  } finally {
    tmp.remove();
  }
}

if (require.main === module) {
  hfImportBenchmark().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
