import { parseFirstError } from './boxed';

/**
 * How a critic's \boxed{} answer is read. "processbench" is the benchmark's rule exactly (so accuracies are
 * comparable with its tables); "lenient" also reads `\boxed{\text{3}}`, `\boxed{$3$}`, `\boxed{−1}`, nested braces.
 */
export type AnswerParsing = 'processbench' | 'lenient';

/** The vote of several critiques on the earliest error. */
export interface VotedAnswer {
  /** -1…stepCount-1, or null: no prediction (a miss). */
  index: number | null;
  /** Why there is no prediction. */
  why?: string;
  /** The first sample that gave the winning answer (its critique is shown), or -1. */
  chosen: number;
  /** Samples that gave the winning answer. */
  count: number;
  /** Samples that only the lenient rule reads as a paragraph number (the benchmark's rule would miss them). */
  lenientOnly: number;
}

/** ProcessBench's extract_answer: every match of `\\boxed\{([^}]*)\}`, the LAST one, stripped as Python's strip(). */
export function processBenchExtract(text: string): string | undefined {
  const matches = Array.from(text.matchAll(/\\boxed\{([^}]*)\}/g), (m) => m[1]);
  return matches.length === 0 ? undefined : pyStrip(matches[matches.length - 1]);
}

// Python's str.isspace() set (str.strip() and int() trim these; JavaScript's \s differs: \x1c-\x1f, \ufeff).
const PY_SPACE = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');
// int(): optional sign, decimal digits (any Unicode Nd), single underscores between digits.
const PY_INT = /^([+-]?)(\p{Nd}+(?:_\p{Nd}+)*)$/u;

function pyStrip(s: string): string {
  return s.replace(STRIP, '');
}

/** Python's int(s) for a str, or undefined where it raises (or the value is not a safe integer). */
export function pythonInt(s: string): number | undefined {
  const m = PY_INT.exec(pyStrip(s));
  if (!m) return undefined;
  let digits = '';
  for (const ch of m[2]) if (ch !== '_') digits += String(digitValue(ch));
  const n = Number(`${m[1]}${digits}`);
  if (!Number.isSafeInteger(n)) return undefined;
  return n === 0 ? 0 : n; // int("-0") is 0: Python has no negative zero
}

const ND = /^\p{Nd}$/u;

/** Unicode decimal digits come in runs of ten from zero: the value is the offset from the run's start, mod 10. */
function digitValue(ch: string): number {
  const cp = ch.codePointAt(0) ?? 0;
  let start = cp;
  while (start > 0 && ND.test(String.fromCodePoint(start - 1))) start -= 1;
  return (cp - start) % 10;
}

/**
 * The benchmark's vote: the most common RAW extracted string over the samples with a \boxed{} (ties: the one seen
 * first, as Counter.most_common), THEN int() — so "3" and " 3.0" are different votes and a winning non-integer is a
 * miss. Samples without a \boxed{} do not vote (the reference drops None before counting).
 */
function processBenchVote(texts: readonly string[], stepCount: number): Omit<VotedAnswer, 'lenientOnly'> {
  const extracted = texts.map(processBenchExtract);
  const counts = new Map<string, number>();
  for (const e of extracted) if (e !== undefined) counts.set(e, (counts.get(e) ?? 0) + 1);
  let winner: string | undefined;
  for (const [e, c] of counts) if (winner === undefined || c > (counts.get(winner) ?? 0)) winner = e;
  if (winner === undefined) return { index: null, why: 'no \\boxed{} answer in the critique', chosen: -1, count: 0 };
  const chosen = extracted.indexOf(winner);
  const count = counts.get(winner) ?? 0;
  const n = pythonInt(winner);
  if (n === undefined)
    return { index: null, why: `the answer \\boxed{${winner.slice(0, 40)}} is not an integer`, chosen, count };
  if (n < -1 || n >= stepCount)
    return { index: null, why: `the answer ${n} is outside -1…${stepCount - 1}`, chosen, count };
  return { index: n, chosen, count };
}

/** Majority of the leniently parsed answers (ties: the answer seen first); unparsed ones abstain. */
function lenientVote(texts: readonly string[], stepCount: number): Omit<VotedAnswer, 'lenientOnly'> {
  const answers = texts.map((t) => parseFirstError(t, stepCount));
  const counts = new Map<number, number>();
  for (const a of answers) if (a.index !== null) counts.set(a.index, (counts.get(a.index) ?? 0) + 1);
  let winner: number | null = null;
  for (const [index, count] of counts) if (winner === null || count > (counts.get(winner) ?? 0)) winner = index;
  if (winner === null) {
    const why = answers.map((a) => (a.index === null ? a.why : '')).find(Boolean) ?? 'no answer';
    return { index: null, why, chosen: -1, count: 0 };
  }
  return { index: winner, chosen: answers.findIndex((a) => a.index === winner), count: counts.get(winner) ?? 0 };
}

/** One sample's answer under the benchmark's rule, or undefined: what the lenient-only count compares against. */
function strictIndex(text: string, stepCount: number): number | undefined {
  const e = processBenchExtract(text);
  const n = e === undefined ? undefined : pythonInt(e);
  return n !== undefined && n >= -1 && n < stepCount ? n : undefined;
}

export function voteFirstError(texts: readonly string[], stepCount: number, rule: AnswerParsing): VotedAnswer {
  const voted = rule === 'processbench' ? processBenchVote(texts, stepCount) : lenientVote(texts, stepCount);
  const lenientOnly = texts.filter(
    (t) => strictIndex(t, stepCount) === undefined && parseFirstError(t, stepCount).index !== null,
  ).length;
  return { ...voted, lenientOnly };
}
