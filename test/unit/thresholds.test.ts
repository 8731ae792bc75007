import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics } from '../../src/core/metrics/metrics';
import { firstErrorAmongScored } from '../../src/core/critics/judgement';
import {
  calibrateThreshold,
  DEFAULT_SWEEP_GRID,
  sweepThresholds,
  thresholdGrid,
} from '../../src/core/metrics/thresholds';
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
      // Scores on the threshold grid so that ties (score === threshold) happen; some NaN, some steps not scored.
      const score = () => (rand() < 0.03 ? Number.NaN : grid(Math.floor(rand() * 21)));
      const scores = Array.from({ length: n }, () => (rand() < 0.15 ? null : score()));
      // Labels up to n + 1: a label past the last score can never match.
      const label = Math.floor(rand() * (n + 2)) - 1;
      items.push({ subset: ['gsm8k', 'math', 'omni'][Math.floor(rand() * 3)]!, label, scores });
    }
    const thresholds = [...Array.from({ length: 21 }, (_, k) => grid(k)), -0.1, 1.1, 0.125, -Infinity, Infinity];
    const points = sweepThresholds(items, thresholds);
    assert.equal(points.length, thresholds.length);
    for (const point of points) {
      const brute = computeMetrics(
        items.map((it) => ({
          subset: it.subset,
          label: it.label,
          prediction: firstErrorAmongScored(it.scores, point.threshold),
        })),
      );
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
    assert.throws(
      () => sweepThresholds([{ subset: 's', label: 0.5, scores: [1] }]),
      /Label must be an integer ≥ -1, got 0.5/,
    );
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
    assert.throws(
      () => calibrateThreshold(GSM8K, 'math', thresholds),
      /Calibration subset "math" has no items; subsets present: gsm8k/,
    );
    assert.throws(
      () => calibrateThreshold([{ subset: 'e', label: 0, scores: [0.1] }], 'e', thresholds),
      /Cannot calibrate on "e": its F1 is undefined/,
    );
  });
});

describe('thresholdGrid', () => {
  // β-scaled implicit-PRM rewards: every score within 0.5 ± 0.01. Erroneous items dip to 0.503 at their label,
  // all-correct ones stay at or above 0.506, so thresholds in [0.503, 0.506) predict every item right.
  const NARROW: ScoredItem[] = [
    { subset: 'gsm8k', label: 1, scores: [0.508, 0.503, 0.509] },
    { subset: 'gsm8k', label: 0, scores: [0.502] },
    { subset: 'gsm8k', label: -1, scores: [0.507, 0.506] },
    { subset: 'gsm8k', label: -1, scores: [0.509] },
  ];

  test('scores packed near 0.5: calibration on the grid beats the 0.5 threshold', () => {
    const at05 = sweepThresholds(NARROW, [0.5])[0].report.subsets.gsm8k.f1;
    assert.equal(at05, 0, 'at 0.5 every step is correct: no error found');
    const coarse = calibrateThreshold(NARROW, 'gsm8k', DEFAULT_SWEEP_GRID);
    assert.equal(coarse.report.subsets.gsm8k.f1, 0, 'the 0.01 grid alone never finds a better threshold');
    const c = calibrateThreshold(NARROW, 'gsm8k', thresholdGrid(NARROW));
    close(c.report.subsets.gsm8k.f1, 100);
    assert.equal(c.threshold, 0.503);
  });

  test('breakpoints are the new prefix minima; the 0…1 grid for probabilities, the range for logits', () => {
    const grid = thresholdGrid([{ subset: 's', label: 0, scores: [0.333, 0.25, 0.777, 0.1234, Number.NaN] }]);
    for (const t of [0.333, 0.25, 0.1234, 0.37]) assert.ok(grid.includes(t), `${t} in the grid`);
    assert.ok(!grid.includes(0.777), 'a score above an earlier one changes no prediction');
    assert.equal(grid.length, 101 + 2, '0.25 is on the 0.01 grid already');
    const logits = thresholdGrid([
      { subset: 's', label: 0, scores: [-3, 2] },
      { subset: 's', label: -1, scores: [5] },
    ]);
    assert.deepEqual([logits[0], logits.at(-1)], [-3, 5]);
    assert.ok(logits.includes(1) && logits.length === 101);
  });

  test('more breakpoints than the cap: quantiles of them, the extremes kept', () => {
    const items: ScoredItem[] = Array.from({ length: 50 }, (_, i) => ({
      subset: 's',
      label: -1,
      scores: [0.5 + i * 1e-4],
    }));
    const grid = thresholdGrid(items, 5);
    const extra = grid.filter((t) => !DEFAULT_SWEEP_GRID.includes(t));
    assert.equal(extra.length, 4, '5 quantiles, one of which (0.5) is on the 0.01 grid');
    assert.ok(extra.includes(0.5 + 49 * 1e-4));
  });
});
