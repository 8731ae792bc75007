import type { Verdict } from './types';

const VERDICTS: readonly Verdict[] = ['correct', 'incorrect', 'unknown'];

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v: unknown) => JSON.stringify(v) ?? String(v);

/** Why an optional field is not a string, or undefined when it is one or absent. */
function optionalString(r: Fields, field: string, where = ''): string | undefined {
  return r[field] === undefined || typeof r[field] === 'string' ? undefined : `${where}${field} is not a string`;
}

function stepProblem(step: unknown, i: number): string | undefined {
  if (!isObject(step)) return `steps[${i}] is not an object`;
  const { score, verdict } = step;
  if (score !== null && !(typeof score === 'number' && Number.isFinite(score) && score >= 0 && score <= 1)) {
    return `steps[${i}].score is ${show(score)}, not a number in [0, 1] or null`;
  }
  if (!VERDICTS.includes(verdict as Verdict)) return `steps[${i}].verdict is ${show(verdict)}`;
  return optionalString(step, 'reason', `steps[${i}].`);
}

function usageProblem(usage: unknown): string | undefined {
  if (usage === undefined) return undefined;
  if (!isObject(usage)) return 'usage is not an object';
  for (const field of ['promptTokens', 'completionTokens', 'requests']) {
    const n = usage[field];
    if (n !== undefined && !(Number.isSafeInteger(n) && (n as number) >= 0)) return `usage.${field} is ${show(n)}`;
  }
  return undefined;
}

/**
 * Why a stored value is not a critic's result on a solution of `stepCount` steps, or undefined when it is one:
 * every field of CriticResult is checked, so a damaged or hand-edited entry (`firstError: 1.5`, a score of 2, one
 * step too many) is recomputed instead of breaking every later run that reads it.
 */
export function criticResultProblem(value: unknown, stepCount: number): string | undefined {
  if (!isObject(value)) return 'not an object';
  if (typeof value.criticId !== 'string') return 'criticId is not a string';
  const { steps, firstError, timing } = value;
  if (!Array.isArray(steps)) return 'steps is not a list';
  if (steps.length !== stepCount) return `${steps.length} step judgements for ${stepCount} steps`;
  for (let i = 0; i < steps.length; i++) {
    const problem = stepProblem(steps[i], i);
    if (problem) return problem;
  }
  if (
    firstError !== null &&
    !(Number.isInteger(firstError) && (firstError as number) >= -1 && (firstError as number) < stepCount)
  ) {
    return `firstError is ${show(firstError)}, not a step index in [-1, ${stepCount}) or null`;
  }
  if (
    !isObject(timing) ||
    !Number.isFinite(timing.startedAt) ||
    !(Number.isFinite(timing.durationMs) && (timing.durationMs as number) >= 0)
  ) {
    return 'timing is not {startedAt, durationMs}';
  }
  return optionalString(value, 'rationale') ?? optionalString(value, 'raw') ?? usageProblem(value.usage);
}
