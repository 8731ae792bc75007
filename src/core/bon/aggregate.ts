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

/**
 * Where the lowest step score is (the first lowest, when several tie; unscored steps, null, are skipped): the
 * solution's final step or an earlier one.
 */
export function lowestStep(scores: readonly (number | null)[]): 'final' | 'earlier' {
  let at = -1;
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (s !== null && (at === -1 || s < scores[at]!)) at = i;
  }
  return at === scores.length - 1 ? 'final' : 'earlier';
}

/**
 * A sample's scores from one critic's step scores: `<critic>/<aggregation>` for every aggregation, over the scored
 * steps (null: a step the critic did not score). Scores must be finite (the one scalar-scores rule, judgement.ts);
 * a solution without a scored step, or with a non-finite score, gets no score.
 */
export function aggregatedScores(critic: string, steps: readonly (number | null)[]): Record<string, number> {
  const scored = steps.filter((s): s is number => s !== null);
  if (scored.length === 0 || !scored.every(Number.isFinite)) return {};
  return Object.fromEntries(AGGREGATIONS.map((how) => [`${critic}/${how}`, aggregate(scored, how)]));
}
