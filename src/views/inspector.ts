import type { Analysis } from '../core/analysis/analyze';
import { disputedSteps } from '../core/analysis/disagreement';
import { classifyJudgement, type ScoreThresholds } from '../core/analysis/marks';
import { scalarScores } from '../core/critics/judgement';
import type { CriticResult } from '../core/critics/types';
import type {
  Aggregates,
  HumanLabel,
  InspectorCritic,
  InspectorModel,
  InspectorSection,
  InspectorTrace,
  ItemContext,
} from '../protocol/messages';

/** Solution scores from step scores, as PRM papers aggregate them; undefined without scores. */
export function aggregateScores(scores: readonly number[]): Aggregates | undefined {
  if (scores.length === 0) return undefined;
  let min = Infinity;
  let product = 1;
  let sum = 0;
  for (const s of scores) {
    min = Math.min(min, s);
    product *= s;
    sum += s;
  }
  return { min, product, last: scores[scores.length - 1], mean: sum / scores.length };
}

export interface InspectorInput {
  uri: string;
  title: string;
  analysis: Analysis;
  thresholds: ScoreThresholds;
  labels: readonly { id: string; label?: string }[];
  humanLabels: readonly (HumanLabel | null)[];
  item?: ItemContext;
}

/** The inspector's view of an analysis: per critic and step the score, verdict, class and reason, plus aggregates. */
export function buildInspectorModel(input: InspectorInput): InspectorModel {
  const { analysis, thresholds } = input;
  const steps = analysis.segmentation.steps;
  const labelOf = (id: string) => input.labels.find((c) => c.id === id)?.label ?? id;
  const critics: InspectorCritic[] = analysis.results.map((r) => {
    const scores = scalarScores(r, steps.length);
    const aggregates = scores && aggregateScores(scores);
    return {
      id: r.criticId,
      label: labelOf(r.criticId),
      scalar: scores !== null,
      firstError: r.firstError,
      steps: steps.map((_, i) => {
        const j = r.steps[i];
        return j
          ? {
              score: j.score,
              verdict: j.verdict,
              ...(j.reason ? { reason: j.reason } : {}),
              kind: classifyJudgement(j, thresholds),
            }
          : { score: null, verdict: 'unknown' as const, kind: 'none' as const };
      }),
      ...(aggregates ? { aggregates } : {}),
      ...(r.rationale ? { rationale: r.rationale } : {}),
      ...(r.raw ? { raw: r.raw } : {}),
      durationMs: r.timing.durationMs,
    };
  });
  return {
    uri: input.uri,
    title: input.title,
    problem: analysis.document.problem,
    steps: steps.map((s) => ({ index: s.index, text: s.text })),
    critics,
    failures: analysis.failures,
    disagreements: disputedSteps(analysis.results, steps.length),
    ...(input.item ? { item: input.item } : {}),
    humanLabels: steps.map((_, i) => input.humanLabels[i] ?? null),
    availableCritics: input.labels.map((c) => ({ id: c.id, label: c.label ?? c.id })),
    segmentation: `${analysis.segmentation.strategy} (${analysis.segmentation.reason})`,
    ...(analysis.trace ? { trace: inspectorTrace(analysis) } : {}),
  };
}

/**
 * Each thinking section judged by the first critic (`result`): its worst score and a verdict (incorrect when any
 * step is, correct when all are). The editor's section markers and the inspector's groups both show these.
 */
export function sectionSummaries(
  analysis: Analysis,
  result: CriticResult | undefined = analysis.results[0],
): InspectorSection[] {
  return (analysis.trace?.sections ?? []).map(({ index, kind, firstStep, lastStep }) => {
    const judged = result ? result.steps.slice(firstStep, lastStep + 1) : [];
    const scores = judged.map((j) => j.score).filter((x): x is number => x !== null && Number.isFinite(x));
    const worstScore = scores.length > 0 ? Math.min(...scores) : null;
    const verdict = judged.some((j) => j.verdict === 'incorrect')
      ? 'incorrect'
      : judged.length === lastStep - firstStep + 1 && judged.every((j) => j.verdict === 'correct')
        ? 'correct'
        : 'unknown';
    return { index, kind, firstStep, lastStep, worstScore, verdict };
  });
}

function inspectorTrace(analysis: Analysis): InspectorTrace {
  const steps = analysis.segmentation.steps;
  const answer = analysis.trace?.parts.find((p) => p.kind === 'answer');
  const found = answer ? steps.findIndex((s) => s.start >= answer.start) : -1;
  const answerFrom = found < 0 ? steps.length : found;
  const result = analysis.results[0];
  const incorrect = (i: number) => result?.steps[i]?.verdict === 'incorrect';
  const firstIn = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (incorrect(i)) return i;
    return null;
  };
  const scores = result && scalarScores(result, steps.length);
  const trajectory = steps.map((_, i) => {
    if (scores) return scores[i];
    const verdict = result?.steps[i]?.verdict;
    return verdict === 'correct' ? 1 : verdict === 'incorrect' ? 0 : null;
  });
  return {
    sections: sectionSummaries(analysis, result),
    answerFrom,
    firstErrorThinking: firstIn(0, answerFrom),
    firstErrorAnswer: firstIn(answerFrom, steps.length),
    trajectory,
  };
}
