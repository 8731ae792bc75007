/** The verdict pattern of openai-critic's verifier mode (remote/verifier.ts): its default and its check. */

/** ThinkPRM's "The step is \\boxed{correct}" / "\\boxed{incorrect}". */
export const DEFAULT_VERDICT_PATTERN = '\\\\boxed\\{\\s*(correct|incorrect)\\s*\\}';

/** Why a verdict pattern cannot be used, or undefined. */
export function verdictPatternProblem(pattern: unknown): string | undefined {
  if (typeof pattern !== 'string') return undefined;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    return `is not a valid regular expression: ${(err as Error).message}`;
  }
  // The capture groups: an added empty alternative matches "" and reports how many groups the pattern has.
  const groups = new RegExp(`${re.source}|`).exec('')?.length ?? 1;
  return groups < 2 ? 'must have a capture group around the verdict word' : undefined;
}
