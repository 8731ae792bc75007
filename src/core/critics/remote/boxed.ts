/**
 * Answers of LLM critics. ProcessBench reads the LAST \boxed{…} of the critique; failure to read an integer there
 * is "no prediction" (a miss), never a guess.
 */

/** Content of the last \boxed{…} whose braces balance (a truncated final box falls back to the one before). */
export function lastBoxed(text: string): string | undefined {
  const starts = Array.from(text.matchAll(/\\boxed\s*\{/g), (m) => (m.index ?? 0) + m[0].length);
  for (let k = starts.length - 1; k >= 0; k--) {
    let depth = 1;
    for (let i = starts[k]; i < text.length; i++) {
      const ch = text[i];
      if (ch === '\\') {
        i += 1; // \{ and \} are literal braces, not grouping
        continue;
      }
      if (ch === '{') depth += 1;
      else if (ch === '}' && --depth === 0) return text.slice(starts[k], i);
    }
  }
  return undefined;
}

/** Reads an integer from boxed content, tolerating `{ 3 }`, `{\text{3}}`, `{\mathbf{-1}}`, `{$3$}` and `{−1}`. */
export function boxedInteger(content: string): number | undefined {
  let s = content.trim();
  // Peel wrappers: \text{…}, \textbf{…}, \mathrm{…}, \mathbf{…}, {…}, $…$
  for (let previous = ''; previous !== s;) {
    previous = s;
    s = s
      .replace(/^\\(?:text|textbf|textrm|mathrm|mathbf|mbox)\s*\{([\s\S]*)\}$/, '$1')
      .replace(/^\{([\s\S]*)\}$/, '$1')
      .replace(/^\$+([\s\S]*?)\$+$/, '$1')
      .trim();
  }
  s = s.replace(/[−–]/g, '-').replace(/\.$/, '').replace(/\s+/g, '');
  if (!/^[-+]?\d+$/.test(s)) return undefined;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : undefined;
}

export type FirstErrorAnswer = { index: number } | { index: null; why: string };

/** The critic's answer for `stepCount` steps: an index in -1…stepCount-1, or why there is none. */
export function parseFirstError(critique: string, stepCount: number): FirstErrorAnswer {
  const content = lastBoxed(critique);
  if (content === undefined)
    return {
      index: null,
      why: /\\boxed\s*\{/.test(critique) ? 'the last \\boxed{} is cut off' : 'no \\boxed{} answer in the critique',
    };
  const n = boxedInteger(content);
  if (n === undefined)
    return { index: null, why: `the answer \\boxed{${content.trim().slice(0, 40)}} is not a paragraph number` };
  if (n < -1 || n >= stepCount) return { index: null, why: `the answer ${n} is outside -1…${stepCount - 1}` };
  return { index: n };
}

/**
 * The part of a critique about each paragraph, when it follows the prompt's "Paragraph i:" layout (markdown
 * emphasis and headings around the marker are fine). Steps the critique does not address get undefined.
 */
export function critiqueByParagraph(critique: string, stepCount: number): (string | undefined)[] {
  const marks = Array.from(
    critique.matchAll(/^[ \t>#*_-]*(?:\*\*|__)?\s*paragraph[ _]?(\d+)\s*(?:\*\*|__)?\s*[:.)\-–—]/gim),
    (m) => ({ index: Number(m[1]), at: m.index ?? 0, body: (m.index ?? 0) + m[0].length }),
  );
  const out: (string | undefined)[] = new Array(stepCount).fill(undefined);
  marks.forEach((m, k) => {
    if (m.index < 0 || m.index >= stepCount || out[m.index] !== undefined) return;
    const end = k + 1 < marks.length ? marks[k + 1].at : critique.length;
    let text = critique.slice(m.body, end);
    // The last review runs into the conclusion: stop at a blank line and at the line with the boxed answer.
    if (k === marks.length - 1) text = text.trimStart().split(/\n[ \t]*\n/)[0];
    const boxedLine = text.search(/[^\n]*\\boxed\s*\{/);
    if (boxedLine >= 0) text = text.slice(0, boxedLine);
    out[m.index] = text.trim().replace(/^\*\*\s*|\s*\*\*$/g, '') || undefined;
  });
  return out;
}
