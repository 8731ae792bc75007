import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DirectoryStore } from '../../src/core/critics/cache';
import type { CriticResult } from '../../src/core/critics/types';

// The CLI is tested as users run it: the bundled dist/cli.js in a child process (npm test builds it first).
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const example = (name: string) => path.join(root, 'examples', name);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A result cache folder made by PRM Lens, with entries of critics `a` (two) and `b` (one, used 100 days ago). */
async function makeCache(dir: string): Promise<void> {
  const store = new DirectoryStore(dir);
  const timing = { startedAt: 0, durationMs: 0 };
  const result = (): CriticResult => ({ criticId: 'x', steps: [], firstError: -1, timing });
  const hex = (k: string) => Buffer.from(k).toString('hex');
  const keys = ['a1', 'a2', 'b1'].map((k) => hex(k).padEnd(64, '0'));
  await store.set(keys[0], result(), { id: 'a', type: 'chat-prm', identity: 'i1' });
  await store.set(keys[1], result(), { id: 'a', type: 'chat-prm', identity: 'i1' });
  await store.set(keys[2], result(), { id: 'b', type: 'openai-critic', identity: 'i2' });
  const old = new Date(Date.now() - 100 * 24 * 3600_000);
  utimesSync(path.join(dir, keys[2].slice(0, 2), `${keys[2]}.json`), old, old);
}

const entriesIn = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.json'))
    .length;

describe('prm-lens CLI', () => {
  let dir = '';
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('segment --json gives exact offsets into the file', () => {
    const file = example('arithmetic-slip.md');
    const r = run('segment', file, '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const text = readFileSync(file, 'utf8');
    assert.equal(out.strategy, 'paragraphs');
    assert.equal(out.steps.length, 6);
    for (const s of out.steps) assert.equal(text.slice(s.start, s.end), s.text);
    assert.match(out.problem.text, /^A bakery sells muffins/);
  });

  test('score finds the arithmetic slip in step index 2', () => {
    const r = run('score', example('arithmetic-slip.md'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.critics[0].id, 'checker');
    assert.equal(out.critics[0].firstError, 2);
    assert.match(out.critics[0].steps[2].reason, /12 × 7 = 74( muffins)?, but 12 × 7 = 84/);
    const table = run('score', example('arithmetic-slip.md'));
    assert.match(table.stdout, /checker: first error at idx 2/);
  });

  test('score verifies every arithmetic step of the showcase example, units and rounded quotient included', () => {
    const r = run('score', example('all-correct.md'), '--json');
    assert.equal(r.code, 0, r.stderr);
    const [checker] = JSON.parse(r.stdout).critics;
    assert.equal(checker.firstError, -1);
    // 180 km + 150 km = 330 km · 2 h + 1.5 h = 3.5 h · 330 / 3.5 = 94.29 km/h; the last step only states the answer.
    const verdicts = checker.steps.map((s: { verdict: string }) => s.verdict);
    assert.deepEqual(verdicts, ['correct', 'correct', 'correct', 'unknown']);
  });

  test('eval writes results and prints ProcessBench metrics; metrics recomputes them', () => {
    const out = path.join(dir, 'results.jsonl');
    const r = run('eval', example('dataset.jsonl'), '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const metrics = JSON.parse(r.stdout);
    // Per subset the checker catches 1 of 2 erroneous cases (the other error is not arithmetic) and keeps both
    // correct cases: acc_error 50, acc_correct 100, F1 = 2·50·100/150.
    for (const name of ['demo-gsm', 'demo-math']) {
      const s = metrics.subsets[name];
      assert.deepEqual([s.n_error, s.n_correct, s.acc_error, s.acc_correct], [2, 2, 50, 100]);
      assert.ok(Math.abs(s.f1 - 200 / 3) < 1e-9);
    }
    assert.ok(Math.abs(metrics.f1_mean - 200 / 3) < 1e-9);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    assert.equal(lines.length, 8);
    assert.deepEqual(Object.keys(JSON.parse(lines[0])), ['id', 'subset', 'label', 'prediction', 'critic', 'scores']);
    const again = run('metrics', out, '--json');
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), metrics);
  });

  test('bad records are reported with file and line, exit 2, and good records still count', () => {
    const data = path.join(dir, 'mixed.jsonl');
    const good = { id: 'g', problem: 'p', steps: ['2 + 2 = 4'], label: -1 };
    writeFileSync(data, `${JSON.stringify(good)}\n{not json\n${JSON.stringify({ ...good, id: 'h', label: 7 })}\n`);
    const out = path.join(dir, 'mixed-results.jsonl');
    const r = run('eval', data, '--out', out, '--json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /mixed\.jsonl:line 2: /);
    assert.match(r.stderr, /mixed\.jsonl:line 3: label/);
    assert.equal(JSON.parse(r.stdout).subsets.mixed.n_correct, 1);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 1);
  });

  test('--strategy newline-split: Python\'s split("\\n"), empty lines kept as zero-length steps', () => {
    const file = path.join(dir, 'skywork.md');
    writeFileSync(file, '2 + 2 = 4\n\nSo 4.');
    const r = run('segment', file, '--strategy', 'newline-split', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.strategy, 'newline-split');
    assert.deepEqual(
      out.steps.map((s: { start: number; end: number }) => [s.start, s.end]),
      [
        [0, 9],
        [10, 10],
        [11, 16],
      ],
    );
  });

  test('a combined ProcessBench file without subsets: subsets from the id prefix, and stderr says so', () => {
    const data = path.join(dir, 'combined.jsonl');
    const item = (id: string) => JSON.stringify({ id, problem: 'p', steps: ['2 + 2 = 4'], label: -1 });
    writeFileSync(data, ['gsm8k-0', 'gsm8k-1', 'math-0'].map(item).join('\n') + '\n');
    const r = run('eval', data, '--out', path.join(dir, 'combined-results.jsonl'), '--json', '--quiet');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(Object.keys(JSON.parse(r.stdout).subsets), ['gsm8k', 'math']);
    assert.match(r.stderr, /combined\.jsonl: subsets: from the id prefix \(gsm8k, math\)/);
  });

  test('usage errors and bad configs exit 2 with a message naming the problem', () => {
    assert.equal(run('frobnicate').code, 2);
    const r = run('score', example('all-correct.md'), '--strategy', 'words');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--strategy must be one of/);
    const config = path.join(dir, 'critics.json');
    writeFileSync(config, JSON.stringify({ critics: [{ id: 'c', type: 'oracle' }] }));
    const c = run('score', example('all-correct.md'), '--config', config);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /critics\.json: critics\[0\]\.type is "oracle"/);
    const missing = run('segment', path.join(dir, 'nope.md'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.md/);
  });
});

