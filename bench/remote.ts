import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, promises as fs, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ScriptedServer } from '../test/fixtures/servers/http';
import { fakeOpenAI } from '../test/fixtures/servers/openai';

/**
 * `prm-lens eval` with an openai-critic against a local OpenAI-compatible server that answers after a fixed delay:
 * items/s at eval concurrency 1, 8 and 32, and the client's overhead per request beyond the server's own time.
 * Items come from ../shared/data (a temporary JSONL outside the repo, deleted afterwards).
 */
const SERVER_DELAY_MS = 50;
const RUNS = [
  { concurrency: 1, items: 200 },
  { concurrency: 8, items: 800 },
  { concurrency: 32, items: 3200 },
];

interface RunResult {
  wallMs: number;
  requests: number;
  serverMs: number;
}

function runCli(cli: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) =>
      code === 0
        ? resolve(performance.now() - t0)
        : reject(new Error(`prm-lens eval exited ${code}: ${stderr.slice(-500)}`)),
    );
  });
}

/** Up to `n` records taken in turn from every dataset file, written as JSONL. */
async function sampleItems(dataDir: string, n: number, out: string): Promise<number> {
  const files: string[] = [];
  for (const e of await fs.readdir(dataDir, { recursive: true, withFileTypes: true }))
    if (e.isFile() && e.name.endsWith('.json')) files.push(path.join(e.parentPath, e.name));
  const lists = await Promise.all(files.sort().map(async (f) => JSON.parse(await fs.readFile(f, 'utf8')) as unknown[]));
  const lines: string[] = [];
  for (let i = 0; lines.length < n && lists.some((l) => i < l.length); i++) {
    for (const l of lists)
      if (i < l.length && lines.length < n)
        lines.push(JSON.stringify({ ...(l[i] as object), id: `b${lines.length}`, subset: 'bench' }));
  }
  await fs.writeFile(out, `${lines.join('\n')}\n`);
  return lines.length;
}

export async function remoteBenchmark(root: string): Promise<void> {
  const dataDir = path.resolve(root, '..', 'shared', 'data');
  const cli = path.join(root, 'dist', 'cli.js');
  if (!existsSync(dataDir)) return console.log(`Remote critic throughput: skipped (${dataDir} not found)`);
  if (!existsSync(cli))
    return console.log('Remote critic throughput: skipped (dist/cli.js missing; run npm run build)');
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-bench-remote-'));
  const server = await ScriptedServer.start(
    fakeOpenAI({ delayMs: SERVER_DELAY_MS, answer: () => 'Paragraph 0: fine.\n\\boxed{-1}' }),
  );
  try {
    const config = path.join(tmp, 'critics.json');
    await fs.writeFile(
      config,
      JSON.stringify({
        critics: [
          { id: 'bench', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'bench', concurrency: 64 },
        ],
      }),
    );
    const one = path.join(tmp, 'one.jsonl');
    await sampleItems(dataDir, 1, one);
    // Process start, reading the config and one request: paid once per run, subtracted below.
    const fixedMs = await runCli(cli, ['eval', one, '--config', config, '--critic', 'bench', '--no-cache']);
    console.log(
      `Remote critic throughput (prm-lens eval, openai-critic, local server answering after ${SERVER_DELAY_MS} ms; fixed cost per run ${fixedMs.toFixed(0)} ms):`,
    );
    for (const { concurrency, items } of RUNS) {
      const data = path.join(tmp, `items-${items}.jsonl`);
      const count = await sampleItems(dataDir, items, data);
      const start = { requests: server.requests.length, serverMs: server.serverTimeMs };
      const wallMs = await runCli(cli, [
        'eval',
        data,
        '--config',
        config,
        '--critic',
        'bench',
        '--no-cache',
        '--concurrency',
        String(concurrency),
      ]);
      const r: RunResult = {
        wallMs,
        requests: server.requests.length - start.requests,
        serverMs: server.serverTimeMs - start.serverMs,
      };
      const workMs = Math.max(1, r.wallMs - fixedMs);
      const perRequestServer = r.serverMs / r.requests;
      // At concurrency 1 requests run back to back, so wall time per request minus server time is pure overhead.
      const overhead =
        concurrency === 1
          ? `, overhead ${(workMs / r.requests - perRequestServer).toFixed(1)} ms per request beyond the server's ${perRequestServer.toFixed(1)} ms`
          : '';
      const ideal = (concurrency * 1000) / SERVER_DELAY_MS;
      console.log(
        `  concurrency ${String(concurrency).padStart(2)}: ${count} items in ${(r.wallMs / 1000).toFixed(2)} s → ${((count * 1000) / workMs).toFixed(1)} items/s (server-bound ideal ${ideal.toFixed(0)})${overhead}`,
      );
    }
  } finally {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}
