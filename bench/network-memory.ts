import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createGzip } from 'node:zlib';
import { bytes, Chunks, Reply, ScriptedServer } from '../test/fixtures/servers/http';

/**
 * The memory ceiling of `prm-lens eval` against servers that send too much: a 2 GiB answer (on a 200 and on a
 * 500) and a gzip bomb (4 MB on the wire, 4 GiB inflated), for openai-critic (the openai client) and vllm-pooling
 * (plain fetch). Prints the CLI's peak RSS, its time, what it said and how much the server managed to send.
 *
 *   npm run build && npx tsc -p tsconfig.test.json && node out/bench/network-memory.js [--cli dist/cli.js] [--gib 2]
 *
 * Not part of `npm run bench`: it moves gigabytes through loopback and takes about a minute. The peak RSS comes
 * from the child's own process.resourceUsage() at exit, or from /proc/<pid>/status (VmHWM) when it dies first.
 */
const root = path.resolve(__dirname, '..', '..');
const GIB = 1024 ** 3;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** A chat completion whose content is `size` bytes, streamed. */
function* completion(size: number): Generator<string | Buffer> {
  yield '{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"';
  yield* bytes(size);
  yield '"}}]}';
}

/** `size` bytes of spaces gzipped: about 1 KB on the wire per MB inflated. */
async function gzipBomb(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (b: Buffer) => out.push(b));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  for (const block of bytes(size, ' ', 1024 * 1024))
    if (!gzip.write(block)) await new Promise((r) => gzip.once('drain', r));
  gzip.end();
  await done;
  return Buffer.concat(out);
}

interface Outcome {
  peakMiB: number;
  seconds: number;
  code: number | null;
  said: string;
}

/** Runs the CLI once and reports its peak RSS. */
function runCli(cli: string, args: string[], preload: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--require', preload, cli, ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let polledKiB = 0;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) polledKiB = Math.max(polledKiB, Number(hwm[1]));
      } catch {
        // the process has just exited
      }
    }, 20);
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      clearInterval(poll);
      const reported = Number(/PRM_LENS_MAXRSS (\d+)/.exec(stderr)?.[1] ?? 0);
      const said = stderr
        .split('\n')
        .filter((l) => /failed on|stopped|fatal|heap|error/i.test(l))
        .join(' | ')
        .slice(0, 300);
      resolve({ peakMiB: Math.max(reported, polledKiB) / 1024, seconds: (performance.now() - t0) / 1000, code, said });
    });
  });
}

async function main(): Promise<void> {
  const cli = path.resolve(option('--cli', path.join(root, 'dist', 'cli.js')));
  const size = Number(option('--gib', '2')) * GIB;
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run npm run build`);
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-bench-memory-'));
  const preload = path.join(tmp, 'maxrss.js');
  const report = "require('fs').writeSync(2, `\\nPRM_LENS_MAXRSS ${process.resourceUsage().maxRSS}\\n`)";
  writeFileSync(preload, `process.on('exit', () => ${report});\n`);
  const bomb = await gzipBomb(2 * size);
  let reply: () => Reply = () => ({ json: {} });
  const server = await ScriptedServer.start(() => reply());
  try {
    const data = path.join(tmp, 'one.jsonl');
    writeFileSync(
      data,
      `${JSON.stringify({ id: 'q0', problem: 'What is 2 + 2?', steps: ['2 + 2 = 4.', 'So 4.'], label: -1 })}\n`,
    );
    const critics = [
      { id: 'llm', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', timeoutMs: 600_000 },
      { id: 'pool', type: 'vllm-pooling', baseURL: server.origin, timeoutMs: 600_000 },
    ];
    const config = path.join(tmp, 'critics.json');
    writeFileSync(config, JSON.stringify({ critics }));
    const gib = `${size / GIB} GiB`;
    const scenarios: { name: string; critic: string; reply: () => Reply }[] = [
      { name: 'openai-critic, a normal answer (baseline)', critic: 'llm', reply: () => ({ json: normal }) },
      { name: `openai-critic, 200 with a ${gib} answer`, critic: 'llm', reply: () => ({ chunks: completion(size) }) },
      {
        name: `openai-critic, 500 with a ${gib} body`,
        critic: 'llm',
        reply: () => ({ status: 500, chunks: bytes(size) }),
      },
      {
        name: `openai-critic, gzip bomb (${(bomb.length / 1e6).toFixed(1)} MB → ${(2 * size) / GIB} GiB)`,
        critic: 'llm',
        reply: () => gz(bomb),
      },
      { name: `vllm-pooling, 200 with a ${gib} answer`, critic: 'pool', reply: () => ({ chunks: bytes(size) }) },
      { name: `vllm-pooling, gzip bomb`, critic: 'pool', reply: () => gz(bomb) },
    ];
    console.log(`Peak RSS of prm-lens eval (${path.relative(root, cli) || cli}) against servers that send too much:`);
    for (const s of scenarios) {
      reply = s.reply;
      const before = { requests: server.requests.length, bytes: server.bytesStreamed };
      const r = await runCli(cli, ['eval', data, '--config', config, '--critic', s.critic, '--no-cache'], preload);
      const requests = server.requests.length - before.requests;
      const sentMiB = (server.bytesStreamed - before.bytes) / 1024 ** 2;
      console.log(
        `  ${s.name}: peak RSS ${r.peakMiB.toFixed(0)} MiB, ${r.seconds.toFixed(1)} s, exit ${r.code}, ` +
          `${requests} request(s), ${sentMiB.toFixed(0)} MiB sent by the server`,
      );
      console.log(`    ${r.said}`);
    }
  } finally {
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

const normal = {
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '\\boxed{-1}' } }],
};

function gz(body: Buffer): Reply {
  const chunks: Chunks = [body];
  return { headers: { 'content-encoding': 'gzip' }, chunks };
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
