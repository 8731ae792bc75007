import { checkClaims, type CheckOptions } from './check-step';
import { CHECK_LIMITS, NotChecked, characters } from './limits';
import type { StepCheck } from './types';

/**
 * Checks the arithmetic a step asserts (checkClaims) in bounded time, memory and stack: a step, a problem or an
 * expression beyond CHECK_LIMITS gets verdict unknown with a reason starting "not checked: ".
 */
export function checkStep(text: string, options: CheckOptions = {}): StepCheck {
  const { stepChars, problemChars } = CHECK_LIMITS;
  try {
    if (text.length > stepChars) throw new NotChecked(tooLong('step', text.length, stepChars));
    const problem = options.problem?.length ?? 0;
    if (problem > problemChars) throw new NotChecked(tooLong('problem', problem, problemChars));
    return checkClaims(text, options);
  } catch (e) {
    if (e instanceof NotChecked) return { verdict: 'unknown', reason: `not checked: ${e.message}`, claims: [] };
    throw e;
  }
}

function tooLong(what: string, length: number, max: number): string {
  return `the ${what} is ${characters(length)} long; the checker reads up to ${characters(max)}`;
}
