import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ScriptedServer } from '../fixtures/servers/http';
import { ChatBody, fakeOpenAI } from '../fixtures/servers/openai';

// `prm-lens eval` as users run it (dist/cli.js in a child process) against fake servers started here. The child
// must be spawned asynchronously: the server answering it lives in this process.
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const KEY = 'sk-cli-test-c0ffee-42';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  args: string[],
  opts: { env?: Record<string, string>; onSpawn?: (child: ReturnType<typeof spawn>) => void } = {},
): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    opts.onSpawn?.(child);
  });
}

/** Items whose problem says their label, so the fake critic can answer right (or wrong) on purpose. */
function writeDataset(file: string, n: number): number[] {
  const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 : i % 3));
  writeFileSync(
    file,
    labels
      .map((label, i) =>
        JSON.stringify({
          id: `q${i}`,
          subset: i < n / 2 ? 'alpha' : 'beta',
          problem: `Problem ${i} (label ${label})`,
          steps: ['Step one.', 'Step two.', 'Step three.'],
          label,
        }),
      )
      .join('\n') + '\n',
  );
  return labels;
}

const labelOf = (body: ChatBody) => Number(/\(label (-?\d+)\)/.exec(body.messages[0].content)?.[1]);

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.join(e.parentPath, e.name))
    : [];
}

