import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { computeMetrics, groupByCritic, type Prediction } from '../../src/core/metrics/metrics';
import { formatMetricsTable, formatPercent } from '../../src/core/metrics/format';
import type { ResultRecord } from '../../src/core/datasets/types';
import type { SubsetMetrics } from '../../src/core/metrics/types';

const close = (actual: number | null, expected: number): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
};

/** Records of one subset from [label, prediction] pairs. */
const subset = (name: string, pairs: [number, number | null][]): Prediction[] =>
  pairs.map(([label, prediction]) => ({ subset: name, label, prediction }));

describe('computeMetrics', () => {
  test('exact matches only; null is a miss; F1 is the harmonic mean of the two accuracies', () => {
    const report = computeMetrics(
      subset('s', [
        [0, 0],
        [1, 2],
        [2, 2],
        [1, null],
        [-1, -1],
        [-1, 0],
        [-1, null],
      ]),
    );
    const s = report.subsets.s!;
    assert.equal(s.n_error, 4);
    assert.equal(s.n_correct, 3);
    assert.equal(s.acc_error, 50);
    close(s.acc_correct, 100 / 3);
    // 2·50·33.3̅ / 83.3̅ = 40
    close(s.f1, 40);
    close(report.f1_mean, 40);
    close(report.f1_weighted, 40);
  });

  test('no erroneous cases: acc_error and F1 are null, and the subset is left out of both averages', () => {
    const report = computeMetrics([
      ...subset('only-correct', [[-1, -1]]),
      ...subset('mixed', [
        [0, 0],
        [-1, 0],
      ]),
    ]);
    assert.deepEqual(report.subsets['only-correct'], {
      n_error: 0,
      n_correct: 1,
      acc_error: null,
      acc_correct: 100,
      f1: null,
    });
    assert.equal(report.subsets.mixed!.f1, 0);
    assert.equal(report.f1_mean, 0);
    assert.equal(report.f1_weighted, 0);
  });

  test('no all-correct cases: acc_correct and F1 are null; no defined F1 at all gives null averages', () => {
    const report = computeMetrics(
      subset('e', [
        [1, 1],
        [0, 1],
      ]),
    );
    assert.deepEqual(report.subsets.e, { n_error: 2, n_correct: 0, acc_error: 50, acc_correct: null, f1: null });
    assert.equal(report.f1_mean, null);
    assert.equal(report.f1_weighted, null);
  });

  test('all wrong gives F1 0 (not NaN)', () => {
    const s = computeMetrics(
      subset('w', [
        [0, 1],
        [2, -1],
        [-1, 0],
        [-1, null],
      ]),
    ).subsets.w!;
    assert.deepEqual(s, { n_error: 2, n_correct: 2, acc_error: 0, acc_correct: 0, f1: 0 });
  });

  test('a constant prediction of -1 scores F1 0 on a mixed subset', () => {
    const s = computeMetrics(
      subset('c', [
        [0, -1],
        [3, -1],
        [-1, -1],
        [-1, -1],
      ]),
    ).subsets.c!;
    assert.deepEqual(s, { n_error: 2, n_correct: 2, acc_error: 0, acc_correct: 100, f1: 0 });
  });

  test('f1_mean and f1_weighted differ on unequal subsets; subsets come out sorted by name', () => {
    const report = computeMetrics([
      // c: no all-correct case → F1 null, ignored by both averages.
      ...subset('c', [[0, 0]]),
      // b: 8 cases, acc_error 2/4 = 50, acc_correct 1/4 = 25 → F1 = 2·50·25/75 = 33.3̅
      ...subset('b', [
        [0, 0],
        [1, 1],
        [2, 0],
        [0, null],
        [-1, -1],
        [-1, 0],
        [-1, 1],
        [-1, null],
      ]),
      // a: 2 cases, both matched → F1 100
      ...subset('a', [
        [0, 0],
        [-1, -1],
      ]),
    ]);
    assert.deepEqual(Object.keys(report.subsets), ['a', 'b', 'c']);
    close(report.subsets.b!.f1, 100 / 3);
    close(report.f1_mean, (100 + 100 / 3) / 2); // 66.6̅
    close(report.f1_weighted, (100 * 2 + (100 / 3) * 8) / 10); // 46.6̅
  });

  test('an empty input gives an empty report', () => {
    // Subsets are kept in an object without a prototype (see subsetTable).
    assert.deepEqual(computeMetrics([]), { subsets: Object.create(null), f1_mean: null, f1_weighted: null });
  });

  test('a label below -1 is an error', () => {
    assert.throws(() => computeMetrics(subset('x', [[-2, 0]])), /Label must be an integer ≥ -1, got -2 \(subset "x"\)/);
  });
});

describe('groupByCritic', () => {
  test('groups in first-seen order', () => {
    const r = (id: string, critic: string): ResultRecord => ({
      id,
      subset: 's',
      label: 0,
      prediction: 0,
      critic,
      scores: null,
    });
    const groups = groupByCritic([r('1', 'b'), r('2', 'a'), r('3', 'b')]);
    assert.deepEqual([...groups.keys()], ['b', 'a']);
    assert.deepEqual(
      groups.get('b')!.map((x) => x.id),
      ['1', '3'],
    );
  });
});

describe('formatMetricsTable', () => {
  test('an aligned table with one decimal and "—" for undefined values', () => {
    const gsm8k: SubsetMetrics = { n_error: 2, n_correct: 1, acc_error: 50, acc_correct: 100, f1: 200 / 3 };
    const x: SubsetMetrics = { n_error: 12, n_correct: 0, acc_error: 8.25, acc_correct: null, f1: null };
    const table = formatMetricsTable({ subsets: { gsm8k, x }, f1_mean: 200 / 3, f1_weighted: 66.65 });
    assert.equal(
      table,
      [
        'subset                       n_error  n_correct  acc_error  acc_correct    F1',
        '---------------------------  -------  ---------  ---------  -----------  ----',
        'gsm8k                              2          1       50.0        100.0  66.7',
        'x                                 12          0        8.3            —     —',
        'average (mean of subset F1)                                              66.7',
        'average (weighted by size)                                               66.7',
      ].join('\n'),
    );
  });

  test('formatPercent', () => {
    assert.equal(formatPercent(null), '—');
    assert.equal(formatPercent(0), '0.0');
    assert.equal(formatPercent(99.96), '100.0');
  });
});
