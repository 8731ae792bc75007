import type { CriticInput, CriticResult, StepJudgement } from './types';

/**
 * Which part of a trace a PRM scores (`scope` of `onnx`, `vllm-pooling` and `chat-prm` critics). PRMs trained on
 * short solutions are meant for the answer after the thinking; `all` (the default) scores every step as before the
 * setting existed. A plain solution (no thinking) is all answer, so `answer` and `all` score the same there and
 * `thinking` scores nothing; a DeltaBench record is all thinking, so there `answer` scores nothing.
 */
export type PrmScope = 'answer' | 'thinking' | 'all';

/** Global indices of the steps a PRM of `scope` scores, the thinking being the first `thinkingSteps` steps. */
export function stepsInScope(stepCount: number, thinkingSteps: number | undefined, scope: PrmScope): number[] {
  const thinking = Math.min(Math.max(thinkingSteps ?? 0, 0), stepCount);
  const [from, to] = scope === 'all' ? [0, stepCount] : scope === 'thinking' ? [0, thinking] : [thinking, stepCount];
  return Array.from({ length: to - from }, (_, i) => from + i);
}

export function outsideScopeReason(scope: PrmScope): string {
  return `outside the critic's scope (${scope})`;
}

/** A step left unscored by design (outside its critic's scope), not one the critic never reached or failed on. */
export function isOutsideScope(step: Pick<StepJudgement, 'score' | 'reason'>): boolean {
  return (
    step.score === null &&
    (step.reason === outsideScopeReason('answer') || step.reason === outsideScopeReason('thinking'))
  );
}

/**
 * How a scoped PRM scores: the model is given the problem and the in-scope steps only, so each in-scope step's score
 * is exactly what the model gives that text in that input; the steps outside the scope are not sent and get no
 * score (unknown, "outside the critic's scope (…)"). `score` gets that input and the global index of each of its
 * steps (for messages). The predicted first error is the first in-scope step judged incorrect, -1 when none is;
 * when no step is in scope nothing is sent and there is no prediction (null), with the rationale saying why.
 */
export async function scoreInScope(
  criticId: string,
  input: CriticInput,
  scope: PrmScope,
  score: (input: CriticInput, positions: readonly number[]) => Promise<CriticResult>,
): Promise<CriticResult> {
  const n = input.steps.length;
  const positions = stepsInScope(n, input.thinkingSteps, scope);
  if (positions.length === n) return score(input, positions);
  if (positions.length === 0) return nothingInScope(criticId, n, scope);
  const { problem, signal } = input;
  const inner = await score({ problem, steps: positions.map((i) => input.steps[i]), signal }, positions);
  const first = positions[0] + 1;
  const last = positions[positions.length - 1] + 1;
  const note = `Scope "${scope}": only steps ${first}–${last} of ${n} were sent to the model; the others are not scored.`;
  const spread = spreadResult(inner, positions, n, scope);
  return { ...spread, rationale: inner.rationale ? `${note} ${inner.rationale}` : note };
}

/**
 * A stored scoped result with its verdicts made again (a cache hit under a new threshold): `rejudge` sees the
 * in-scope steps only, as the model scored them, so the first error is the first in-scope one again.
 */
export function rejudgeInScope(
  result: CriticResult,
  input: Pick<CriticInput, 'steps' | 'thinkingSteps'>,
  scope: PrmScope,
  rejudge: (result: CriticResult) => CriticResult,
): CriticResult {
  const n = input.steps.length;
  const positions = stepsInScope(n, input.thinkingSteps, scope);
  if (positions.length === n) return rejudge(result);
  if (positions.length === 0) return result;
  const narrowed: CriticResult = { ...result, steps: positions.map((i) => result.steps[i]) };
  return spreadResult(rejudge(narrowed), positions, n, scope);
}

/** A result on the in-scope steps laid over all `n` steps; its first error mapped back to a global index. */
function spreadResult(inner: CriticResult, positions: readonly number[], n: number, scope: PrmScope): CriticResult {
  const steps: StepJudgement[] = Array.from({ length: n }, () => outside(scope));
  positions.forEach((global, k) => (steps[global] = inner.steps[k]));
  const firstError = inner.firstError === null ? null : inner.firstError < 0 ? -1 : positions[inner.firstError];
  return { ...inner, steps, firstError };
}

function outside(scope: PrmScope): StepJudgement {
  return { score: null, verdict: 'unknown', reason: outsideScopeReason(scope) };
}

function nothingInScope(criticId: string, n: number, scope: PrmScope): CriticResult {
  // Only a part scope can leave nothing: "thinking" on a plain solution, "answer" on a trace that is all thinking.
  const why =
    scope === 'thinking' ? 'this solution has no thinking part' : 'this trace has no answer after its thinking';
  return {
    criticId,
    steps: Array.from({ length: n }, () => outside(scope)),
    firstError: null,
    rationale: `Nothing scored: the critic's scope is "${scope}" and ${why}.`,
    timing: { startedAt: Date.now(), durationMs: 0 },
  };
}
