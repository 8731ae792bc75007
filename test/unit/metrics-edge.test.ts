import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computeMetrics } from '../../src/core/metrics/metrics';
import { calibrateThreshold } from '../../src/core/metrics/thresholds';
import type { MetricsReport } from '../../src/core/metrics/types';

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

// Subset and critic names are data: "__proto__" or "constructor" are names like any other.
const NAMES = ['__proto__', 'constructor', 'gsm8k'];

/** Per subset: one erroneous item found, one correct item called correct, one erroneous item missed. */
function predictions(subsets: readonly string[]) {
  return subsets.flatMap((subset) => [
    { subset, label: 1, prediction: 1 },
    { subset, label: -1, prediction: -1 },
    { subset, label: 2, prediction: -1 },
  ]);
}

describe('metrics over subsets with any name', () => {
  test('a subset named "__proto__" is a subset: in the report, its averages and its JSON', () => {
    const report = computeMetrics(predictions(NAMES));
    assert.deepEqual(Object.keys(report.subsets), NAMES);
    assert.equal(report.subsets.__proto__.n_error, 2);
    assert.ok(Math.abs((report.f1_mean ?? 0) - 200 / 3) < 1e-9);
    const parsed = JSON.parse(JSON.stringify(report)) as MetricsReport;
    assert.deepEqual(Object.keys(parsed.subsets), NAMES);
  });

  test('the threshold sweep calibrates on a subset named "__proto__" and keeps it in every table', () => {
    const items = NAMES.flatMap((subset) => [
      { subset, label: 1, scores: [0.9, 0.2, 0.8] },
      { subset, label: -1, scores: [0.9, 0.7, 0.8] },
    ]);
    const c = calibrateThreshold(items, '__proto__');
    assert.ok(c.threshold >= 0.2 && c.threshold < 0.7, String(c.threshold));
    assert.deepEqual(Object.keys(c.report.subsets), NAMES);
    assert.deepEqual(Object.keys(c.perSubset), NAMES);
    assert.deepEqual(Object.keys(c.upperBound.subsets), NAMES);
    assert.deepEqual(Object.keys(c.heldOut.subsets), ['constructor', 'gsm8k']);
  });
});

describe('prm-lens metrics: names and repeated input', () => {
  let dir = '';
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-metrics-edge-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'metrics', ...args], { encoding: 'utf8' });

  /** A results file of `critic` over `subsets` (three items each, as in `predictions`). */
  function results(name: string, critic: string, subsets: readonly string[]): string {
    const file = path.join(dir, name);
    const lines = predictions(subsets).map((p, i) => ({ id: `q${i % 3}`, ...p, critic, scores: null }));
    writeFileSync(file, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    return file;
  }

  test('--json keeps a subset and a critic named "__proto__"', () => {
    const one = run(results('proto.jsonl', 'prm', NAMES), '--json');
    assert.equal(one.status, 0, one.stderr);
    assert.deepEqual(Object.keys((JSON.parse(one.stdout) as MetricsReport).subsets), NAMES);
    const two = run(results('a.jsonl', '__proto__', ['x']), results('b.jsonl', 'prm', ['x']), '--json');
    assert.equal(two.status, 0, two.stderr);
    const both = JSON.parse(two.stdout) as { critics: Record<string, MetricsReport> };
    assert.deepEqual(Object.keys(both.critics), ['__proto__', 'prm']);
    assert.equal(both.critics.__proto__.subsets.x.n_error, 2);
  });

  test('the same file named twice, or through a link, is counted once and said so', () => {
    const file = results('once.jsonl', 'prm', ['gsm8k']);
    const link = path.join(dir, 'link.jsonl');
    symlinkSync(file, link);
    const r = run(file, link, file, '--json');
    assert.equal(r.status, 0, r.stderr);
    const counted = (JSON.parse(r.stdout) as MetricsReport).subsets.gsm8k;
    assert.deepEqual(counted, computeMetrics(predictions(['gsm8k'])).subsets.gsm8k);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 2, r.stderr);
    for (const line of lines) assert.match(line, /: the same file as .*once\.jsonl; its results are counted once$/);
  });

  test('records for items a critic already has in an earlier file are reported, left out, and exit 2', () => {
    const first = results('first.jsonl', 'prm', ['gsm8k']);
    // The same items again for "prm" (with other predictions), and new ones for another critic.
    const again = path.join(dir, 'again.jsonl');
    const lines = predictions(['gsm8k']).map((p, i) => ({ id: `q${i}`, ...p, prediction: 0, critic: 'prm' }));
    const other = predictions(['gsm8k']).map((p, i) => ({ id: `q${i}`, ...p, critic: 'judge' }));
    writeFileSync(again, [...lines, ...other].map((l) => `${JSON.stringify({ ...l, scores: null })}\n`).join(''));
    const r = run(first, again, '--json');
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /again\.jsonl: 3 record\(s\) for items already read from .*first\.jsonl /);
    assert.match(r.stderr, /\(the first: critic "prm", subset "gsm8k", id "q0"\); left out/);
    const { critics } = JSON.parse(r.stdout) as { critics: Record<string, MetricsReport> };
    const expected = computeMetrics(predictions(['gsm8k'])).subsets.gsm8k;
    assert.deepEqual(critics.prm.subsets.gsm8k, expected, 'the first file counts, once');
    assert.deepEqual(critics.judge.subsets.gsm8k, expected);
  });
});
