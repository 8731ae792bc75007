import type { CriticResult, Verdict } from './types';

/**
 * The one verdict rule for scalar step scores: a step is correct when its score is STRICTLY ABOVE the threshold.
 * Upstream evaluation code takes an argmax over two labels, so a tie is an error; NaN is never correct. Every
 * critic, the CLI, the threshold sweep, calibration and every view use this rule.
 */
export function isCorrectScore(score: number, threshold: number): boolean {
  return score > threshold;
}

/** The verdict of a step score (null: no score, no verdict). */
export function verdictOfScore(score: number | null, threshold: number): Verdict {
  if (score === null) return 'unknown';
  return isCorrectScore(score, threshold) ? 'correct' : 'incorrect';
}

/** The first step whose score is not correct under the rule above, or -1 when every step passes. */
export function firstErrorFromScores(scores: readonly number[], threshold: number): number {
  for (let i = 0; i < scores.length; i++) {
    if (!isCorrectScore(scores[i], threshold)) return i;
  }
  return -1;
}

/**
 * The one "scalar scores" rule: a result has scalar scores when it scored EVERY step of the solution with a finite
 * number (a PRM). Verdict-only critics, partial scores and non-finite values give null. Results files, the dataset
 * view, the sweep and the inspector's aggregates all read scores through this.
 */
export function scalarScores(result: Pick<CriticResult, 'steps'>, stepCount: number = result.steps.length): number[] | null {
  if (stepCount === 0 || result.steps.length !== stepCount) return null;
  const scores: number[] = [];
  for (const s of result.steps) {
    if (s.score === null || !Number.isFinite(s.score)) return null;
    scores.push(s.score);
  }
  return scores;
}
