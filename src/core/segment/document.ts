import { isBlank, splitLines, tighten, type Line } from './lines';
import type { SolutionDocument } from './types';

/**
 * Splits a plain .md/.txt solution file into its problem and its solution.
 *
 * Convention:
 * - After optional blank lines and an optional `# Title` line, a file may start with a problem heading:
 *   `Problem:`, `**Problem:**` (or `**Problem**:`), or a Markdown heading `# Problem` … `###### Problem`
 *   (case-insensitive; a colon after the word is allowed). With `Problem:` / `**Problem:**` the problem text may
 *   start on the heading's own line.
 * - The problem runs up to the first solution heading at a line start — `Solution:`, `**Solution:**`,
 *   `# Solution`, `## Solution`, … — and the solution is everything after that heading (text on the heading's own
 *   line included). Without a solution heading, the problem ends at the first blank line after its text and the
 *   solution is everything after that blank line.
 * - Headings belong to neither text. Both texts start at their first non-whitespace character; the problem is also
 *   trimmed at its end, the solution runs to the end of the file.
 * - Without a problem heading the whole file is the solution: problem "", problemStart = problemEnd = 0,
 *   solutionStart = 0.
 *
 * Offsets are UTF-16 indices into `text` (a leading byte-order mark counts), so
 * `segment(doc.solution, options, doc.solutionStart)` yields step offsets into the file.
 */
export function splitProblem(text: string): SolutionDocument {
  const lines = splitLines(text);
  // A byte-order mark kept by the reader is not part of the first line's text (it would hide a heading).
  if (text.charCodeAt(0) === 0xfeff) lines[0] = { ...lines[0], start: 1 };
  let i = skipBlank(text, lines, 0);
  if (i < lines.length && TITLE.test(lineText(text, lines[i])) && headingEnd(PROBLEM, text, lines[i]) === -1) {
    i = skipBlank(text, lines, i + 1);
  }
  const problemLine = lines[i];
  const problemFrom = problemLine === undefined ? -1 : headingEnd(PROBLEM, text, problemLine);
  if (problemLine === undefined || problemFrom === -1) {
    return { problem: '', problemStart: 0, problemEnd: 0, solutionStart: 0, solution: text };
  }

  let problemTo = text.length;
  let solutionFrom = text.length;
  const solutionLine = lines.slice(i + 1).find((line) => headingEnd(SOLUTION, text, line) !== -1);
  if (solutionLine !== undefined) {
    problemTo = solutionLine.start;
    solutionFrom = headingEnd(SOLUTION, text, solutionLine);
  } else {
    const blank = firstBlankAfterText(text, lines, i, problemFrom);
    if (blank !== undefined) {
      problemTo = blank.start;
      solutionFrom = blank.next;
    }
  }
  const [problemStart, problemEnd] = tighten(text, problemFrom, problemTo);
  const [solutionStart] = tighten(text, solutionFrom, text.length);
  return {
    problem: text.slice(problemStart, problemEnd),
    problemStart,
    problemEnd,
    solutionStart,
    solution: text.slice(solutionStart),
  };
}

const TITLE = /^# \S/;
const PROBLEM = headingPattern('problem');
const SOLUTION = headingPattern('solution');

function headingPattern(word: string): RegExp {
  return new RegExp(
    `^[ \\t]*(?:` +
      `#{1,6}[ \\t]+(?:\\*\\*)?${word}(?:\\*\\*)?[ \\t]*:?[ \\t]*(?:\\*\\*)?[ \\t]*$` + // ## Problem, # **Problem:**
      `|\\*\\*${word}[ \\t]*:?[ \\t]*\\*\\*[ \\t]*:?` + // **Problem:**, **Problem**:
      `|${word}[ \\t]*:` + // Problem:
      `)`,
    'i',
  );
}

/** Offset just after the heading on `line`, or -1 when the line is not that heading. */
function headingEnd(pattern: RegExp, text: string, line: Line): number {
  const m = pattern.exec(lineText(text, line));
  return m === null ? -1 : line.start + m[0].length;
}

function lineText(text: string, line: Line): string {
  return text.slice(line.start, line.end);
}

function skipBlank(text: string, lines: readonly Line[], from: number): number {
  let i = from;
  while (i < lines.length && isBlank(text, lines[i])) i++;
  return i;
}

/** The first blank line once the problem text has begun (blank lines between heading and text do not count). */
function firstBlankAfterText(
  text: string,
  lines: readonly Line[],
  headingIndex: number,
  problemFrom: number,
): Line | undefined {
  const [from, to] = tighten(text, problemFrom, lines[headingIndex].end);
  let started = to > from;
  for (const line of lines.slice(headingIndex + 1)) {
    if (!isBlank(text, line)) started = true;
    else if (started) return line;
  }
  return undefined;
}
