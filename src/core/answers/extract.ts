/**
 * The final answer of a solution: the content of the LAST `\boxed{…}` (or `\fbox{…}`) with balanced braces, else
 * the text after the last "The answer is" / "Final answer:" (up to the end of its line, trailing full stop dropped).
 * null when the solution states none: such a sample is never chosen by a best-of-n selector.
 */
export function extractAnswer(text: string): string | null {
  const boxed = lastBoxed(text);
  if (boxed !== null) return boxed.trim() === '' ? null : boxed.trim();
  const stated = /(?:the (?:final )?answer is|final answer\s*:)\s*:?\s*([^\n]*)/gi;
  let last: string | null = null;
  for (let m = stated.exec(text); m !== null; m = stated.exec(text)) last = m[1];
  if (last === null) return null;
  const answer = last
    .trim()
    .replace(/\.$/, '')
    .replace(/^\$(.*)\$$/, '$1')
    .trim();
  return answer === '' ? null : answer;
}

/** The content of the last \boxed{…} whose braces balance (an unclosed one is skipped), or null. */
function lastBoxed(text: string): string | null {
  for (let at = lastMarker(text, text.length); at !== -1; at = lastMarker(text, at)) {
    const open = text.indexOf('{', at);
    let depth = 0;
    for (let i = open; i < text.length; i++) {
      if (text[i] === '{') depth += 1;
      else if (text[i] === '}' && --depth === 0) return text.slice(open + 1, i);
    }
  }
  return null;
}

/** Start of the last `\boxed{` or `\fbox{` before `end`, or -1. */
function lastMarker(text: string, end: number): number {
  const head = text.slice(0, end);
  return Math.max(head.lastIndexOf('\\boxed{'), head.lastIndexOf('\\fbox{'));
}
