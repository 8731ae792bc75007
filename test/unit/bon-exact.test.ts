import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { avoidRatios, bestOfN, passAtN, randomPick, rank } from '../../src/core/bon/exact';
import { forEachSubset, voteCurves, binomialAtMost, standardError, type VoteTable } from '../../src/core/bon/vote';
import { seededRandom } from '../../src/core/util/random';

/** A test sample: score null = no answer (never chosen); cls = its answer class for voting. */
interface S {
  score: number | null;
  correct: boolean;
  cls: number;
}

/** Every n-subset of N slots, slots past the samples empty: the average of f over them (the definition). */
function bruteAverage(samples: readonly S[], slots: number, n: number, f: (chosen: S[]) => number): number {
  let sum = 0;
  let count = 0;
  forEachSubset(slots, n, (subset) => {
    const chosen = [...subset].filter((i) => i < samples.length && samples[i].score !== null).map((i) => samples[i]);
    sum += f(chosen);
    count += 1;
  });
  return sum / count;
}

/** The highest score wins; tied samples split the win evenly. */
function bestPick(chosen: S[]): number {
  if (chosen.length === 0) return 0;
  const top = Math.max(...chosen.map((s) => s.score as number));
  const tied = chosen.filter((s) => s.score === top);
  return tied.filter((s) => s.correct).length / tied.length;
}

/** The answer class with most votes (or summed scores) wins; tied classes split evenly; a class is right by share. */
function votePick(weighted: boolean) {
  return (chosen: S[]): number => {
    const tally = new Map<number, { w: number; right: number; n: number }>();
    for (const s of chosen) {
      const t = tally.get(s.cls) ?? { w: 0, right: 0, n: 0 };
      [t.w, t.right, t.n] = [t.w + (weighted ? (s.score as number) : 1), t.right + (s.correct ? 1 : 0), t.n + 1];
      tally.set(s.cls, t);
    }
    if (tally.size === 0) return 0;
    const top = Math.max(...[...tally.values()].map((t) => t.w));
    const tied = [...tally.values()].filter((t) => t.w === top);
    return tied.reduce((a, t) => a + t.right / t.n, 0) / tied.length;
  };
}

/** Random small problems with many ties, answerless samples and padding. */
function cases(seed: number, count: number): { samples: S[]; slots: number }[] {
  const random = seededRandom(seed);
  const out: { samples: S[]; slots: number }[] = [];
  for (let c = 0; c < count; c++) {
    const size = 1 + Math.floor(random() * 7);
    const samples = Array.from({ length: size }, () => ({
      score: random() < 0.2 ? null : Math.floor(random() * 4) / 4,
      correct: random() < 0.4,
      cls: Math.floor(random() * 3),
    }));
    out.push({ samples, slots: size + Math.floor(random() * 3) });
  }
  return out;
}

/** Ranked samples (no answer: a NaN score); with `values`, each sample's value is its class (to average the pick's). */
function ranked(samples: readonly S[], values = false) {
  const scores = Float64Array.from(samples, (s) => s.score ?? NaN);
  const correct = Uint8Array.from(samples, (s) => (s.correct ? 1 : 0));
  return values
    ? rank(
        scores,
        correct,
        Float64Array.from(samples, (s) => s.cls),
        1,
      )
    : rank(scores, correct);
}

