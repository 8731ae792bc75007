/** Ways to turn a solution's step scores into one score (search-and-learn's min, product and last, plus mean, max). */
export const AGGREGATIONS = ['min', 'product', 'last', 'mean', 'max'] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** The aggregate of non-empty, finite step scores. */
export function aggregate(scores: readonly number[], how: Aggregation): number {
  switch (how) {
    case 'min':
      return Math.min(...scores);
    case 'max':
      return Math.max(...scores);
    case 'last':
      return scores[scores.length - 1];
    case 'mean':
      return scores.reduce((a, b) => a + b, 0) / scores.length;
    default:
      return scores.reduce((a, b) => a * b, 1);
  }
}

/** Where the lowest step score is (the first lowest, when several tie): the final step or an earlier one. */
export function lowestStep(scores: readonly number[]): 'final' | 'earlier' {
  let at = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] < scores[at]) at = i;
  return at === scores.length - 1 ? 'final' : 'earlier';
}

/**
 * A sample's scores from one critic's step scores: `<critic>/<aggregation>` for every aggregation. Scores must be
 * non-empty and finite (the one scalar-scores rule, judgement.ts); others give no score.
 */
export function aggregatedScores(critic: string, steps: readonly number[]): Record<string, number> {
  if (steps.length === 0 || !steps.every(Number.isFinite)) return {};
  return Object.fromEntries(AGGREGATIONS.map((how) => [`${critic}/${how}`, aggregate(steps, how)]));
}
