import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bootstrapReplicates,
  compareF1Mean,
  comparePrmScore,
  metricsWithCi,
  pairedBootstrap,
  percentileInterval,
  prmbenchWithCi,
  strataBy,
  type Interval,
  type PairedPrediction,
  type PairedPrmbenchItem,
} from '../../src/core/metrics/bootstrap';
import type { Prediction } from '../../src/core/metrics/metrics';
import type { PrmbenchScored } from '../../src/core/metrics/prmbench';
import { seededRandom } from '../../src/core/util/random';

const contains = (ci: Interval | null, value: number | null): void => {
  assert.ok(ci !== null && value !== null, `interval ${JSON.stringify(ci)} or value ${value} missing`);
  assert.ok(ci.lo <= value + 1e-9 && value <= ci.hi + 1e-9, `${value} outside [${ci.lo}, ${ci.hi}]`);
};

/** Items of two subsets where a critic finds the error with probability `skill` (and keeps correct ones). */
function predictions(n: number, skill: number, seed: number): Prediction[] {
  const random = seededRandom(seed);
  const out: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const subset = i % 2 === 0 ? 'gsm8k' : 'math';
    const label = i % 3 === 0 ? -1 : i % 5;
    const hit = random() < skill;
    out.push({ subset, label, prediction: hit ? label : label === -1 ? 0 : -1 });
  }
  return out;
}

describe('percentileInterval', () => {
  test('interpolates between order statistics; nulls are left out; none defined gives null', () => {
    assert.deepEqual(percentileInterval([5, null, 1, 3, 2, 4], 0.5), { lo: 2, hi: 4 });
    assert.deepEqual(percentileInterval([1, 2], 0.5), { lo: 1.25, hi: 1.75 });
    assert.equal(percentileInterval([null, null]), null);
    assert.equal(percentileInterval([]), null);
  });
});

describe('bootstrapReplicates', () => {
  test('each stratum keeps its size in every resample', () => {
    const strata = [['a', 'a', 'a'], ['b']];
    const counts = bootstrapReplicates(strata, (s) => s.filter((x) => x === 'b').length, { resamples: 50, seed: 3 });
    assert.deepEqual(counts, new Array(50).fill(1));
  });

  test('the same seed gives the same replicates; another seed others', () => {
    const strata = [[1, 2, 3, 4, 5, 6, 7, 8]];
    const sum = (s: number[]) => s.reduce((a, b) => a + b, 0);
    const a = bootstrapReplicates(strata, sum, { resamples: 20, seed: 1 });
    assert.deepEqual(bootstrapReplicates(strata, sum, { resamples: 20, seed: 1 }), a);
    assert.notDeepEqual(bootstrapReplicates(strata, sum, { resamples: 20, seed: 2 }), a);
  });

  test('a resample count that is not a positive integer is refused', () => {
    assert.throws(() => bootstrapReplicates([[1]], () => 0, { resamples: 0 }), /positive integer/);
  });
});

describe('metricsWithCi', () => {
  const records = predictions(300, 0.7, 11);

  test('every interval contains its point estimate and is deterministic for a seed', () => {
    const r = metricsWithCi(records, { resamples: 300, seed: 5 });
    for (const m of Object.values(r.subsets)) {
      contains(m.ci.acc_error, m.acc_error);
      contains(m.ci.acc_correct, m.acc_correct);
      contains(m.ci.f1, m.f1);
    }
    contains(r.ci.f1_mean, r.f1_mean);
    contains(r.ci.f1_weighted, r.f1_weighted);
    assert.ok(r.ci.f1_mean!.hi - r.ci.f1_mean!.lo > 1, 'a noisy critic has a wide interval');
    assert.deepEqual(metricsWithCi(records, { resamples: 300, seed: 5 }), r);
    assert.notDeepEqual(metricsWithCi(records, { resamples: 300, seed: 6 }).ci, r.ci);
  });

  test("the point estimates are computeMetrics' own", () => {
    const r = metricsWithCi(records, { resamples: 10 });
    assert.equal(r.subsets.math.f1, metricsWithCi(records, { resamples: 20 }).subsets.math.f1);
  });

  test('all-equal items give zero-width intervals; an empty group gives null', () => {
    const perfect: Prediction[] = [0, 1, 2, -1].map((label) => ({ subset: 's', label, prediction: label }));
    const onlyErrors: Prediction[] = [{ subset: 'e', label: 2, prediction: 2 }];
    const r = metricsWithCi([...perfect, ...onlyErrors], { resamples: 100 });
    const full = { lo: 100, hi: 100 };
    assert.deepEqual(r.subsets.s.ci, { acc_error: full, acc_correct: full, f1: full });
    assert.deepEqual(r.subsets.e.ci, { acc_error: { lo: 100, hi: 100 }, acc_correct: null, f1: null });
  });

  test('failed items stay out of the resamples as out of the metrics', () => {
    const failed: Prediction[] = [{ subset: 's', label: 0, prediction: null, error: 'timeout' }];
    const perfect: Prediction[] = [0, -1].map((label) => ({ subset: 's', label, prediction: label }));
    const r = metricsWithCi([...perfect, ...failed], { resamples: 50 });
    assert.deepEqual(r.subsets.s.ci.acc_error, { lo: 100, hi: 100 });
  });
});