describe('prm-lens exit codes', () => {
  let dir = '';
  const at = (name: string) => path.join(dir, name);
  before(async () => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-exit-'));
    mkdirSync(at('folder'));
    writeFileSync(at('empty.md'), '');
    writeFileSync(at('empty.jsonl'), '');
    const result = { id: 'a', subset: 's', label: -1, prediction: -1, critic: 'checker', scores: null };
    writeFileSync(at('results.jsonl'), `${JSON.stringify(result)}\n`);
    writeFileSync(at('dataset.json'), JSON.stringify([{ id: 'a', problem: 'p', steps: ['1 + 1 = 2'], label: -1 }]));
    writeFileSync(at('results.json'), JSON.stringify([{ id: 'a', subset: 's', label: -1, prediction: -1 }]));
    writeFileSync(at('keep.txt'), 'not a cache');
    mkdirSync(at('old-cache/ab'), { recursive: true });
    await makeCache(at('cache'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  // [what, arguments, exit code, what stderr must say]: 2 for bad arguments and bad input in every command.
  const cases: [string, () => string[], number, RegExp][] = [
    ['segment: missing file', () => ['segment', at('nope.md')], 2, /Input file not found: .*nope\.md/],
    ['score: missing file', () => ['score', at('nope.md')], 2, /Input file not found: .*nope\.md/],
    ['eval: missing file', () => ['eval', at('nope.jsonl')], 2, /Dataset file not found: .*nope\.jsonl/],
    ['metrics: missing file', () => ['metrics', at('nope.jsonl')], 2, /Results file not found: .*nope\.jsonl/],
    ['segment: a folder', () => ['segment', at('folder')], 2, /folder is a folder, not a file/],
    ['score: a folder', () => ['score', at('folder')], 2, /folder is a folder, not a file/],
    ['eval: a folder', () => ['eval', at('folder')], 2, /folder is a folder, not a file/],
    ['metrics: a folder', () => ['metrics', at('folder')], 2, /folder is a folder, not a file/],
    ['segment: an empty file', () => ['segment', at('empty.md')], 2, /no steps: the solution is empty/],
    ['score: an empty file', () => ['score', at('empty.md')], 2, /no steps: the solution is empty/],
    ['metrics: an empty file', () => ['metrics', at('empty.jsonl')], 2, /empty: no results/],
    [
      'metrics: a dataset (JSON lines)',
      () => ['metrics', example('dataset.jsonl')],
      2,
      /looks like a dataset .*run `prm-lens eval/,
    ],
    [
      'metrics: a dataset (JSON array)',
      () => ['metrics', at('results.jsonl'), at('dataset.json')],
      2,
      /dataset\.json looks like a dataset/,
    ],
    [
      'metrics: results as a JSON array',
      () => ['metrics', at('results.json')],
      2,
      /is a JSON array; a results file has one/,
    ],
    [
      'clear-cache: a file',
      () => ['clear-cache', '--cache-dir', at('keep.txt')],
      2,
      /is a file, not a cache folder: nothing was deleted/,
    ],
    [
      'clear-cache: a folder that is no cache',
      () => ['clear-cache', '--cache-dir', dir],
      2,
      /was not created by PRM Lens \(it has no CACHEDIR\.TAG of PRM Lens\): nothing was deleted/,
    ],
    [
      'clear-cache: a cache folder of an earlier version (untagged: not guessed from its contents)',
      () => ['clear-cache', '--cache-dir', at('old-cache')],
      2,
      /old-cache was not created by PRM Lens/,
    ],
    ['cache: no cache folder', () => ['cache', '--cache-dir', dir], 2, /was not created by PRM Lens.*: not read/],
    ['cache prune: a folder that is no cache', () => ['cache', 'prune', '--cache-dir', dir], 2, /nothing was deleted/],
    [
      'cache prune: a bad --older-than',
      () => ['cache', 'prune', '--cache-dir', at('cache'), '--older-than', 'soon'],
      2,
      /--older-than must be a number ≥ 0; got "soon"/,
    ],
    ['cache: an option it does not take', () => ['cache', '--older-than', '3'], 2, /cache does not take --older-than/],
    ['cache: an unknown subcommand', () => ['cache', 'purge'], 2, /cache takes no file arguments; got "purge"/],
    [
      'score: --no-cache with a cache limit',
      () => ['score', example('all-correct.md'), '--no-cache', '--cache-max-age', '3'],
      2,
      /--no-cache and --cache-max-age contradict each other/,
    ],
    ['clear-cache: a file argument', () => ['clear-cache', 'x'], 2, /clear-cache takes no file arguments/],
    [
      'segment: two files',
      () => ['segment', example('all-correct.md'), example('logic-error.md')],
      2,
      /segment takes one FILE/,
    ],
    ['score: no file', () => ['score'], 2, /score: missing FILE/],
    ['an unknown option', () => ['segment', example('all-correct.md'), '--bogus'], 2, /Unknown option '--bogus'/],
    [
      'an option the command does not take',
      () => ['metrics', at('results.jsonl'), '--critic', 'x'],
      2,
      /metrics does not take --critic/,
    ],
    [
      'an invalid --regex',
      () => ['segment', example('all-correct.md'), '--strategy', 'regex', '--regex', '('],
      2,
      /--regex: Invalid step regex/,
    ],
    [
      'eval: --out in a missing folder',
      () => ['eval', example('dataset.jsonl'), '--out', at('no/r.jsonl')],
      2,
      /the folder .*no does not exist/,
    ],
    [
      'eval: --out a folder',
      () => ['eval', example('dataset.jsonl'), '--out', at('folder')],
      2,
      /is a folder; name a file/,
    ],
    ['an unknown command', () => ['frobnicate'], 2, /unknown command "frobnicate"/],
    ['no command (the usage goes to stderr)', () => [], 2, /^prm-lens — segment, score and evaluate/],
    ['metrics: results', () => ['metrics', at('results.jsonl')], 0, /^$/],
    ['clear-cache: a cache', () => ['clear-cache', '--cache-dir', at('cache')], 0, /cleared .*cache: removed 3/],
    ['clear-cache: no cache yet', () => ['clear-cache', '--cache-dir', at('none')], 0, /nothing to clear/],
  ];
  for (const [what, args, code, stderr] of cases) {
    test(`${what}: exit ${code}`, () => {
      const r = run(...args());
      assert.equal(r.code, code, `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
      assert.match(r.stderr.trim(), stderr);
    });
  }

  test('clear-cache never deletes what is not a cache', () => {
    run('clear-cache', '--cache-dir', at('keep.txt'));
    run('clear-cache', '--cache-dir', dir);
    run('clear-cache', '--cache-dir', at('old-cache'));
    assert.equal(readFileSync(at('keep.txt'), 'utf8'), 'not a cache');
    assert.ok(existsSync(at('old-cache/ab')));
  });

  /**
   * The CLI runs with every write, rename and removal of node:fs replaced by a recorder that refuses it, so a
   * refusal that came too late shows as a recorded attempt instead of deleting a home folder.
   */
  function guarded(...args: string[]) {
    const guard = at('no-writes.cjs');
    writeFileSync(
      guard,
      `const fs = require('node:fs'); const fsp = require('node:fs/promises');
const names = ['unlink', 'rm', 'rmdir', 'rename', 'writeFile', 'appendFile', 'mkdir', 'utimes', 'copyFile', 'truncate'];
for (const name of names) {
  const refuse = (fn) => (p) => {
    process.stderr.write('WRITE ATTEMPT ' + fn + ' ' + p + '\\n');
    throw new Error('blocked');
  };
  fsp[name] = async (p) => refuse(name)(p);
  fs[name + 'Sync'] = refuse(name + 'Sync');
}`,
    );
    const r = spawnSync(process.execPath, ['-r', guard, cli, ...args], { encoding: 'utf8', cwd: root });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  test('., /, $HOME, the project root and links to each: exit 2 before anything is written', async () => {
    const targets = ['.', '/', os.homedir(), root];
    for (const [i, target] of targets.entries()) {
      const link = at(`link-${i}`);
      symlinkSync(path.resolve(root, target), link);
      for (const folder of [target, link]) {
        for (const args of [['clear-cache'], ['cache', 'prune'], ['cache', 'prune', '--older-than', '0'], ['cache']]) {
          const r = guarded(...args, '--cache-dir', folder);
          assert.equal(r.code, 2, `${args.join(' ')} --cache-dir ${folder}: ${r.stderr}`);
          assert.doesNotMatch(r.stderr, /WRITE ATTEMPT/, `${args.join(' ')} --cache-dir ${folder}`);
          assert.match(r.stderr, folder === link ? /is a symbolic link/ : /was not created by PRM Lens/);
        }
      }
    }
    // The guard does catch writes: clearing a real cache tries to remove its entries.
    await makeCache(at('guard-check'));
    assert.match(guarded('clear-cache', '--cache-dir', at('guard-check')).stderr, /WRITE ATTEMPT unlink .*guard-check/);
  });

  test('cache summarises per critic; cache prune removes by critic and by age; clear-cache keeps the tag', async () => {
    const cache = at('summary-cache');
    await makeCache(cache);
    const summary = run('cache', '--cache-dir', cache, '--json');
    assert.equal(summary.code, 0, summary.stderr);
    const parsed = JSON.parse(summary.stdout);
    assert.equal(parsed.entries, 3);
    assert.deepEqual(
      parsed.critics.map((c: { id: string; entries: number; identities: number }) => [c.id, c.entries, c.identities]),
      [
        ['a', 2, 1],
        ['b', 1, 1],
      ],
    );
    const table = run('cache', '--cache-dir', cache);
    assert.match(table.stdout, /3 entries/);
    assert.match(table.stdout, /^a\s+chat-prm\s+1\s+2\s/m);

    const aged = run('cache', 'prune', '--cache-dir', cache, '--older-than', '30');
    assert.equal(aged.code, 0, aged.stderr);
    assert.match(aged.stderr, /removed 1 entries .*; kept 2/);
    const byCritic = run('cache', 'prune', '--cache-dir', cache, '--critic', 'a', '--json');
    const report = { ...JSON.parse(byCritic.stdout), freedBytes: 0 };
    assert.deepEqual(report, { removed: 2, freedBytes: 0, kept: 0, keptBytes: 0 });
    await makeCache(cache);
    assert.equal(run('clear-cache', '--cache-dir', cache).code, 0);
    assert.deepEqual(readdirSync(cache), ['CACHEDIR.TAG']);
    assert.match(run('cache', '--cache-dir', at('no-cache-here')).stdout, /no cache yet/);
  });

  test('score and eval prune the cache to its limits after the run', async () => {
    const cache = at('pruned-after-run');
    await makeCache(cache);
    const r = run('score', example('all-correct.md'), '--cache-dir', cache, '--cache-max-age', '30');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /pruned 1 cache entries/);
    assert.equal(entriesIn(cache), 2);
    const e = run('eval', example('dataset.jsonl'), '--cache-dir', cache, '--cache-max-size', '0.0001', '--quiet');
    assert.equal(e.code, 0, e.stderr);
    assert.equal(entriesIn(cache), 0, 'nothing fits in 100 bytes');
  });

  test('--version and -V print the package version', () => {
    const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const r = run(flag);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `${version}\n`);
    }
  });
});
