import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The CLI as users run it: the bundled dist/cli.js in a child process (npm test builds it first).
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('prm-lens bon', () => {
  let dir = '';
  let samples = '';
  let results = '';
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-cli-bon-'));
    samples = path.join(dir, 'math.jsonl');
    const lines = [
      { id: 'a1', problem: 'A', steps: ['s', '\\boxed{2}'], answer: '2', prm_score: 0.9 },
      { id: 'a2', problem: 'A', steps: ['s', '\\boxed{3}'], answer: '2', prm_score: 0.2 },
      { id: 'b1', problem: 'B', steps: ['s', 'The answer is 0.5.'], answer: '\\frac12', prm_score: 0.1 },
      { id: 'b2', problem: 'B', steps: ['s', '\\boxed{7}'], answer: '\\frac12', prm_score: 0.8 },
    ];
    writeFileSync(samples, lines.map((l) => JSON.stringify(l)).join('\n'));
    results = path.join(dir, 'results.jsonl');
    const scored = [
      { id: 'a1', subset: 'math', label: -1, prediction: -1, critic: 'prm', scores: [0.9, 0.8] },
      { id: 'a2', subset: 'math', label: 0, prediction: 0, critic: 'prm', scores: [0.1, 0.9] },
      { id: 'b1', subset: 'math', label: 1, prediction: 1, critic: 'prm', scores: [0.7, 0.3] },
      { id: 'b2', subset: 'math', label: 0, prediction: 0, critic: 'prm', scores: [0.2, 0.2] },
    ];
    writeFileSync(results, scored.map((l) => JSON.stringify(l)).join('\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--json prints the documented contract', () => {
    const r = run('bon', samples, '--n', '1,2', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.problems, 2);
    assert.equal(out.samples_per_problem, 2);
    assert.deepEqual(out.n, [1, 2]);
    const selectors = ['best:prm_score', 'majority', 'pass', 'random', 'weighted:prm_score'];
    assert.deepEqual(Object.keys(out.curves).sort(), selectors);
    assert.deepEqual(out.curves.pass, [50, 100]);
    assert.deepEqual(out.curves['best:prm_score'], [50, 50]);
    assert.ok('process' in out);
  });

  test('--ci adds seeded bootstrap intervals over problems around every point; --seed alone is a usage error', () => {
    const r = run('bon', samples, '--n', '1,2', '--ci', '200', '--seed', '3', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out.ci).sort(), Object.keys(out.curves).sort());
    for (const [name, points] of Object.entries(out.curves as Record<string, number[]>)) {
      points.forEach((v, i) => {
        const { lo, hi } = out.ci[name][i];
        assert.ok(lo <= v + 1e-9 && v <= hi + 1e-9, `${name} n=${out.n[i]}: ${v} outside [${lo}, ${hi}]`);
      });
    }
    // pass@1 is 50% on both problems: every resample agrees. best:prm_score@2 is right on A, wrong on B.
    assert.deepEqual(out.ci.pass[0], { lo: 50, hi: 50 });
    assert.deepEqual(out.ci['best:prm_score'][1], { lo: 0, hi: 100 });
    assert.deepEqual(out.subsets[Object.keys(out.subsets)[0]].ci.pass[0], { lo: 50, hi: 50 });
    assert.equal(run('bon', samples, '--n', '1,2', '--ci', '200', '--seed', '3', '--json').stdout, r.stdout);
    const text = run('bon', samples, '--ci');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /95% bootstrap intervals over problems/);
    const seedOnly = run('bon', samples, '--seed', '3');
    assert.notEqual(seedOnly.code, 0);
    assert.match(seedOnly.stderr, /--seed needs --ci/);
  });

  test('--results joins step scores by id: best:<critic>/<aggregation> and the process diagnostics', () => {
    const r = run('bon', samples, '--results', results, '--critic', 'prm', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    for (const how of ['min', 'product', 'last', 'mean', 'max']) {
      assert.ok(`best:prm/${how}` in out.curves && `weighted:prm/${how}` in out.curves, how);
    }
    // min: A → a1 (0.8 > 0.1, right), B → b1 (0.3 > 0.2, right, but the critic marks step 1 wrong).
    assert.deepEqual(out.curves['best:prm/min'], [50, 100]);
    assert.deepEqual(out.process['best:prm/min'].wrong_process.prm, [50, 50]);
    const table = run('bon', samples, '--results', results);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /best:prm\/min +50\.0 +100\.0/);
  });

  test('bad records exit 2 after the curves; bad arguments exit 2', () => {
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ problem: 'A', given_answer: '1', is_correct: true })}\nnot json\n`);
    const r = run('bon', bad, '--json');
    assert.equal(r.code, 2);
    assert.equal(JSON.parse(r.stdout).problems, 1);
    assert.match(r.stderr, /bad\.jsonl:line 2: invalid JSON/);
    assert.equal(run('bon', samples, '--n', '3').code, 2);
    assert.match(run('bon', samples, '--n', '0').stderr, /--n must be a positive integer/);
    assert.match(run('bon', samples, '--critic', 'prm').stderr, /--critic needs --results/);
    assert.match(run('bon', samples, '--results', results, '--critic', 'nope').stderr, /no such critic/);
    assert.match(run('bon', samples, '--out', 'x').stderr, /bon does not take --out/);
    assert.match(run('bon', path.join(dir, 'missing.jsonl')).stderr, /not found/);
    assert.match(run('--help').stdout, /prm-lens bon FILE/);
  });
});
