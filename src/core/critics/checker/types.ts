import { Verdict } from '../types';
import { Match } from './compare';

/** One equality the step asserts ("12 × 7 = 84"), as checked. */
export interface ClaimCheck {
  /** UTF-16 offsets of the claim (left side through right side) within the step text. */
  start: number;
  end: number;
  /** The claim as written. */
  text: string;
  /** The side that was computed, normalized ("12 × 7"). */
  expression: string;
  /** The other side, normalized: usually the number the step asserts ("74"). */
  asserted: string;
  /** The asserted side's value, formatted like the text writes numbers. */
  assertedValue: string;
  /** The computed side's value, formatted like the text writes numbers. */
  computed: string;
  ok: boolean;
  /**
   * How a passing claim held: `running` is "5 + 3 = 8 × 2 = 16", where "= 8" is the claim; `congruent` is equality
   * modulo the modulus of a modular-arithmetic problem. Absent on failures.
   */
  match?: Match | 'running' | 'congruent';
  /** Why a failing claim is wrong, e.g. "12 × 7 = 74, but 12 × 7 = 84". */
  reason?: string;
}

export interface StepCheck {
  verdict: Verdict;
  reason?: string;
  claims: ClaimCheck[];
}
