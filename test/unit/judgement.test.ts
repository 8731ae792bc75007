import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  firstErrorFromScores,
  isCorrectScore,
  judgeScores,
  scalarScores,
  verdictOfScore,
} from '../../src/core/critics/judgement';
import type { StepJudgement } from '../../src/core/critics/types';

// The one verdict rule and the one scalar-scores rule; the critics, the sweep and the views are tested against them
// where they use them (onnx-runner, remote, thresholds, webview-inspector).

describe('the verdict rule', () => {
  test('a step is correct only when its score is strictly above the threshold; a tie and NaN are errors', () => {
    assert.equal(isCorrectScore(0.51, 0.5), true);
    assert.equal(isCorrectScore(0.5, 0.5), false);
    assert.equal(isCorrectScore(Number.NaN, 0), false);
    assert.deepEqual(
      [0.7, 0.5, null].map((s) => verdictOfScore(s, 0.5)),
      ['correct', 'incorrect', 'unknown'],
    );
  });

  test('first error: the first step that is not correct, -1 when every step is', () => {
    assert.equal(firstErrorFromScores([0.9, 0.5, 0.2], 0.5), 1);
    assert.equal(firstErrorFromScores([0.9, 0.6], 0.5), -1);
    assert.equal(firstErrorFromScores([0.4, 0.9], 0.5), 0);
    assert.equal(firstErrorFromScores([], 0.5), -1);
    assert.equal(firstErrorFromScores([0.9, Number.NaN], 0), 1);
  });

  test('scalar critics: verdicts per step; a missing score before any error leaves no prediction', () => {
    assert.equal(judgeScores([0.9, 0.8, 0.2], 0.5).firstError, 2);
    assert.equal(judgeScores([0.9, 0.5], 0.5).firstError, 1);
    assert.equal(judgeScores([0.9, 0.8], 0.5).firstError, -1);
    assert.equal(judgeScores([0.9, null, 0.1], 0.5).firstError, null);
    assert.equal(judgeScores([0.1, null], 0.5).firstError, 0);
    assert.deepEqual(judgeScores([0.9, null], 0.5, ['fine', undefined]).steps, [
      { score: 0.9, verdict: 'correct', reason: 'fine' },
      { score: null, verdict: 'unknown' },
    ]);
  });
});

describe('the scalar-scores rule', () => {
  const steps = (...scores: (number | null)[]): { steps: StepJudgement[] } => ({
    steps: scores.map((score) => ({ score, verdict: 'unknown' })),
  });

  test('a result has scalar scores only when every step of the solution has a finite score', () => {
    assert.deepEqual(scalarScores(steps(0.9, 0.2), 2), [0.9, 0.2]);
    assert.equal(scalarScores(steps(null, 0.2), 2), null, 'a verdict-only step');
    assert.equal(scalarScores(steps(0.9), 2), null, 'a missing step');
    assert.equal(scalarScores(steps(Number.NaN)), null);
    assert.equal(scalarScores(steps(), 0), null, 'no steps');
  });
});
