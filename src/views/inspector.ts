import type { Analysis } from '../core/analysis/analyze';
import { disputedSteps } from '../core/analysis/disagreement';
import { classifyJudgement, type ScoreThresholds } from '../core/analysis/marks';
import { scalarScores } from '../core/critics/judgement';
import type { Aggregates, HumanLabel, InspectorCritic, InspectorModel, ItemContext } from '../protocol/messages';

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
          ? { score: j.score, verdict: j.verdict, ...(j.reason ? { reason: j.reason } : {}), kind: classifyJudgement(j, thresholds) }
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
  };
}