describe('paired comparisons', () => {
  const pair = (a: Prediction[], b: Prediction[]): PairedPrediction[] =>
    a.map((r, i) => ({ subset: r.subset, label: r.label, a: r.prediction, b: b[i].prediction }));

  test('identical critics: difference 0, p = 1', () => {
    const a = predictions(200, 0.6, 1);
    const d = compareF1Mean(pair(a, a), { resamples: 200, seed: 1 });
    assert.deepEqual(d, { diff: 0, lo: 0, hi: 0, p: 1 });
  });

  test('a clearly better critic: positive difference, interval above 0, small p', () => {
    const d = compareF1Mean(pair(predictions(400, 0.95, 2), predictions(400, 0.4, 3)), { resamples: 500, seed: 1 });
    assert.ok(d !== null && d.diff > 20 && d.lo > 0 && d.p < 0.01, JSON.stringify(d));
    contains(d, d.diff);
  });

  test('critics that trade one hit for one miss: difference 0, a large p', () => {
    const a = predictions(400, 0.7, 4);
    const errors = a.filter((r) => r.subset === 'gsm8k' && r.label !== -1);
    const hit = errors.find((r) => r.prediction === r.label)!;
    const miss = errors.find((r) => r.prediction !== r.label)!;
    const b = a.map((r) => (r === hit ? { ...r, prediction: -1 } : r === miss ? { ...r, prediction: r.label } : r));
    const d = compareF1Mean(pair(a, b), { resamples: 500, seed: 1 });
    assert.ok(d !== null && d.diff === 0 && d.p > 0.5 && d.lo < 0 && d.hi > 0, JSON.stringify(d));
  });

  test('p is twice the smaller tail share of the bootstrap differences', () => {
    // Strata of one item each never change: every replicate equals the point difference.
    const d = pairedBootstrap([[1], [2]], (s) => s.length - 1.5, { resamples: 10 });
    assert.deepEqual(d, { diff: 0.5, lo: 0.5, hi: 0.5, p: 0 });
    assert.equal(
      pairedBootstrap([[1]], () => null),
      null,
    );
  });
});

describe('PRMScore intervals', () => {
  const random = seededRandom(9);
  const items: PrmbenchScored[] = Array.from({ length: 120 }, (_, i) => {
    const correct = [true, true, i % 2 === 0, false];
    const scores = correct.map((c) => (c ? 0.6 : 0.3) + random() * 0.4 - 0.2);
    return { category: i % 3 === 0 ? 'circular' : 'deception', correct, scores };
  });

  test('intervals contain the PRMScores; deterministic for a seed', () => {
    const r = prmbenchWithCi(items, 0.5, { resamples: 200, seed: 2 });
    for (const m of [...Object.values(r.categories), r.overall]) {
      contains(m.ci.prmscore, m.prmscore);
      contains(m.ci.f1, m.f1);
      contains(m.ci.negative_f1, m.negative_f1);
    }
    assert.deepEqual(prmbenchWithCi(items, 0.5, { resamples: 200, seed: 2 }), r);
  });

  test('identical solutions: zero width; an undefined PRMScore: null interval', () => {
    const one = { category: 'x', correct: [true, true, false], scores: [0.9, 0.2, 0.1] };
    const same = Array.from({ length: 5 }, () => one);
    const onlyCorrect = [{ category: 'correct', correct: [true], scores: [0.9] }];
    const r = prmbenchWithCi([...same, ...onlyCorrect], 0.5, { resamples: 50 });
    assert.ok(Math.abs(r.categories.x.prmscore! - 200 / 3) < 1e-9);
    assert.deepEqual(r.categories.x.ci.prmscore, { lo: r.categories.x.prmscore!, hi: r.categories.x.prmscore! });
    assert.equal(r.categories.correct.ci.prmscore, null);
  });

  test('paired: identical scores give p = 1; better scores a small p', () => {
    const paired = (b: (s: readonly number[], c: readonly boolean[]) => number[]): PairedPrmbenchItem[] =>
      items.map((i) => ({ category: i.category, correct: i.correct, a: i.scores, b: b(i.scores, i.correct) }));
    assert.equal(
      comparePrmScore(
        paired((s) => [...s]),
        0.5,
        { resamples: 100 },
      )?.p,
      1,
    );
    const worse = comparePrmScore(
      paired((_, c) => c.map((ok) => (ok ? 0.4 : 0.7))),
      0.5,
      { resamples: 200 },
    );
    assert.ok(worse !== null && worse.diff > 0 && worse.p < 0.01, JSON.stringify(worse));
  });
});

test('strataBy groups in first-seen order', () => {
  assert.deepEqual(
    strataBy(['b1', 'a1', 'b2'], (s) => s[0]),
    [['b1', 'b2'], ['a1']],
  );
});
