import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics } from '../../src/core/metrics/metrics';
import { firstErrorFromScores } from '../../src/core/critics/judgement';
import { calibrateThreshold, DEFAULT_SWEEP_GRID, sweepThresholds } from '../../src/core/metrics/thresholds';
import { seededRandom } from '../../src/core/util/random';
import type { ScoredItem } from '../../src/core/metrics/types';

const close = (actual: number | null | undefined, expected: number): void => {
  assert.ok(actual != null && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
};

// gsm8k: A matches for t < 0.8, B for 0.3 ≤ t < 0.9, C for t ≥ 0.4.
const GSM8K: ScoredItem[] = [
  { subset: 'gsm8k', label: -1, scores: [0.9, 0.8] },
  { subset: 'gsm8k', label: 1, scores: [0.9, 0.3, 0.7] },
  { subset: 'gsm8k', label: 0, scores: [0.4] },
];
// math: D matches for t < 0.65, F for t < 0.7, E for t ≥ 0.58, G for 0.45 ≤ t < 0.9.
const MATH: ScoredItem[] = [
  { subset: 'math', label: -1, scores: [0.65] },
  { subset: 'math', label: 0, scores: [0.58] },
  { subset: 'math', label: -1, scores: [0.7] },
  { subset: 'math', label: 1, scores: [0.9, 0.45] },
];

describe('sweepThresholds', () => {
  test('hand-computed sweep; thresholds come out sorted and deduplicated', () => {
    const points = sweepThresholds(GSM8K, [0.85, 0.2, 0.5, 0.5]);
    assert.deepEqual(
      points.map((p) => p.threshold),
      [0.2, 0.5, 0.85],
    );
    const g = points.map((p) => p.report.subsets.gsm8k!);
    // t = 0.2: only A matches.
    assert.deepEqual(g[0], { n_error: 2, n_correct: 1, acc_error: 0, acc_correct: 100, f1: 0 });
    // t = 0.5: all match.
    assert.deepEqual(g[1], { n_error: 2, n_correct: 1, acc_error: 100, acc_correct: 100, f1: 100 });
    // t = 0.85: B and C match, A does not.
    assert.deepEqual(g[2], { n_error: 2, n_correct: 1, acc_error: 100, acc_correct: 0, f1: 0 });
  });

  test('the default grid is 0, 0.01, …, 1', () => {
    assert.equal(DEFAULT_SWEEP_GRID.length, 101);
    assert.equal(DEFAULT_SWEEP_GRID[37], 0.37);
    assert.equal(sweepThresholds(GSM8K).length, 101);
  });

  test('matches brute force (predict every item at every threshold) on random data', () => {
    const rand = seededRandom(12345);
    const grid = (k: number): number => k / 20;
    const items: ScoredItem[] = [];
    for (let i = 0; i < 600; i++) {
      const n = Math.floor(rand() * 6);
      // Scores on the threshold grid so that ties (score === threshold) happen; some NaN.
      const scores = Array.from({ length: n }, () => (rand() < 0.03 ? Number.NaN : grid(Math.floor(rand() * 21))));
      // Labels up to n + 1: a label past the last score can never match.
      const label = Math.floor(rand() * (n + 2)) - 1;
      items.push({ subset: ['gsm8k', 'math', 'omni'][Math.floor(rand() * 3)]!, label, scores });
    }
    const thresholds = [...Array.from({ length: 21 }, (_, k) => grid(k)), -0.1, 1.1, 0.125, -Infinity, Infinity];
    const points = sweepThresholds(items, thresholds);
    assert.equal(points.length, thresholds.length);
    for (const point of points) {
      const brute = computeMetrics(items.map((it) => ({ subset: it.subset, label: it.label, prediction: firstErrorFromScores(it.scores, point.threshold) })));
      assert.deepEqual(point.report, brute, `threshold ${point.threshold}`);
    }
  });

  test('10,000 items × 101 thresholds is fast', () => {
    const rand = seededRandom(7);
    const items: ScoredItem[] = Array.from({ length: 10_000 }, (_, i) => {
      const scores = Array.from({ length: 12 }, () => rand());
      return { subset: `s${i % 4}`, label: Math.floor(rand() * 13) - 1, scores };
    });
    const started = performance.now();
    const points = sweepThresholds(items);
    assert.equal(points.length, 101);
    assert.ok(performance.now() - started < 1000, `took ${Math.round(performance.now() - started)} ms`);
  });

  test('invalid thresholds and labels are errors', () => {
    assert.throws(() => sweepThresholds(GSM8K, []), /At least one threshold/);
    assert.throws(() => sweepThresholds(GSM8K, [0.5, Number.NaN]), /got NaN/);
    assert.throws(() => sweepThresholds([{ subset: 's', label: 0.5, scores: [1] }]), /Label must be an integer ≥ -1, got 0.5/);
  });
});

describe('calibrateThreshold', () => {
  const thresholds = [0.2, 0.5, 0.6, 0.85];

  test('picks the F1-optimal threshold on the calibration subset (smallest on ties) and applies it to all', () => {
    const c = calibrateThreshold([...GSM8K, ...MATH], 'gsm8k', thresholds);
    // gsm8k has F1 100 at both 0.5 and 0.6: the smaller wins.
    assert.equal(c.calibrationSubset, 'gsm8k');
    assert.equal(c.threshold, 0.5);
    assert.equal(c.report.subsets.gsm8k!.f1, 100);
    // math at 0.5: D, F, G match, E does not → acc_error 50, acc_correct 100 → F1 66.6̅
    assert.deepEqual(c.report.subsets.math, { n_error: 2, n_correct: 2, acc_error: 50, acc_correct: 100, f1: 200 / 3 });
    close(c.report.f1_mean, (100 + 200 / 3) / 2);
    close(c.report.f1_weighted, (100 * 3 + (200 / 3) * 4) / 7);
    assert.deepEqual(Object.keys(c.heldOut.subsets), ['math']);
    close(c.heldOut.f1_mean, 200 / 3);
  });

  test('per-subset optimal thresholds give the upper bound', () => {
    const c = calibrateThreshold([...GSM8K, ...MATH], 'gsm8k', thresholds);
    assert.equal(c.perSubset.gsm8k!.threshold, 0.5);
    // math: everything matches at 0.6 only.
    assert.equal(c.perSubset.math!.threshold, 0.6);
    assert.equal(c.perSubset.math!.metrics.f1, 100);
    assert.equal(c.upperBound.f1_mean, 100);
    assert.equal(c.upperBound.f1_weighted, 100);
  });

  test('a subset with undefined F1 has a null optimal threshold', () => {
    const c = calibrateThreshold([...GSM8K, { subset: 'errors-only', label: 0, scores: [0.1] }], 'gsm8k', thresholds);
    assert.equal(c.perSubset['errors-only']!.threshold, null);
    assert.equal(c.perSubset['errors-only']!.metrics.f1, null);
  });

  test('a missing or uncalibratable subset is an error', () => {
    assert.throws(() => calibrateThreshold(GSM8K, 'math', thresholds), /Calibration subset "math" has no items; subsets present: gsm8k/);
    assert.throws(
      () => calibrateThreshold([{ subset: 'e', label: 0, scores: [0.1] }], 'e', thresholds),
      /Cannot calibrate on "e": its F1 is undefined/,
    );
  });
});
