import type { SectionRange } from '../critics/types';

/** A solution with a ground-truth first-error label (ProcessBench layout). */
export interface DatasetItem {
  id: string;
  subset: string;
  problem: string;
  steps: string[];
  /** 0-based index of the earliest erroneous step, -1 when all steps are correct. */
  label: number;
  finalAnswerCorrect?: boolean | null;
  generator?: string;
  /** Where the record came from (1-based line for JSONL, 0-based array index for JSON). */
  source: { file: string; line?: number; index?: number };
  /** A trace's sections (DeltaBench's own, or the heuristic's over a thinking block), for section-level critics. */
  sections?: SectionRange[];
  /** A trace: how many leading steps are its thinking (the rest its answer), for scoped PRMs. */
  thinkingSteps?: number;
  /** DeltaBench's gold set: the error and unuseful section numbers (1-based, ascending). */
  goldSections?: number[];
}

/** A problem found in input: reported, skipped, never fatal for the other records. */
export interface InputIssue {
  file: string;
  line?: number;
  index?: number;
  field?: string;
  message: string;
}

/** One line of a results JSONL file (written by `prm-lens eval`, read by `prm-lens metrics`). */
export interface ResultRecord {
  id: string;
  subset: string;
  label: number;
  prediction: number | null;
  critic: string;
  /** Each step's score, null for a step the critic did not score; null as a whole when it gave no scores. */
  scores: (number | null)[] | null;
  /** The critic failed on this item (prediction and scores are null): why. A failure is not a miss. */
  error?: string;
  /** A section-level critic's predicted erroneous sections (1-based). */
  sections?: number[];
  /** The item's gold error sections (DeltaBench, 1-based), so metrics need no dataset. */
  gold_sections?: number[];
}
