/**
 * The conversation layout of RLHFlow-style chat PRMs, shared by the remote `chat-prm` critic and the local
 * `chat-tag-token` family: one user turn per step, the first one holding the problem too.
 */

/** The first user turn: the problem, a blank line, then step 0 (as ../shared/docs/prm-conventions.md describes). */
export const DEFAULT_FIRST_USER = '{problem}\n\n{step}';

/** Why a first-turn template cannot be used, or undefined when it can. */
export function firstUserProblem(template: unknown): string | undefined {
  if (typeof template !== 'string' || !template.includes('{problem}') || !template.includes('{step}')) {
    return `must be a string containing {problem} and {step}; got ${JSON.stringify(template)}`;
  }
  return undefined;
}
