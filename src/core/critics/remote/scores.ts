import { firstErrorFromScores } from '../../metrics/thresholds';
import { StepJudgement } from '../types';

/**
 * Verdicts from scalar step scores: correct when the score is above `threshold` (ProcessBench's rule). The first
 * error is the first step at or below it; a step without a score before that leaves the solution unpredicted.
 */
export function judgeScores(scores: readonly (number | null)[], threshold: number, reasons: readonly (string | undefined)[] = []): { steps: StepJudgement[]; firstError: number | null } {
  const steps: StepJudgement[] = scores.map((score, i) => {
    const verdict = score === null ? 'unknown' : score > threshold ? 'correct' : 'incorrect';
    return reasons[i] ? { score, verdict, reason: reasons[i] } : { score, verdict };
  });
  const firstMissing = scores.indexOf(null);
  const known = firstMissing === -1 ? (scores as number[]) : (scores.slice(0, firstMissing) as number[]);
  const first = firstErrorFromScores(known, threshold);
  if (first !== -1) return { steps, firstError: first };
  return { steps, firstError: firstMissing === -1 ? -1 : null };
}
