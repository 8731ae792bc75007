import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultRecord } from '../../src/core/datasets/types';
import { buildMetricsModel } from '../../src/views/metricsView';

// `prm-lens metrics --calibrate-on / --threshold` as users run it (the bundled dist/cli.js), against the panel.
const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: root });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Implicit-PRM-like scores packed near 0.5; the critic's own predictions (at 0.5) find no error anywhere.
const rec = (critic: string, id: string, subset: string, label: number, scores: number[] | null): ResultRecord => ({
  id,
  subset,
  label,
  prediction: scores === null ? 1 : -1,
  critic,
  scores,
});
const RECORDS: ResultRecord[] = [
  rec('prm', 'g1', 'gsm8k', 1, [0.508, 0.503, 0.509]),
  rec('prm', 'g2', 'gsm8k', 0, [0.502]),
  rec('prm', 'g3', 'gsm8k', -1, [0.507, 0.506]),
  rec('prm', 'g4', 'gsm8k', -1, [0.509]),
  rec('prm', 'm1', 'math', 0, [0.504, 0.501]),
  rec('prm', 'm2', 'math', 1, [0.51, 0.5]),
  rec('prm', 'm3', 'math', -1, [0.505, 0.507]),
  rec('prm', 'm4', 'math', -1, [0.5035]),
  rec('judge', 'g1', 'gsm8k', 1, null),
  rec('judge', 'm1', 'math', 0, null),
];

describe('prm-lens metrics: the step threshold', () => {
  let dir = '';
  let file = '';
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-cli-calibrate-'));
    file = path.join(dir, 'results.jsonl');
    writeFileSync(file, RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--calibrate-on gives the metrics panel’s numbers: threshold, every subset, averages, upper bound', () => {
    const r = run('metrics', file, '--calibrate-on', 'gsm8k', '--json');
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    const panel = buildMetricsModel({ dataset: 'd', records: RECORDS, calibrationSubset: 'gsm8k' });
    const [cal] = panel.calibrations;
    const prm = out.critics.prm;
    assert.deepEqual(prm.threshold, { value: cal.threshold, calibrated_on: 'gsm8k' });
    assert.equal(cal.threshold, 0.503);
    for (const row of cal.rows) {
      if (row.kind === 'mean') assert.equal(prm.f1_mean, row.f1);
      else if (row.kind === 'weighted') assert.equal(prm.f1_weighted, row.f1);
      else {
        const m = prm.subsets[row.subset];
        assert.deepEqual([m.acc_error, m.acc_correct, m.f1], [row.acc_error, row.acc_correct, row.f1], row.subset);
      }
    }
    assert.equal(prm.subsets.gsm8k.f1, 100);
    for (const row of cal.upperBound) {
      if (row.kind === 'subset') assert.equal(prm.upper_bound.subsets[row.subset].f1, row.f1, row.subset);
      if (row.kind === 'mean') assert.equal(prm.upper_bound.f1_mean, row.f1);
    }
    assert.deepEqual({ ...prm.upper_bound.thresholds }, { ...cal.perSubsetThreshold });
    assert.equal(out.critics.judge.threshold, null, 'a critic without scores keeps its own predictions');
    assert.equal(out.critics.judge.subsets.gsm8k.acc_error, 100);
  });

  test('--threshold T recomputes predictions at T; text names the rule and the upper bound', () => {
    const given = JSON.parse(run('metrics', file, '--threshold', '0.503', '--json').stdout).critics.prm;
    assert.deepEqual(given.threshold, { value: 0.503, given: true });
    assert.equal(given.subsets.gsm8k.f1, 100);
    assert.equal(given.upper_bound, undefined);
    const own = JSON.parse(run('metrics', file, '--json').stdout).critics.prm;
    assert.equal(own.subsets.gsm8k.f1, 0, 'without a threshold flag the saved predictions stand');
    assert.equal(own.threshold, undefined);
    const text = run('metrics', file, '--calibrate-on', 'gsm8k');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /prm: 0\.503 calibrated on gsm8k \(ProcessBench's protocol\)/);
    assert.match(text.stdout, /prm: upper bound, each subset at its own optimal threshold \(gsm8k 0\.503, math /);
    assert.match(text.stdout, /judge: its own predictions/);
  });

  test('a subset that cannot calibrate is reported (exit 2)', () => {
    const r = run('metrics', file, '--calibrate-on', 'olympiad', '--json');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /critic prm: Calibration subset "olympiad" has no items/);
  });
});
