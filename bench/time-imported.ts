import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { seededRandom } from '../src/core/util/random';
import { sessionOptions } from '../src/onnx-host/engine';

/**
 * Times a model folder's forward pass over N tokens with T threads, with PRM Lens's session options, in a process
 * of its own so that its peak memory is the model's. Usable alone:
 *   node out/bench/time-imported.js --folder DIR [--tokens 512] [--threads 1] [--rounds 7]
 * prints {"folder", "tokens", "threads", "loadMs", "runsMs", "medianMs", "peakRssMB"} on stdout. The benchmark runs
 * several folders side by side through `startTimer` (rounds interleaved across folders).
 */

export interface TimerStats {
  folder: string;
  tokens: number;
  threads: number;
  loadMs: number;
  peakRssMB: number;
}

/** Feeds what the graph declares: ids, an all-ones mask, positions 0…N−1 (one unpadded row). */
function feeds(session: ort.InferenceSession, tokens: number, vocab: number): Record<string, ort.Tensor> {
  const random = seededRandom(tokens);
  const ids = BigInt64Array.from({ length: tokens }, () => BigInt(Math.floor(random() * vocab)));
  const out: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    if (name === 'input_ids') out[name] = new ort.Tensor('int64', ids, [1, tokens]);
    else if (name === 'attention_mask')
      out[name] = new ort.Tensor('int64', new BigInt64Array(tokens).fill(1n), [1, tokens]);
    else if (name === 'position_ids')
      out[name] = new ort.Tensor(
        'int64',
        BigInt64Array.from({ length: tokens }, (_, i) => BigInt(i)),
        [1, tokens],
      );
    else throw new Error(`cannot feed input ${name}`);
  }
  return out;
}

/**
 * This process's peak resident memory. Linux's VmHWM starts afresh with the process image; getrusage's maxRSS
 * would carry over the parent's peak (it survives fork and exec).
 */
function peakRssMB(): number {
  try {
    const line = readFileSync('/proc/self/status', 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
    if (line) return Number(line[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** The serving side: loads the folder, then answers "run" with the milliseconds of one pass and "stats". */
async function serve(folder: string, tokens: number, threads: number, vocab: number): Promise<void> {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'), sessionOptions(threads));
  const loadMs = performance.now() - t0;
  const input = feeds(session, tokens, vocab);
  const send = (m: unknown) => (process.send as (m: unknown) => void)(m);
  process.on('message', (m: string) => {
    if (m === 'run') {
      const start = performance.now();
      session.run(input).then(
        () => send({ ms: performance.now() - start }),
        (err: Error) => send({ error: err.message }),
      );
    } else if (m === 'stats') {
      send({ folder, tokens, threads, loadMs, peakRssMB: peakRssMB() });
    } else if (m === 'exit') process.exit(0);
  });
  send({ ready: true });
}

export interface Timer {
  run(): Promise<number>;
  stats(): Promise<TimerStats>;
  stop(): void;
}

/** A timing process for `folder`; resolves once the model is loaded. */
export function startTimer(folder: string, tokens: number, threads: number, vocab: number): Promise<Timer> {
  const child = fork(__filename, ['--serve', folder, String(tokens), String(threads), String(vocab)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let waiting: ((m: Record<string, unknown>) => void) | undefined;
  let failed: Error | undefined;
  child.on('message', (m: Record<string, unknown>) => waiting?.(m));
  child.on('exit', (code) => {
    failed = new Error(`the timing process for ${folder} exited (${code})`);
    waiting?.({ error: failed.message });
  });
  const ask = (what: string) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      if (failed) return reject(failed);
      waiting = (m) => (typeof m.error === 'string' ? reject(new Error(m.error)) : resolve(m));
      child.send(what);
    });
  return new Promise((resolve, reject) => {
    waiting = (m) => {
      if (typeof m.error === 'string') return reject(new Error(m.error));
      resolve({
        run: async () => (await ask('run')).ms as number,
        stats: async () => (await ask('stats')) as unknown as TimerStats,
        stop: () => child.connected && child.send('exit'),
      });
    };
  });
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--serve') return serve(argv[1], Number(argv[2]), Number(argv[3]), Number(argv[4]));
  const arg = (name: string, fallback?: string) => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : fallback;
    if (v === undefined) throw new Error(`--${name} is required`);
    return v;
  };
  const folder = path.resolve(arg('folder'));
  const tokens = Number(arg('tokens', '512'));
  const threads = Number(arg('threads', '1'));
  const rounds = Number(arg('rounds', '7'));
  const vocab = Number(arg('vocab', '1000'));
  const timer = await startTimer(folder, tokens, threads, vocab);
  try {
    await timer.run(); // warm-up
    const runsMs: number[] = [];
    for (let i = 0; i < rounds; i++) runsMs.push(await timer.run());
    console.log(JSON.stringify({ ...(await timer.stats()), runsMs, medianMs: median(runsMs) }));
  } finally {
    timer.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
