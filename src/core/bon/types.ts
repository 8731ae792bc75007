/** One sampled solution of a problem, as best-of-n selection sees it. */
export interface BonSample {
  /** The final answer, or null when the solution states none (never chosen, never voted). */
  answer: string | null;
  /** Whether the final answer is right (from the record's own field, or graded against the gold answer). */
  correct: boolean;
  /** Per-solution scores by name: record fields (`prm_score`) and step-score aggregations (`critic/min`). */
  scores: Record<string, number>;
  /**
   * Whether the solution contains a step judged wrong, by score name (a critic's verdicts or a label); absent when
   * unknown. Used by the "right answer, wrong process" diagnostic.
   */
  processError?: Record<string, boolean>;
  /** Where the lowest step score is, by score name: the final step or an earlier one. */
  lowestStep?: Record<string, 'final' | 'earlier'>;
}

/** Several solutions of one problem. */
export interface BonProblem {
  /** The problem id, or its text when the records have none. */
  id: string;
  subset: string;
  samples: BonSample[];
}
