import path from 'node:path';
import { seededRandom } from '../src/core/util/random';
import { ModelServer } from './model-server';

/**
 * Times a model folder's forward pass over N tokens with T threads, with PRM Lens's session options, in a process
 * of its own (bench/ort-server.ts, the one timing process of the benchmarks) so that its load time and peak memory
 * are the model's. Usable alone:
 *   node out/bench/time-imported.js --folder DIR [--tokens 512] [--threads 1] [--rounds 7] [--vocab 1000]
 * prints {"folder", "tokens", "threads", "loadMs", "peakRssMB", "runsMs", "medianMs"} on stdout. The benchmarks run
 * several folders side by side through `startTimer` (rounds interleaved across folders).
 */

const ORT_SERVER = path.join(__dirname, 'ort-server.js');

export interface TimerStats {
  folder: string;
  tokens: number;
  threads: number;
  loadMs: number;
  peakRssMB: number;
}

export interface Timer {
  /** Milliseconds of one forward pass over the timer's tokens. */
  run(): Promise<number>;
  stats(): TimerStats;
  stop(): Promise<void>;
}

/** A timing process for `folder` over `tokens` seeded random ids below `vocab`; resolves once the model is loaded. */
export async function startTimer(folder: string, tokens: number, threads: number, vocab: number): Promise<Timer> {
  const server = await ModelServer.start<{ loadMs: number; rssMiB: number }>(process.execPath, [
    ORT_SERVER,
    folder,
    String(threads),
  ]);
  const random = seededRandom(tokens);
  const ids = Array.from({ length: tokens }, () => Math.floor(random() * vocab));
  let peakRssMB = server.loaded.rssMiB;
  return {
    run: async () => {
      const reply = await server.request<{ ms: number; peakRssMiB: number }>({ ids });
      peakRssMB = reply.peakRssMiB;
      return reply.ms;
    },
    stats: () => ({ folder, tokens, threads, loadMs: server.loaded.loadMs, peakRssMB }),
    stop: async () => void (await server.close()),
  };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, fallback?: string) => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : fallback;
    if (v === undefined) throw new Error(`--${name} is required`);
    return v;
  };
  const folder = path.resolve(arg('folder'));
  const rounds = Number(arg('rounds', '7'));
  const timer = await startTimer(
    folder,
    Number(arg('tokens', '512')),
    Number(arg('threads', '1')),
    Number(arg('vocab', '1000')),
  );
  try {
    await timer.run(); // warm-up
    const runsMs: number[] = [];
    for (let i = 0; i < rounds; i++) runsMs.push(await timer.run());
    console.log(JSON.stringify({ ...timer.stats(), runsMs, medianMs: median(runsMs) }));
  } finally {
    await timer.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