describe('best-of-n exact expectations equal the average over every n-subset', () => {
  test('best-of-n, with ties split evenly, padding slots and answerless samples never chosen', () => {
    for (const { samples, slots } of cases(1, 150)) {
      for (let n = 1; n <= slots; n++) {
        const expected = bruteAverage(samples, slots, n, bestPick);
        const exact = bestOfN(ranked(samples), avoidRatios(slots, n))[0];
        assert.ok(Math.abs(exact - expected) < 1e-12, `${JSON.stringify(samples)} N=${slots} n=${n}`);
      }
    }
  });

  test("the expectation of the pick's values (the process diagnostics)", () => {
    for (const { samples, slots } of cases(6, 100)) {
      for (let n = 1; n <= slots; n++) {
        const expected = bruteAverage(samples, slots, n, (chosen) => {
          if (chosen.length === 0) return 0;
          const top = Math.max(...chosen.map((s) => s.score as number));
          const tied = chosen.filter((s) => s.score === top);
          return tied.reduce((a, s) => a + s.cls, 0) / tied.length;
        });
        const exact = bestOfN(ranked(samples, true), avoidRatios(slots, n))[1];
        assert.ok(Math.abs(exact - expected) < 1e-12, `${JSON.stringify(samples)} N=${slots} n=${n}`);
      }
    }
  });

  test('pass@n and random choice', () => {
    for (const { samples, slots } of cases(2, 150)) {
      for (let n = 1; n <= slots; n++) {
        const ratio = avoidRatios(slots, n);
        const pass = bruteAverage(samples, slots, n, (chosen) => (chosen.some((s) => s.correct) ? 1 : 0));
        const share = (chosen: S[]) => (chosen.length ? chosen.filter((s) => s.correct).length / chosen.length : 0);
        const random = bruteAverage(samples, slots, n, share);
        assert.ok(Math.abs(passAtN(ranked(samples), ratio) - pass) < 1e-12);
        assert.ok(Math.abs(randomPick(ranked(samples), ratio) - random) < 1e-12);
      }
    }
  });

  test('a tie at the top is split evenly, not won by the first sample', () => {
    const r = rank(Float64Array.of(0.9, 0.9, 0.1), Uint8Array.of(1, 0, 1));
    assert.equal(bestOfN(r, avoidRatios(3, 3))[0], 0.5);
    // N = 4 pads one empty slot: at n = 1 a quarter of the draws pick nothing.
    assert.ok(Math.abs(bestOfN(r, avoidRatios(4, 1))[0] - 0.5) < 1e-12);
    assert.ok(Math.abs(randomPick(r, avoidRatios(4, 1)) - 0.5) < 1e-12);
  });

  test('the ratios stay finite for PRM800K-sized N (1,860 slots)', () => {
    const ratio = avoidRatios(1860, 930);
    assert.ok(ratio.every((v) => Number.isFinite(v) && v >= 0 && v <= 1));
    assert.equal(ratio[1860 - 930 + 1], 0);
    // C(1859, 930)/C(1860, 930) = (1860 − 930)/1860.
    assert.ok(Math.abs(ratio[1] - 0.5) < 1e-12);
  });
});

