import type { HumanLabel } from '../protocol/messages';

/** A solution a person labelled step by step in the inspector. */
export interface LabeledSolution {
  problem: string;
  steps: string[];
  labels: (HumanLabel | null)[];
}

/** TRL's stepwise-supervision layout: one row per solution, a boolean per step. */
export interface StepwiseRecord {
  prompt: string;
  completions: string[];
  labels: boolean[];
}

/**
 * Converts human labels to TRL's stepwise layout. The exported steps are the labelled prefix of the solution
 * (labels stop at the first unlabelled step) and end at the first incorrect step: what follows an error has no
 * meaningful label in this layout. `neutralAs` decides what a neutral step becomes (TRL's own PRM800K conversion
 * keeps only rating 1 as true, i.e. neutral → false).
 */
export function toStepwise(
  solution: LabeledSolution,
  neutralAs: boolean,
): { record: StepwiseRecord } | { skipped: string } {
  const completions: string[] = [];
  const labels: boolean[] = [];
  for (let i = 0; i < solution.steps.length; i++) {
    const label = solution.labels[i] ?? null;
    if (label === null) break;
    completions.push(solution.steps[i]);
    labels.push(label === 'correct' ? true : label === 'incorrect' ? false : neutralAs);
    if (label === 'incorrect') break;
  }
  if (completions.length === 0) return { skipped: 'step 1 has no label' };
  return { record: { prompt: solution.problem, completions, labels } };
}
