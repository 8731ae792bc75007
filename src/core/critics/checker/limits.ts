/**
 * The sizes the checker reads. Past them a step gets no verdict ("not checked: …") instead of unbounded time,
 * memory or stack: the checker runs on the extension host's thread, and the parser and every walk over an
 * expression tree recurse. Real steps are far below them (the longest step of ProcessBench-style sets is ~2,600
 * characters; written-out expressions nest a few levels).
 */
export const CHECK_LIMITS = {
  /** Characters (UTF-16 code units) of one step. */
  stepChars: 10_000,
  /** Characters of the problem, whose wording is read along with every step. */
  problemChars: 100_000,
  /** Symbols of one side of an equality: bounds the depth of its tree (a long sum is a left-deep tree). */
  operandItems: 1_000,
  /** Nested brackets, signs, powers and roots in one expression: bounds the parser's recursion. */
  nesting: 100,
};

/** Thrown where a limit is passed; the step's verdict is unknown with the reason "not checked: <message>". */
export class NotChecked extends Error {}

export function characters(n: number): string {
  return `${n.toLocaleString('en-US')} character${n === 1 ? '' : 's'}`;
}
