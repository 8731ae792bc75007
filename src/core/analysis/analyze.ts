import { Critic, CriticResult, CancelledError } from '../critics/types';
import { segment } from '../segment/segment';
import { splitProblem } from '../segment/document';
import { Segmentation, SegmentOptions, SolutionDocument } from '../segment/types';

export interface CriticFailure {
  criticId: string;
  message: string;
}

/** A solution file judged by one or more critics: what the editor shows and `prm-lens score` prints. */
export interface Analysis {
  document: SolutionDocument;
  segmentation: Segmentation;
  results: CriticResult[];
  failures: CriticFailure[];
}

/** Splits a plain solution file into problem and steps (offsets are into `text`). */
export function segmentFile(text: string, options: SegmentOptions): { document: SolutionDocument; segmentation: Segmentation } {
  const document = splitProblem(text);
  return { document, segmentation: segment(document.solution, options, document.solutionStart) };
}

/**
 * Runs the critics concurrently on the same steps. One critic failing does not lose the others' results;
 * cancellation rejects with CancelledError.
 */
export async function judgeSteps(
  critics: readonly Critic[],
  problem: string,
  steps: readonly string[],
  signal?: AbortSignal,
): Promise<{ results: CriticResult[]; failures: CriticFailure[] }> {
  const settled = await Promise.allSettled(critics.map((critic) => critic.score({ problem, steps, signal })));
  if (signal?.aborted) throw new CancelledError();
  const results: CriticResult[] = [];
  const failures: CriticFailure[] = [];
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') results.push(outcome.value);
    else failures.push({ criticId: critics[i].id, message: outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason) });
  });
  return { results, failures };
}

export async function analyzeText(text: string, options: SegmentOptions, critics: readonly Critic[], signal?: AbortSignal): Promise<Analysis> {
  const { document, segmentation } = segmentFile(text, options);
  const { results, failures } = await judgeSteps(critics, document.problem, segmentation.steps.map((s) => s.text), signal);
  return { document, segmentation, results, failures };
}
