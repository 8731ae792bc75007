import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { ENV_KEYS } from '../src/cli/commands/critics';
import { judgeSteps } from '../src/core/analysis/analyze';
import { createCritic } from '../src/core/critics/registry';
import type { Critic, CriticConfig } from '../src/core/critics/types';
import type { DatasetItem } from '../src/core/datasets/types';
import { runItems } from '../src/core/run/engine';
import { mapConcurrent } from '../src/core/util/concurrency';
import { criticIdentity } from '../src/core/critics/identity';
import { seededRandom } from '../src/core/util/random';
import { ScriptedServer, type Reply } from '../test/fixtures/servers/http';
import { fakeOpenAI } from '../test/fixtures/servers/openai';

/**
 * The run engine's throughput against a heavy-tailed server (issue 14): a local OpenAI-compatible server on
 * 127.0.0.1 answers in a base latency, except 10% of the items (drawn with a fixed seed) in 4 × that. The ideal is the
 * server's own time spread over `concurrency` workers; the old scheduler (kept here only as the baseline) waited
 * for the oldest item before starting another, so one slow item idled the other workers.
 */
const SLOW_SHARE = 0.1;
const SLOW_FACTOR = 4;
/** Latencies long enough that the client's CPU (the SDK, JSON) is not what limits a shared 2-core machine. */
const RUNS = [
  { concurrency: 4, items: 300, baseMs: 50 },
  { concurrency: 32, items: 640, baseMs: 200 },
];

/** The scheduler `mapConcurrent` had before issue 14: results in order, but no new work while the oldest runs. */
async function* oldMapConcurrent<T, R>(
  source: Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  for (const item of source) {
    inFlight.push(fn(item));
    if (inFlight.length >= Math.max(1, limit)) yield await (inFlight.shift() as Promise<R>);
  }
  while (inFlight.length > 0) yield await (inFlight.shift() as Promise<R>);
}

function makeItems(n: number, prefix: string): DatasetItem[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    subset: 'bench',
    problem: `Problem ${prefix}${i}: add the numbers.`,
    steps: ['1 + 1 = 2', '2 + 2 = 4'],
    label: -1,
    source: { file: 'bench' },
  }));
}

/**
 * The client side, in a child process of its own (as `prm-lens eval` would be) so the server's work does not share
 * its event loop: judges `items` items with one scheduler and prints the wall time in ms.
 */
async function client(origin: string, scheduler: 'old' | 'new', concurrency: number, items: number): Promise<void> {
  const config: CriticConfig = {
    id: 'bench',
    type: 'openai-critic',
    baseURL: `${origin}/v1`,
    model: 'bench',
    concurrency: 256,
    retries: 0,
  };
  const critic: Critic = await createCritic(config, { ...ENV_KEYS });
  const critics = [{ id: 'bench', identity: criticIdentity(config), critic }];
  // A warm-up pass opens the connections, so neither scheduler pays for it.
  for await (const _ of runItems(makeItems(concurrency, 'w'), { critics, concurrency })) void _;
  const list = makeItems(items, 'b');
  const t0 = performance.now();
  if (scheduler === 'old')
    for await (const _ of oldMapConcurrent(list, concurrency, (item) => judgeSteps([critic], item.problem, item.steps)))
      void _;
  else for await (const _ of runItems(list, { critics, concurrency })) void _;
  process.stdout.write(String(performance.now() - t0));
  critic.dispose?.();
}

function runClient(origin: string, scheduler: 'old' | 'new', concurrency: number, items: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [__filename, 'client', origin, scheduler, String(concurrency), String(items)],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(Number(out)) : reject(new Error(`bench client exited ${code}`))));
  });
}

/**
 * The schedulers alone (timers, no HTTP, hardly any CPU): 100 tasks per worker (issue 14's 400 at concurrency 4),
 * 10% of them 200 ms, the rest 10 ms.
 */
