/** A line of text: `[start, end)` is its content without the line break; `next` is where the following line starts. */
export interface Line {
  start: number;
  end: number;
  next: number;
}

/** Splits text into lines at "\n" and "\r\n" (the "\r" is not part of the content), keeping exact offsets. */
export function splitLines(text: string): Line[] {
  const lines: Line[] = [];
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) {
      lines.push({ start, end: text.length, next: text.length });
      break;
    }
    const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    lines.push({ start, end, next: nl + 1 });
    start = nl + 1;
  }
  return lines;
}

export function isBlank(text: string, line: Line): boolean {
  for (let i = line.start; i < line.end; i++) {
    if (!isWhitespace(text.charCodeAt(i))) return false;
  }
  return true;
}

const WHITESPACE = /\s/;

export function isWhitespace(code: number): boolean {
  return WHITESPACE.test(String.fromCharCode(code));
}

/** Shrinks `[start, end)` so it neither starts nor ends with whitespace (whitespace is never a surrogate half). */
export function tighten(text: string, start: number, end: number): [number, number] {
  while (start < end && isWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isWhitespace(text.charCodeAt(end - 1))) end--;
  return [start, end];
}