describe('voting', () => {
  /** Plain majority (weight 1) and weighted by score, as selectors 0 and 1 of one table. */
  const toVote = (samples: readonly S[]): VoteTable => ({
    classes: Int32Array.from(samples, (s) => (s.score === null ? -1 : s.cls)),
    correct: Uint8Array.from(samples, (s) => (s.correct ? 1 : 0)),
    weights: Float64Array.from(samples.flatMap((s) => (s.score === null ? [NaN, NaN] : [1, s.score]))),
    classCount: 3,
  });
  const mean = (values: Float64Array) => values.reduce((a, b) => a + b, 0) / values.length;

  test('exact (enumerated) majority and weighted votes on shared subsets equal the brute-force average', () => {
    for (const { samples, slots } of cases(3, 80)) {
      const ns = Array.from({ length: slots }, (_, i) => i + 1);
      const curves = voteCurves([toVote(samples)], slots, ns, { selectors: 2, trials: 1000, seed: 1 });
      ns.forEach((n, j) => {
        const [plain, weighted] = curves[j];
        assert.ok(plain.exact && weighted.exact);
        assert.ok(Math.abs(plain.perProblem[0] - bruteAverage(samples, slots, n, votePick(false))) < 1e-12);
        assert.ok(Math.abs(weighted.perProblem[0] - bruteAverage(samples, slots, n, votePick(true))) < 1e-12);
      });
    }
  });

  test('sampled votes estimate the exact value within a few standard errors', () => {
    const problems = cases(4, 40).map(({ samples }) => ({ samples, slots: 12 }));
    const [[plain, weighted]] = voteCurves(
      problems.map((p) => toVote(p.samples)),
      12,
      [5],
      { selectors: 2, trials: 400, seed: 7 },
    );
    assert.ok(!weighted.exact && weighted.trialMeans.length === 400);
    for (const [e, weigh] of [
      [plain, false],
      [weighted, true],
    ] as const) {
      const exact = problems.reduce((a, p) => a + bruteAverage(p.samples, 12, 5, votePick(weigh)), 0) / problems.length;
      const estimate = mean(e.perProblem);
      assert.ok(Math.abs(mean(e.trialMeans) - estimate) < 1e-12);
      assert.ok(Math.abs(estimate - exact) < 4 * standardError(e.trialMeans), `${estimate} vs ${exact}`);
    }
  });

  test('sampling stops early once the standard error is small enough, never before 20 trials', () => {
    const voters = cases(5, 30).map(({ samples }) => toVote(samples));
    const opts = { selectors: 2, trials: 150, seed: 3 }; // C(10, 4) = 210 subsets: sampled
    const [[all]] = voteCurves(voters, 10, [4], opts);
    const [[early]] = voteCurves(voters, 10, [4], { ...opts, targetStandardError: 0.02 });
    const [[tight]] = voteCurves(voters, 10, [4], { ...opts, targetStandardError: 1e-9 });
    assert.equal(all.trialMeans.length, 150);
    assert.equal(tight.trialMeans.length, 150);
    assert.ok(early.trialMeans.length >= 20 && early.trialMeans.length < 150, String(early.trialMeans.length));
    assert.ok(standardError(early.trialMeans) <= 0.02);
  });

  /** Selectors: plain majority, weighted by score, and weighted by score among the samples scoring ≥ 0.5 only. */
  const threeWay = (samples: readonly S[]): VoteTable => ({
    classes: Int32Array.from(samples, (s) => (s.score === null ? -1 : s.cls)),
    correct: Uint8Array.from(samples, (s) => (s.correct ? 1 : 0)),
    weights: Float64Array.from(
      samples.flatMap((s) => (s.score === null ? [NaN, NaN, NaN] : [1, s.score, s.score >= 0.5 ? s.score : NaN])),
    ),
    classCount: 3,
  });
  const brute3 = (samples: readonly S[], slots: number, n: number): number[] => [
    bruteAverage(samples, slots, n, votePick(false)),
    bruteAverage(samples, slots, n, votePick(true)),
    bruteAverage(samples, slots, n, (chosen) => votePick(true)(chosen.filter((s) => (s.score as number) >= 0.5))),
  ];

  test('votes sampled for every n from one random order per trial match the exact values within their errors', () => {
    const problems = cases(8, 30);
    const ns = Array.from({ length: 10 }, (_, i) => i + 1);
    const exact = ns.map((n) => {
      const perProblem = problems.map((p) => brute3(p.samples, 10, n));
      return [0, 1, 2].map((v) => perProblem.reduce((a, values) => a + values[v], 0) / problems.length);
    });
    let squares = 0;
    let sampled = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const tables = problems.map((p) => threeWay(p.samples));
      const curves = voteCurves(tables, 10, ns, { selectors: 3, trials: 100, seed });
      ns.forEach((n, j) =>
        curves[j].forEach((e, v) => {
          const estimate = mean(e.perProblem);
          // C(10, n) ≤ 100 subsets (n = 1, 2, 8, 9, 10) are enumerated.
          assert.equal(e.exact, binomialAtMost(10, n, 100), `n=${n}`);
          if (e.exact) return assert.ok(Math.abs(estimate - exact[j][v]) < 1e-12, `n=${n} v=${v}`);
          const se = standardError(e.trialMeans);
          assert.ok(se > 0 && Math.abs(estimate - exact[j][v]) < 4 * se, `seed ${seed} n=${n} v=${v}`);
          squares += ((estimate - exact[j][v]) / se) ** 2;
          sampled += 1;
        }),
      );
    }
    // The standard errors are honest: the squared z-scores average about 1 (neither too small nor inflated).
    assert.ok(squares / sampled > 0.3 && squares / sampled < 3, String(squares / sampled));
  });

  test('closed forms: voters all right, all wrong or of one answer are exact without enumerating subsets', () => {
    const random = seededRandom(9);
    const problem = (kind: 'right' | 'wrong' | 'one'): S[] =>
      Array.from({ length: 9 }, () => ({
        score: random() < 0.2 ? null : Math.floor(random() * 4) / 4,
        correct: kind === 'right' || (kind === 'one' && random() < 0.5),
        cls: kind === 'one' ? 1 : Math.floor(random() * 3),
      }));
    const problems = [problem('right'), problem('wrong'), problem('one'), problem('one')];
    const curves = voteCurves(problems.map(threeWay), 12, [5, 7], { selectors: 3, trials: 50, seed: 1 });
    [5, 7].forEach((n, j) => {
      assert.ok(!binomialAtMost(12, n, 50));
      problems.forEach((samples, i) => {
        const exact = brute3(samples, 12, n);
        curves[j].forEach((e, v) => {
          assert.ok(e.exact && e.trialMeans.length === 0);
          assert.ok(Math.abs(e.perProblem[i] - exact[v]) < 1e-12, `n=${n} problem ${i} v=${v}`);
        });
      });
    });
  });

  test('binomialAtMost decides without overflow', () => {
    assert.ok(binomialAtMost(10, 3, 120) && !binomialAtMost(10, 3, 119));
    assert.ok(!binomialAtMost(1860, 930, 1e300));
  });
});
