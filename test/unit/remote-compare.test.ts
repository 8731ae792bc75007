import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentFile } from '../../src/core/analysis/analyze';
import { CriticResult, StepJudgement, Verdict } from '../../src/core/critics/types';
import { comparisonMarkdown } from '../../src/core/analysis/compareReport';
import { disputedSteps, firstErrorsDiffer, stepDisagreements } from '../../src/core/analysis/disagreement';
import { pairwiseAgreement } from '../../src/core/metrics/agreement';

function result(
  criticId: string,
  verdicts: Verdict[],
  firstError: number | null,
  extra: Partial<CriticResult> = {},
): CriticResult {
  return {
    criticId,
    steps: verdicts.map((verdict, i): StepJudgement => ({ score: null, verdict, reason: `${criticId} on step ${i}` })),
    firstError,
    timing: { startedAt: 0, durationMs: 1234.4 },
    ...extra,
  };
}

describe('comparing critics', () => {
  test('disagreements: opposite verdicts, and a first error some critics name while others predict otherwise', () => {
    const a = result('a', ['correct', 'incorrect', 'unknown'], 1);
    const b = result('b', ['correct', 'correct', 'incorrect'], 2);
    const c = result('c', ['correct', 'unknown', 'unknown'], null);
    assert.deepEqual(stepDisagreements([a, b, c], 3), [
      { verdict: false, firstError: false },
      { verdict: true, firstError: true },
      { verdict: false, firstError: true },
    ]);
    // "no verdict" and "no prediction" abstain: agreeing critics plus an abstaining one do not disagree.
    assert.deepEqual(stepDisagreements([a, result('d', ['correct', 'incorrect', 'correct'], 1), c], 3), [
      { verdict: false, firstError: false },
      { verdict: false, firstError: false },
      { verdict: false, firstError: false },
    ]);
  });

  test('a solution is disputed when predicted first errors differ, and then so is each step a critic predicts', () => {
    assert.equal(firstErrorsDiffer([1, 2]), true);
    assert.equal(firstErrorsDiffer([-1, 2]), true);
    assert.equal(firstErrorsDiffer([2, 2, null, undefined]), false, 'no prediction and not run abstain');
    assert.equal(firstErrorsDiffer([null]), false);
    const a = result('a', ['correct', 'correct', 'incorrect'], 2);
    const b = result('b', ['correct', 'correct', 'correct'], -1);
    assert.deepEqual(disputedSteps([a, b], 3), [2]);
    assert.deepEqual(disputedSteps([a, result('c', ['correct', 'unknown', 'unknown'], null)], 3), []);
  });

  test('the markdown report marks contested steps, shows usage, failures and critiques, and escapes model text', () => {
    const text = '# Problem\n\nWhat is 12 × 7?\n\n## Solution\n\nTwelve sevens.\n\n12 × 7 = 74.\n\nSo 74.';
    const { document, segmentation } = segmentFile(text, { strategy: 'paragraphs' });
    const judge = result('judge', ['correct', 'incorrect', 'unknown'], 1, {
      rationale: 'Paragraph 1: *wrong* <b>84</b>',
      usage: { promptTokens: 300, completionTokens: 40, requests: 1 },
    });
    const prm = result('prm', ['correct', 'correct', 'incorrect'], 2);
    prm.steps = prm.steps.map((s, i) => ({ ...s, score: [0.9, 0.8, 0.1][i] }));
    const md = comparisonMarkdown(
      {
        document,
        segmentation,
        results: [judge, prm],
        failures: [{ criticId: 'gpt', message: 'rejected the API key (401)' }],
      },
      'slip.md',
      { isCached: (r) => r.criticId === 'prm' },
    );
    assert.match(md, /^# PRM Lens: critics compared on slip\.md/);
    assert.match(md, /\| judge \| first error: step 2 \| 1234 ms \| 300 \+ 40 \| 1 \|/);
    assert.match(md, /\| prm \| first error: step 3 \| cached \| — \| — \|/);
    assert.match(md, /\| gpt \| failed: rejected the API key \\\(401\\\) \|/);
    assert.match(
      md,
      /⚠ The critics disagree on the first error:\*\* judge: first error: step 2; prm: first error: step 3/,
    );
    assert.match(md, /\| 1 \| ✓ \| ✓ 0\.90 \| {2}\| Twelve sevens\. \|/);
    assert.match(md, /\| 2 \| ✗ ⚑ \| ✓ 0\.80 \| ⚠ verdict, first error \|/);
    assert.match(md, /\| 3 \| · \| ✗ 0\.10 ⚑ \| ⚠ first error \|/);
    assert.match(md, /### ⚠ Step 2 \(⚠ verdict, first error\)/);
    assert.doesNotMatch(md, /### ⚠ Step 1 /);
    assert.match(md, /## Critiques\n\n### judge\n\n```text\nParagraph 1: \*wrong\* <b>84<\/b>\n```/);
  });

  test("pairwise agreement over shared items, with Cohen's kappa", () => {
    const rec = (critic: string, id: string, prediction: number | null) => ({
      id,
      subset: 's',
      label: 0,
      prediction,
      critic,
      scores: null,
    });
    const records = [
      ...[0, 0, 1, 1].map((p, i) => rec('a', `q${i}`, p)),
      ...[0, 1, 1, 1].map((p, i) => rec('b', `q${i}`, p)),
      rec('b', 'only-b', 3),
      ...[null, null].map((p, i) => rec('c', `q${i}`, p)),
    ];
    const [ab, ac, bc] = pairwiseAgreement(records);
    assert.deepEqual([ab.a, ab.b, ab.n, ab.agreement], ['a', 'b', 4, 75]);
    assert.ok(Math.abs((ab.kappa ?? NaN) - 0.5) < 1e-12);
    assert.deepEqual([ac.n, ac.agreement, ac.kappa], [2, 0, 0]);
    assert.deepEqual([bc.a, bc.b, bc.n], ['b', 'c', 2]);
  });
});
