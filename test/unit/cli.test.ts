import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// The CLI is tested as users run it: the bundled dist/cli.js in a child process (npm test builds it first).
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');
const example = (name: string) => path.join(root, 'examples', name);

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

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
