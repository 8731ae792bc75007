import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { answerKey } from '../../src/core/answers/equivalent';
import { prepareBon } from '../../src/core/bon/prepare';
import { bestOfNReport, bonCurves } from '../../src/core/bon/curves';
import type { BonProblem } from '../../src/core/bon/types';
import { bootstrapReplicates, percentileInterval } from '../../src/core/metrics/bootstrap';
import { seededRandom } from '../../src/core/util/random';

const ANSWERS = ['17', '\\frac{1}{2}', '0.5', '3\\sqrt{2}', '(1, 2)', 'x+1', null];

/** Problems in two subsets; a tenth of the samples lack the `orm` score (they vote and compete only in prm's). */
function problems(seed: number, count: number, samples: number): BonProblem[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, p) => ({
    id: `p${p}`,
    subset: p % 3 === 0 ? 'hard' : 'easy',
    samples: Array.from({ length: samples - (p % 4) }, () => {
      const answer = ANSWERS[Math.floor(random() * ANSWERS.length)];
      const scores: Record<string, number> = { prm: Math.round(random() * 8) / 8 };
      if (random() >= 0.1) scores.orm = random();
      return {
        answer,
        correct: answer === '17' || (p % 5 === 0 && answer === '0.5'),
        scores,
        processError: { label: random() < 0.3 },
      };
    }),
  }));
}

describe('prepareBon and bonCurves', () => {
  test('answer classes are computed once per distinct answer, never when re-aggregating', () => {
    let calls = 0;
    const counting = (answer: string): string => {
      calls += 1;
      return answerKey(answer);
    };
    const prepared = prepareBon(problems(1, 20, 12), { answerKey: counting });
    assert.equal(calls, ANSWERS.length - 1);
    // 0.5 and \frac{1}{2} are one class.
    const p = prepared.problems[0];
    const texts = problems(1, 20, 12)[0].samples.map((s) => s.answer);
    const half = texts.indexOf('0.5');
    const frac = texts.indexOf('\\frac{1}{2}');
    assert.ok(half >= 0 && frac >= 0);
    assert.equal(p.classes[half], p.classes[frac]);
    assert.equal(p.classes[texts.indexOf(null)], -1);
    bonCurves(prepared);
    bonCurves(prepared, { n: [2, 3], slots: 8, scores: ['orm'], baselines: false, ci: { resamples: 20 } });
    assert.equal(calls, ANSWERS.length - 1);
  });

  test('re-aggregating prepared samples gives the report of the whole computation, also for a smaller N', () => {
    const all = problems(2, 30, 12);
    const prepared = prepareBon(all);
    assert.equal(prepared.slots, 12);
    assert.deepEqual(prepared.scoreNames, ['orm', 'prm']);
    assert.deepEqual(prepared.judges, ['label']);
    assert.deepEqual(bonCurves(prepared, { seed: 3 }), bestOfNReport(all, { seed: 3 }));
    assert.deepEqual(bonCurves(prepared, { slots: 7, n: [1, 3, 7] }), bestOfNReport(all, { slots: 7, n: [1, 3, 7] }));
    assert.throws(() => bonCurves(prepared, { slots: 13 }), /N must be an integer in \[1, 12\]/);
    assert.throws(() => prepareBon(all, { slots: 0 }), RangeError);
  });

  test('bootstrap intervals of every point: problems resampled within their subset, seeded', () => {
    const all = problems(4, 24, 10);
    const opts = { n: [1, 4], ci: { resamples: 200, seed: 5 } };
    const report = bonCurves(prepareBon(all), opts);
    assert.deepEqual(bonCurves(prepareBon(all), opts).ci, report.ci);
    // The reference: the project's stratified bootstrap of the mean of each problem's own (exact) value.
    const own = all.map((p) => bestOfNReport([p], { slots: 10, n: [1, 4], baselines: true }).curves);
    const strata = ['easy', 'hard'].map((subset) => all.flatMap((p, i) => (p.subset === subset ? [i] : [])));
    const replicates = bootstrapReplicates(strata, (sample) => sample, { resamples: 200, seed: 5 });
    for (const selector of ['pass', 'random', 'best:prm', 'best:orm']) {
      [0, 1].forEach((j) => {
        const meanOf = (items: number[]) => items.reduce((a, i) => a + own[i][selector][j], 0) / items.length;
        const expected = percentileInterval(replicates.map(meanOf));
        const got = report.ci?.[selector][j];
        assert.ok(expected && got);
        assert.ok(Math.abs(got.lo - expected.lo) < 1e-9 && Math.abs(got.hi - expected.hi) < 1e-9, selector);
        assert.ok(got.lo <= report.curves[selector][j] && report.curves[selector][j] <= got.hi);
      });
    }
    const hard = report.subsets.hard;
    assert.ok(
      hard.ci && hard.ci.majority.length === 2 && hard.ci['weighted:orm'][1].lo <= hard.ci['weighted:orm'][1].hi,
    );
    assert.equal(bonCurves(prepareBon(all), { n: [1] }).ci, undefined);
    assert.throws(() => bonCurves(prepareBon(all), { ci: { resamples: 0 } }), /resamples must be a positive integer/);
  });
});