describe('prm-lens eval with remote critics', () => {
  let dir = '';
  let server: ScriptedServer | undefined;
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-remote-cli-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function config(name: string, critics: object[]): string {
    const file = path.join(dir, name);
    writeFileSync(file, JSON.stringify({ critics }));
    return file;
  }

  test('several critics: one line per item and critic, metrics rows and pairwise agreement, usage totals; the key stays off disk', async () => {
    const work = path.join(dir, 'multi');
    mkdirSync(work);
    const data = path.join(dir, 'multi.jsonl');
    writeDataset(data, 12);
    // "judge" is always right; "lazy" always says -1.
    server = await ScriptedServer.start(
      fakeOpenAI({ key: KEY, answer: (body) => `Done. \\boxed{${body.model === 'judge' ? labelOf(body) : -1}}` }),
    );
    const cfg = config('multi.json', [
      { id: 'judge', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'judge', apiKeyEnv: 'PRM_TEST_KEY' },
      { id: 'lazy', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'lazy', apiKeyEnv: 'PRM_TEST_KEY' },
    ]);
    const out = path.join(work, 'results.jsonl');
    const r = await run(
      ['eval', data, '--config', cfg, '--critic', 'judge', '--critic', 'lazy', '--out', out, '--json'],
      { env: { PRM_TEST_KEY: KEY } },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(server.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`));
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 24);
    assert.deepEqual(
      lines.slice(0, 2).map((l) => l.critic),
      ['judge', 'lazy'],
    );
    const metrics = JSON.parse(r.stdout);
    assert.equal(metrics.critics.judge.f1_mean, 100);
    assert.equal(metrics.critics.lazy.f1_mean, 0);
    assert.deepEqual(
      metrics.agreement.map((p: { a: string; b: string; n: number }) => [p.a, p.b, p.n]),
      [['judge', 'lazy', 12]],
    );
    assert.ok(
      Math.abs(metrics.agreement[0].agreement - 100 / 3) < 1e-9,
      'they agree exactly on the 4 all-correct items',
    );
    // Usage totals on stderr: 12 requests per critic, tokens reported by the server.
    assert.match(r.stderr, /critic\s+items\s+cached\s+requests\s+prompt_tokens\s+completion_tokens\s+mean_ms/);
    assert.match(r.stderr, /judge\s+12\s+0\s+12\s+\d+\s+\d+/);

    const text = await run(['metrics', out]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /critic\s+items\s+no_prediction\s+F1 alpha\s+F1 beta\s+F1 mean\s+F1 weighted/);
    assert.match(text.stdout, /judge\s+12\s+0\s+100\.0\s+100\.0\s+100\.0\s+100\.0/);
    assert.match(text.stdout, /lazy\s+12\s+0\s+0\.0\s+0\.0\s+0\.0\s+0\.0/);
    assert.match(text.stdout, /judge\s+lazy\s+12\s+33\.3\s+0\.000/);

    // The default cache lives next to --out (tagged as PRM Lens's), and nothing written holds the key.
    const cacheFiles = filesUnder(path.join(work, '.prm-lens-cache'));
    assert.equal(cacheFiles.filter((f) => f.endsWith('.json')).length, 24);
    assert.ok(cacheFiles.some((f) => path.basename(f) === 'CACHEDIR.TAG'));
    for (const f of [out, ...cacheFiles])
      assert.ok(!readFileSync(f, 'utf8').includes(KEY), `${f} contains the API key`);
    for (const s of [r.stdout, r.stderr, text.stdout, text.stderr])
      assert.ok(!s.includes(KEY), 'output contains the API key');

    const again = await run(
      ['eval', data, '--config', cfg, '--critic', 'judge', '--critic', 'lazy', '--out', out, '--json'],
      { env: { PRM_TEST_KEY: KEY } },
    );
    assert.equal(again.code, 0, again.stderr);
    assert.equal(server.requests.length, 24, 'a re-run is served from the cache');
    assert.match(again.stderr, /judge\s+12\s+12\s+0\s/);
  });

  test('Ctrl-C stops at once and keeps what finished; the same command then resumes from the cache', async () => {
    const data = path.join(dir, 'resume.jsonl');
    const labels = writeDataset(data, 12);
    server = await ScriptedServer.start(fakeOpenAI({ delayMs: 150, answer: (body) => `\\boxed{${labelOf(body)}}` }));
    const cfg = config('resume.json', [
      { id: 'slow', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' },
    ]);
    const out = path.join(dir, 'resume-results.jsonl');
    const cacheDir = path.join(dir, 'resume-cache');
    const args = [
      'eval',
      data,
      '--config',
      cfg,
      '--critic',
      'slow',
      '--out',
      out,
      '--concurrency',
      '1',
      '--cache-dir',
      cacheDir,
      '--json',
    ];
    const s = server;
    const first = await run(args, {
      onSpawn: (child) => {
        const poll = setInterval(() => {
          if (s.requests.length >= 5) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 5);
      },
    });
    assert.equal(first.code, 130, first.stderr);
    const done = Number(/interrupted after (\d+) items/.exec(first.stderr)?.[1]);
    assert.ok(done >= 4 && done < 12, first.stderr);
    assert.match(first.stderr, /run the same command again to resume/);
    assert.equal(existsSync(out), false, 'an interrupted run does not write a partial results file');
    const metrics = JSON.parse(first.stdout);
    const covered = Object.values(metrics.subsets as Record<string, { n_error: number; n_correct: number }>).reduce(
      (n, m) => n + m.n_error + m.n_correct,
      0,
    );
    assert.equal(covered, done, 'the metrics cover exactly the finished items (the one cut short is not a miss)');
    await new Promise((r) => setTimeout(r, 300));
    const sentBefore = s.requests.length;
    assert.equal(sentBefore, done + 1, 'only the request in flight at Ctrl-C was lost; nothing started after it');
    assert.equal(s.abandoned, 1, 'the request in flight was aborted');

    const second = await run(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(s.requests.length - sentBefore, 12 - done, 'the re-run only asks about the items not finished before');
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.prediction),
      labels,
    );
  });

  test('a critic failing on an item: an "error" line, exit 1, counted apart, a re-run redoes only it', async () => {
    const data = path.join(dir, 'failing.jsonl');
    const labels = writeDataset(data, 6);
    let broken = true;
    server = await ScriptedServer.start(
      fakeOpenAI({
        answer: (body) => `\\boxed{${labelOf(body)}}`,
        fault: (req) => {
          const hit = broken && JSON.stringify(req.body).includes('Problem 4 ');
          return hit ? { status: 500, json: { error: { message: 'boom' } } } : undefined;
        },
      }),
    );
    const judge = { id: 'judge', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', retries: 0 };
    const cfg = config('failing.json', [judge]);
    const out = path.join(dir, 'failing-results.jsonl');
    const cache = path.join(dir, 'failing-cache');
    const args = ['eval', data, '--config', cfg, '--critic', 'judge', '--out', out, '--cache-dir', cache, '--json'];
    const first = await run(args);
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /critic judge failed on 1 item\(s\): recorded as failures/);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 6);
    assert.equal(lines[4].prediction, null);
    assert.match(lines[4].error, /500/);
    const beta = JSON.parse(first.stdout).subsets.beta;
    assert.equal(beta.n_failed, 1);
    assert.equal(beta.n_error + beta.n_correct, 2, 'the failed item is left out of the accuracies');
    const metrics = await run(['metrics', out]);
    assert.equal(metrics.code, 0, metrics.stderr);
    assert.match(metrics.stdout, /n_failed/);
    assert.match(metrics.stdout, /left out of acc_error, acc_correct and F1/);

    broken = false;
    const sent = server.requests.length;
    const second = await run(args);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(server.requests.length - sent, 1, 'only the failed item is asked again');
    assert.deepEqual(
      readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).prediction),
      labels,
    );
  });

  test('a server padding an echo of the key into malformed answers gets none of it onto stderr', async () => {
    const data = path.join(dir, 'echo.jsonl');
    writeDataset(data, 3);
    // Previews of malformed answers are cut: the key starts 45 characters in, across the old 60-character cut.
    server = await ScriptedServer.start(() => ({ text: `${'.'.repeat(45)}${KEY}${'.'.repeat(45)}` }));
    const baseURL = `${server.origin}/v1`;
    const judge = { id: 'judge', type: 'openai-critic', baseURL, model: 'm', apiKeyEnv: 'PRM_TEST_KEY' };
    const cfg = config('echo.json', [judge]);
    const env = { PRM_TEST_KEY: KEY };
    const r = await run(['eval', data, '--config', cfg, '--critic', 'judge', '--no-cache'], { env });
    assert.match(
      r.stderr,
      /critic judge failed on 3 item\(s\)[\s\S]*sent an answer PRM Lens cannot read: .*, got \.+\*{3}/,
    );
    for (let i = 0; i + 6 <= KEY.length; i++) {
      assert.ok(!r.stderr.includes(KEY.slice(i, i + 6)), `stderr leaks key characters from ${i}: ${r.stderr}`);
    }
  });

  test('a bad key stops the run at once with what to fix; a missing key variable is a usage error', async () => {
    const data = path.join(dir, 'badkey.jsonl');
    writeDataset(data, 30);
    server = await ScriptedServer.start(fakeOpenAI({ key: KEY, answer: () => '\\boxed{-1}' }));
    const cfg = config('badkey.json', [
      { id: 'judge', type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', apiKeyEnv: 'PRM_TEST_KEY' },
    ]);
    const wrongKey = 'sk-wrong-123456789';
    const r = await run(['eval', data, '--config', cfg, '--critic', 'judge', '--no-cache'], {
      env: { PRM_TEST_KEY: wrongKey },
    });
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stderr,
      /stopped: critic "judge": .* rejected the API key \(401.*\)\. Check the environment variable PRM_TEST_KEY/,
    );
    assert.ok(
      !r.stderr.includes(wrongKey) && !r.stdout.includes(wrongKey),
      'the key the server echoed must not be printed',
    );
    assert.ok(
      server.requests.length <= 4,
      `${server.requests.length} requests after a 401: the run should stop at once`,
    );
    const missing = await run(['eval', data, '--config', cfg, '--critic', 'judge'], { env: { PRM_TEST_KEY: '' } });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /"apiKeyEnv" names PRM_TEST_KEY, but that environment variable is not set/);
  });
});