async function schedulerOnly(concurrency: number): Promise<string> {
  const random = seededRandom(400);
  const durations = Array.from({ length: 100 * concurrency }, () => (random() < SLOW_SHARE ? 200 : 10));
  const idealMs = durations.reduce((a, b) => a + b, 0) / concurrency;
  const task = (ms: number) => new Promise<number>((resolve) => setTimeout(() => resolve(ms), ms));
  const time = async (scheduler: (items: number[]) => AsyncIterable<number>) => {
    const t0 = performance.now();
    for await (const _ of scheduler(durations)) void _;
    return performance.now() - t0;
  };
  const oldMs = await time((items) => oldMapConcurrent(items, concurrency, task));
  const newMs = await time((items) => mapConcurrent(items, concurrency, task));
  const share = (ms: number) => `${((idealMs / ms) * 100).toFixed(0)}%`;
  const what = `scheduler alone, concurrency ${concurrency}, ${durations.length} tasks`;
  const old = `old ${oldMs.toFixed(0)} ms (${share(oldMs)})`;
  return `  ${what}: ${old} → new ${newMs.toFixed(0)} ms (${share(newMs)}); ideal ${idealMs.toFixed(0)} ms`;
}

export async function engineBenchmark(): Promise<void> {
  const random = seededRandom(14);
  const slow = new Map<string, boolean>();
  let baseMs = 0;
  const answer = fakeOpenAI({ answer: () => 'All fine.\n\\boxed{-1}' });
  const server = await ScriptedServer.start(async (req, index) => {
    const reply = (await answer(req, index)) as Exclude<Reply, { hang: true } | { reset: true }>;
    const item = /Problem (\w+):/.exec(JSON.stringify(req.body))?.[1] ?? '';
    if (!slow.has(item)) slow.set(item, random() < SLOW_SHARE);
    return { ...reply, delayMs: slow.get(item) ? baseMs * SLOW_FACTOR : baseMs };
  });
  try {
    console.log(
      `Run engine vs a heavy-tailed server (local; ${SLOW_SHARE * 100}% of items ${SLOW_FACTOR}× slower;` +
        ' eval client in a child process):',
    );
    console.log('  share of the ideal (the total task or server time / concurrency), old scheduler → new engine');
    for (const concurrency of [4, 32]) console.log(await schedulerOnly(concurrency));
    for (const run of RUNS) {
      const { concurrency, items } = run;
      baseMs = run.baseMs;
      const measured: Record<'old' | 'new', { wallMs: number; idealMs: number }> = {
        old: { wallMs: 0, idealMs: 0 },
        new: { wallMs: 0, idealMs: 0 },
      };
      for (const scheduler of ['old', 'new'] as const) {
        const serverBefore = server.serverTimeMs;
        const requestsBefore = server.requests.length;
        const wallMs = await runClient(server.origin, scheduler, concurrency, items);
        // Only the measured items' server time: the warm-up's requests answer in BASE_MS each.
        const warmUp = Math.min(concurrency, server.requests.length - requestsBefore) * baseMs;
        measured[scheduler] = {
          wallMs,
          idealMs: Math.max(1, server.serverTimeMs - serverBefore - warmUp) / concurrency,
        };
      }
      const show = (m: { wallMs: number; idealMs: number }) => {
        const rate = ((items * 1000) / m.wallMs).toFixed(0);
        const share = ((m.idealMs / m.wallMs) * 100).toFixed(0);
        return `${(m.wallMs / 1000).toFixed(2)} s (${rate} items/s, ${share}% of ideal)`;
      };
      const what = `concurrency ${String(concurrency).padStart(2)}, ${items} items, ${baseMs} ms base`;
      const ideal = `ideal ${(measured.new.idealMs / 1000).toFixed(2)} s`;
      console.log(`  ${what}: old ${show(measured.old)} → new ${show(measured.new)}; ${ideal}`);
    }
  } finally {
    await server.close();
  }
}

if (require.main === module && process.argv[2] === 'client') {
  const [origin, scheduler, concurrency, items] = process.argv.slice(3);
  client(origin, scheduler as 'old' | 'new', Number(concurrency), Number(items)).catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  });
}
