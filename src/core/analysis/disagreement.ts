import type { CriticResult } from '../critics/types';

/**
 * The one disagreement rule, for the compare report, the step inspector and the dataset list's filter.
 *
 * A solution is disputed when the critics that made a prediction predict different first errors; "no prediction"
 * (and, in a dataset, "not run") abstains.
 *
 * A step is disputed
 * - on the verdict: at least one critic calls it correct and another incorrect ("no verdict" abstains), or
 * - on the first error: the solution is disputed and some critic predicts this step as its first error.
 * So a solution is disputed exactly when one of its steps is disputed on the first error.
 *
 * Verdicts, not the editor's colour bands, decide: a score's verdict is the critic's own (critics/judgement.ts).
 */
export interface StepDisagreement {
  verdict: boolean;
  firstError: boolean;
}

/** Whether the predicted first errors differ (null and undefined abstain). */
export function firstErrorsDiffer(predictions: Iterable<number | null | undefined>): boolean {
  let seen: number | undefined;
  for (const p of predictions) {
    if (p === null || p === undefined) continue;
    if (seen === undefined) seen = p;
    else if (p !== seen) return true;
  }
  return false;
}

/** Per step, whether and why the critics disagree on it. */
export function stepDisagreements(results: readonly CriticResult[], stepCount: number): StepDisagreement[] {
  const solutionDisputed = firstErrorsDiffer(results.map((r) => r.firstError));
  return Array.from({ length: stepCount }, (_, i) => {
    const verdicts = new Set(results.map((r) => r.steps[i]?.verdict));
    return {
      verdict: verdicts.has('correct') && verdicts.has('incorrect'),
      firstError: solutionDisputed && results.some((r) => r.firstError === i),
    };
  });
}

/** The disputed steps' indices, in order. */
export function disputedSteps(results: readonly CriticResult[], stepCount: number): number[] {
  const out: number[] = [];
  stepDisagreements(results, stepCount).forEach((d, i) => {
    if (d.verdict || d.firstError) out.push(i);
  });
  return out;
}
