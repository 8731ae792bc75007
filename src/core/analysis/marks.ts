import { CriticResult, StepJudgement } from '../critics/types';
import { Step } from '../segment/types';

export type StepMarkKind = 'good' | 'uncertain' | 'bad' | 'none';

/**
 * The colour bands of step marks (settings `prmLens.thresholds.good` / `.bad`). Display only: a critic's verdict
 * comes from its own threshold (critics/judgement.ts), never from these.
 */
export interface ScoreThresholds {
  /** A score at or above this is good. */
  good: number;
  /** A score at or below this is bad. */
  bad: number;
}

export const DEFAULT_COLOUR_BANDS: ScoreThresholds = { good: 0.7, bad: 0.3 };

/** One editor decoration: a step's span, its class, and whether it is the predicted first error. */
export interface StepMark {
  stepIndex: number;
  start: number;
  end: number;
  kind: StepMarkKind;
  firstError: boolean;
}

/** Scores decide where a critic gives them; verdict-only critics (the checker, LLM critics) are classed by verdict. */
export function classifyJudgement(judgement: StepJudgement | undefined, thresholds: ScoreThresholds): StepMarkKind {
  if (!judgement) return 'none';
  if (judgement.score !== null) {
    if (judgement.score >= thresholds.good) return 'good';
    if (judgement.score <= thresholds.bad) return 'bad';
    return 'uncertain';
  }
  switch (judgement.verdict) {
    case 'correct':
      return 'good';
    case 'incorrect':
      return 'bad';
    default:
      return 'none';
  }
}

/** Marks for the steps as judged by one critic (the primary one shown in the editor). */
export function computeStepMarks(
  steps: readonly Step[],
  result: CriticResult | undefined,
  thresholds: ScoreThresholds,
): StepMark[] {
  return steps.map((step) => ({
    stepIndex: step.index,
    start: step.start,
    end: step.end,
    kind: classifyJudgement(result?.steps[step.index], thresholds),
    firstError: result?.firstError === step.index,
  }));
}

/** Index of the step whose span contains `offset` (binary search over sorted, disjoint spans), or -1. */
export function stepAt(steps: readonly Step[], offset: number): number {
  let lo = 0;
  let hi = steps.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (offset < steps[mid].start) hi = mid - 1;
    else if (offset > steps[mid].end) lo = mid + 1;
    else return mid;
  }
  return -1;
}
