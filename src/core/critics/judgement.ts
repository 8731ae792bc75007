import { isOutsideScope } from './scope';
import type { CriticResult, StepJudgement, Verdict } from './types';

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
 * The predicted first error from step scores where null marks a step the critic did not score (outside its scope,
 * past a cut input, after a greedy stop): a null step is not judged, so this is the first SCORED step whose score is
 * not correct under the rule above, -1 when every scored step passes, null when no step was scored. Re-thresholding
 * saved results (metrics, calibration, the sweep) decides with this.
 */
export function firstErrorAmongScored(scores: readonly (number | null)[], threshold: number): number | null {
  let scored = false;
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i];
    if (score === null) continue;
    if (!isCorrectScore(score, threshold)) return i;
    scored = true;
  }
  return scored ? -1 : null;
}

/**
 * Verdicts and the predicted first error of a scalar critic (a PRM) from its step scores, by the rule above. A step
 * without a score (null) gets no verdict; one before the first error leaves the solution unpredicted (null), since
 * that step might have been the error.
 */
export function judgeScores(
  scores: readonly (number | null)[],
  threshold: number,
  reasons: readonly (string | undefined)[] = [],
): { steps: StepJudgement[]; firstError: number | null } {
  const steps: StepJudgement[] = scores.map((score, i) => {
    const verdict = verdictOfScore(score, threshold);
    return reasons[i] ? { score, verdict, reason: reasons[i] } : { score, verdict };
  });
  const firstMissing = scores.indexOf(null);
  const known = firstMissing === -1 ? (scores as number[]) : (scores.slice(0, firstMissing) as number[]);
  const first = firstErrorFromScores(known, threshold);
  if (first !== -1) return { steps, firstError: first };
  return { steps, firstError: firstMissing === -1 ? -1 : null };
}

/**
 * The one "scalar scores" rule: a result has scalar scores when it scored EVERY step of the solution with a finite
 * number (a PRM). Verdict-only critics, partial scores and non-finite values give null. The inspector's aggregates
 * read scores through this; results lines keep partial scores too (recordedScores).
 */
export function scalarScores(
  result: Pick<CriticResult, 'steps'>,
  stepCount: number = result.steps.length,
): number[] | null {
  if (stepCount === 0 || result.steps.length !== stepCount) return null;
  const scores: number[] = [];
  for (const s of result.steps) {
    if (s.score === null || !Number.isFinite(s.score)) return null;
    scores.push(s.score);
  }
  return scores;
}

/**
 * A result's step scores as a results line keeps them: each step's score, null for a step outside the critic's
 * scope. Null as a whole when no step has a score (a verdict-only critic, or a PRM that scored nothing), when a score
 * is not finite (JSON would write NaN as null, and a null entry must only ever mean "outside the scope"), or when an
 * in-scope step has no score — an input cut at maxTokens, a greedy protocol that stopped: those steps are unknown,
 * not passed, so re-thresholding must keep the critic's own prediction rather than read them as correct.
 */
export function recordedScores(
  result: Pick<CriticResult, 'steps'>,
  stepCount: number = result.steps.length,
): (number | null)[] | null {
  if (stepCount === 0 || result.steps.length !== stepCount) return null;
  const scores = result.steps.map((s) => s.score);
  if (scores.every((s) => s === null) || scores.some((s) => s !== null && !Number.isFinite(s))) return null;
  if (result.steps.some((s) => s.score === null && !isOutsideScope(s))) return null;
  return scores;
}
