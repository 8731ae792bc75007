import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// `prm-lens metrics --dataset/--ci/--seed` as users run it: the bundled dist/cli.js (npm test builds it first).
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const released = (idx: string, classification: string, process: string[], errors: number[]) => ({
  original_question: 'What is 2+3?',
  modified_question: 'What is 2+3?',
  original_process: ['2+3 = 5.', 'The answer is 5.'],
  modified_process: process,
  modified_steps: errors,
  error_steps: errors,
  reason: 'injected',
  idx,
  question: 'What is 2+3?',
  classification,
});

const result = (critic: string, id: string, subset: string, label: number, scores: number[]) => ({
  id,
  subset,
  label,
  prediction: scores.findIndex((s) => !(s > 0.5)),
  critic,
  scores,
});

describe('prm-lens metrics: PRMBench and intervals', () => {
  let dir = '';
  let dataset = '';
  let results = '';
  let two = '';
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-cli-stats-'));
    dataset = path.join(dir, 'prmbench.jsonl');
    const records = [
      released('redundency_p_0', 'redundency', ['2+3 = 5.', '5 = 5.', 'The answer is 5.'], [2]),
      released('circular_p_0', 'circular', ['Say it is 5.', 'So 2+3 = 5.', 'The answer is 5.'], [1, 2]),
    ];
    writeFileSync(dataset, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const good = [
      result('good', 'redundency_p_0', 'redundency', 1, [0.9, 0.2, 0.8]),
      result('good', 'correct_p_0', 'correct', -1, [0.9, 0.9]),
      result('good', 'circular_p_0', 'circular', 0, [0.3, 0.6, 0.9]),
    ];
    const bad = good.map((r) =>
      result(
        'bad',
        r.id,
        r.subset,
        r.label,
        r.scores.map((s) => 1 - s),
      ),
    );
    results = path.join(dir, 'results.jsonl');
    writeFileSync(results, good.map((r) => JSON.stringify(r)).join('\n') + '\n');
    two = path.join(dir, 'two.jsonl');
    writeFileSync(two, [...good, ...bad].map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--dataset adds "prmbench": PRMScore per category and overall (without "correct")', () => {
    const r = run('metrics', results, '--dataset', dataset, '--json');
    assert.equal(r.code, 0, r.stderr);
    const { prmbench } = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(prmbench), ['threshold', 'categories', 'overall', 'coverage']);
    assert.equal(prmbench.threshold, 0.5);
    assert.deepEqual(Object.keys(prmbench.categories), ['circular', 'correct', 'redundency']);
    // circular: TN, FP, TP; redundency: TP, TN, TP. Overall TP 3, FP 1, TN 2, FN 0:
    // F1 = 6/7, negative F1 = 4/5, PRMScore = (6/7 + 4/5)/2.
    const o = prmbench.overall;
    assert.deepEqual([o.n_items, o.n_steps, o.tp, o.fp, o.tn, o.fn], [2, 6, 3, 1, 2, 0]);
    assert.ok(Math.abs(o.prmscore - 50 * (6 / 7 + 4 / 5)) < 1e-9);
    assert.equal(prmbench.categories.correct.negative_f1, null);
    const all = { scored: 3, failed: 0, no_scores: 0, not_in_dataset: 0, step_mismatch: 0, not_evaluated: 0 };
    assert.deepEqual(prmbench.coverage, all);
    const text = run('metrics', results, '--dataset', dataset);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /PRMBench PRMScore/);
    assert.match(text.stdout, /overall \(all but "correct"\)\s+2\s+6\s+85\.7\s+80\.0\s+82\.9/);
  });

  test('--threshold sets the step threshold of the PRMScore', () => {
    const r = run('metrics', results, '--dataset', dataset, '--threshold', '0.25', '--json');
    assert.equal(r.code, 0, r.stderr);
    const { prmbench } = JSON.parse(r.stdout);
    assert.equal(prmbench.threshold, 0.25);
    const o = prmbench.overall;
    assert.deepEqual([o.tp, o.fp, o.tn, o.fn], [3, 2, 1, 0]);
  });

  test('--ci N --seed S: {lo, hi} beside every value, deterministic; comparisons {diff, lo, hi, p}', () => {
    const args = ['metrics', two, '--dataset', dataset, '--ci', '200', '--seed', '7', '--json'];
    const r = run(...args);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(run(...args).stdout, r.stdout);
    const out = JSON.parse(r.stdout);
    const good = out.critics.good;
    assert.deepEqual(Object.keys(good.ci), ['f1_mean', 'f1_weighted']);
    assert.deepEqual(Object.keys(good.subsets.circular.ci), ['acc_error', 'acc_correct', 'f1']);
    assert.deepEqual(Object.keys(good.subsets.circular.ci.acc_error), ['lo', 'hi']);
    assert.equal(good.subsets.circular.ci.acc_correct, null); // no all-correct item in that subset
    assert.deepEqual(Object.keys(good.prmbench.overall.ci), ['f1', 'negative_f1', 'prmscore']);
    const ci = good.prmbench.overall.ci.prmscore;
    assert.ok(ci.lo <= good.prmbench.overall.prmscore && good.prmbench.overall.prmscore <= ci.hi);
    assert.equal(out.comparisons.length, 1);
    const [c] = out.comparisons;
    assert.deepEqual([c.a, c.b, c.items], ['good', 'bad', 3]);
    assert.deepEqual(Object.keys(c.prmscore), ['diff', 'lo', 'hi', 'p']);
    assert.ok(c.prmscore.diff > 0);
  });

  test('a bare --ci takes 1,000 resamples; text shows the intervals and the comparison', () => {
    const r = run('metrics', two, '--ci', '--dataset', dataset);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /good: bootstrap intervals \(1000 resamples, seed 0\)/);
    assert.match(r.stdout, /Paired bootstrap comparisons/);
    assert.match(r.stdout, /PRMScore A−B/);
    const last = run('metrics', results, '--ci');
    assert.equal(last.code, 0, last.stderr);
    assert.match(last.stdout, /bootstrap intervals \(1000 resamples/);
  });

  test('bad --ci, --seed, --threshold and --dataset are usage or input errors (exit 2)', () => {
    assert.match(run('metrics', results, '--ci', '0').stderr, /--ci must be a positive integer/);
    assert.equal(run('metrics', results, '--ci=x').code, 2);
    const seed = run('metrics', results, '--ci', '--seed', '-1');
    assert.equal(seed.code, 2);
    const missing = run('metrics', results, '--dataset', path.join(dir, 'nope.jsonl'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.jsonl/);
    assert.match(run('segment', results, '--ci').stderr, /segment does not take --ci/);
    assert.match(run('metrics', results, '--seed', '3').stderr, /--seed needs --ci/);
    const both = run('metrics', results, '--threshold', '0.3', '--calibrate-on', 'correct');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--threshold and --calibrate-on both set the step threshold/);
    assert.match(
      run('metrics', results, '--dataset', dataset, '--threshold', 'x').stderr,
      /--threshold must be a number/,
    );
  });

  test('eval reads released PRMBench records: ids and subsets join the PRMBench labels', () => {
    const out = path.join(dir, 'eval.jsonl');
    const r = run('eval', dataset, '--out', out, '--no-cache', '--quiet');
    assert.equal(r.code, 0, r.stderr);
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const rows = lines.map((l) => [l.id, l.subset, l.label]);
    assert.deepEqual(rows, [
      ['redundency_p_0', 'redundency', 1],
      ['circular_p_0', 'circular', 0],
    ]);
    const m = run('metrics', out, '--dataset', dataset, '--json');
    const coverage = JSON.parse(m.stdout).prmbench.coverage;
    assert.equal(coverage.not_in_dataset, 0);
    assert.equal(coverage.no_scores, 2); // the checker gives verdicts, not step scores: no PRMScore
    assert.equal(coverage.not_evaluated, 1); // the "correct" solution the loader adds is not a record eval reads
  });
});
