import { Critic, CriticResult, CancelledError, type SectionRange } from '../critics/types';
import { segment } from '../segment/segment';
import { Segmentation, SegmentOptions, SolutionDocument } from '../segment/types';
import { segmentTraceFile } from '../trace/trace';
import type { TracePart, TraceSection } from '../trace/types';
import { errorMessage } from '../util/errors';

export interface CriticFailure {
  criticId: string;
  message: string;
  /** The run was cancelled before this critic finished (not an error of the critic). */
  cancelled?: boolean;
}

/** A solution file judged by one or more critics: what the editor shows and `prm-lens score` prints. */
export interface Analysis {
  document: SolutionDocument;
  segmentation: Segmentation;
  /** Present only for a trace file (one with a thinking part): its parts and the thinking's sections. */
  trace?: TraceOutline;
  results: CriticResult[];
  failures: CriticFailure[];
  /** The run was cancelled: `results` holds the critics that had finished, the others are cancelled failures. */
  cancelled?: boolean;
}

export interface JudgeOptions {
  /**
   * On cancellation, resolve with the critics that had finished (the others as cancelled failures) instead of
   * rejecting; it still rejects with CancelledError when none had.
   */
  keepFinished?: boolean;
  /** The trace's sections, for section-level critics (CriticInput.sections). */
  sections?: readonly SectionRange[];
  /** How many leading steps are the trace's thinking, for scoped PRMs (CriticInput.thinkingSteps). */
  thinkingSteps?: number;
}

/**
 * What critics are told about a trace besides its steps: its sections and how many of its steps are thinking
 * (nothing for a plain solution). The one path by which the editor, `prm-lens score` and the re-scoring of one
 * critic give critics a trace's shape.
 */
export function traceContext(
  trace: TraceOutline | undefined,
  steps: readonly { start: number; end: number }[],
): Pick<JudgeOptions, 'sections' | 'thinkingSteps'> {
  const thinking = trace?.parts.find((p) => p.kind === 'thinking');
  if (!trace || !thinking) return {};
  // Thinking steps come first (segmentTrace); the tags are in no step.
  const thinkingSteps = steps.filter((s) => s.start >= thinking.start && s.end <= thinking.end).length;
  const sections = trace.sections.map(({ firstStep, lastStep }) => ({ firstStep, lastStep }));
  return { ...(sections.length > 0 ? { sections } : {}), ...(thinkingSteps > 0 ? { thinkingSteps } : {}) };
}

/** A trace file's thinking and answer parts and the thinking's sections (offsets into the file, UTF-16). */
export interface TraceOutline {
  parts: TracePart[];
  sections: TraceSection[];
}

/**
 * Splits a solution file into problem and steps (offsets are into `text`). A trace file (one with a thinking
 * block) is segmented by segmentTraceFile, so its steps are thinking paragraphs then answer steps, tags in none;
 * a plain file gets segment()'s steps and no `trace`.
 */
export function segmentFile(
  text: string,
  options: SegmentOptions,
): { document: SolutionDocument; segmentation: Segmentation; trace?: TraceOutline } {
  const { document, trace } = segmentTraceFile(text, options);
  if (!trace.parts.some((p) => p.kind === 'thinking')) {
    return { document, segmentation: segment(document.solution, options, document.solutionStart) };
  }
  const steps = trace.steps.map(({ index, start, end, text: stepText }) => ({ index, start, end, text: stepText }));
  const segmentation = { strategy: trace.strategy, requested: trace.requested, reason: trace.reason, steps };
  return { document, segmentation, trace: { parts: trace.parts, sections: trace.sections } };
}

/**
 * Runs the critics concurrently on the same steps. One critic failing does not lose the others' results;
 * cancellation rejects with CancelledError (see JudgeOptions.keepFinished).
 */
export async function judgeSteps(
  critics: readonly Critic[],
  problem: string,
  steps: readonly string[],
  signal?: AbortSignal,
  options: JudgeOptions = {},
): Promise<{ results: CriticResult[]; failures: CriticFailure[]; cancelled?: boolean }> {
  const { sections, thinkingSteps } = options;
  const shape = { ...(sections ? { sections } : {}), ...(thinkingSteps ? { thinkingSteps } : {}) };
  const settled = await Promise.allSettled(critics.map((critic) => critic.score({ problem, steps, signal, ...shape })));
  const cancelled = signal?.aborted === true;
  if (cancelled && !(options.keepFinished && settled.some((o) => o.status === 'fulfilled'))) throw new CancelledError();
  const results: CriticResult[] = [];
  const failures: CriticFailure[] = [];
  settled.forEach((outcome, i) => {
    if (outcome.status === 'fulfilled') results.push(outcome.value);
    else if (cancelled && isCancellation(outcome.reason))
      failures.push({ criticId: critics[i].id, message: 'cancelled before it finished', cancelled: true });
    else failures.push({ criticId: critics[i].id, message: errorMessage(outcome.reason) });
  });
  return cancelled ? { results, failures, cancelled } : { results, failures };
}

function isCancellation(reason: unknown): boolean {
  return reason instanceof CancelledError || (reason instanceof Error && reason.name === 'AbortError');
}

export async function analyzeText(
  text: string,
  options: SegmentOptions,
  critics: readonly Critic[],
  signal?: AbortSignal,
  judge: JudgeOptions = {},
): Promise<Analysis> {
  const { document, segmentation, trace } = segmentFile(text, options);
  const judged = await judgeSteps(
    critics,
    document.problem,
    segmentation.steps.map((s) => s.text),
    signal,
    { ...judge, ...traceContext(trace, segmentation.steps) },
  );
  return trace ? { document, segmentation, trace, ...judged } : { document, segmentation, ...judged };
}
