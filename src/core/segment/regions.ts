/**
 * Blocks that a step boundary must never cut: fenced code (``` or ~~~, indented up to 3 spaces, with an info
 * string; unclosed fences run to the end of the text, as in CommonMark) and display math (`$$…$$`, `\[…\]`,
 * `\begin{env}…\end{env}`; an opener without a closer is treated as plain text, so a stray `$$` cannot swallow
 * the rest of a solution).
 */
export interface Region {
  start: number;
  end: number;
}

// One alternative per kind of opener; the fence alternative only matches at a line start.
const OPENER = /^ {0,3}(?:(`{3,})(?![^\n`]*`)|(~{3,}))[^\n]*|\$\$|\\\[|\\begin\{([^{}\n]+)\}/gm;

/**
 * Finds the protected regions of `text`, in order and non-overlapping, in time linear in the text: an opener without
 * a closer must not cost a scan of the rest of the text each (thousands of them froze the editor).
 */
export function findProtectedRegions(text: string): Region[] {
  const regions: Region[] = [];
  const closers = new Closers(text);
  let environments: Map<number, number> | undefined;
  OPENER.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = OPENER.exec(text)) !== null) {
    const start = m.index;
    const fence = m[1] ?? m[2];
    let end: number;
    if (fence !== undefined) {
      end = fenceEnd(text, start + m[0].length, fence);
    } else if (isEscaped(text, start)) {
      continue;
    } else if (m[0] === '$$') {
      end = closers.end('$$', start + 2);
    } else if (m[0] === '\\[') {
      end = closers.end('\\]', start + 2);
    } else {
      environments ??= matchEnvironments(text);
      end = environments.get(start) ?? -1;
    }
    if (end === -1) {
      OPENER.lastIndex = start + m[0].length;
      continue;
    }
    regions.push({ start, end });
    OPENER.lastIndex = end;
  }
  return regions;
}

/** True when `pos` lies strictly inside a region (a boundary at a region's edge does not cut it). */
export function isInside(regions: readonly Region[], pos: number): boolean {
  let lo = 0;
  let hi = regions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = regions[mid];
    if (pos <= r.start) hi = mid - 1;
    else if (pos >= r.end) lo = mid + 1;
    else return true;
  }
  return false;
}

/**
 * End of the closing fence line (same character, at least as long, nothing else on the line) or of the text.
 * In multiline mode `$` also matches before "\r", so a CRLF closer ends before its line break.
 */
function fenceEnd(text: string, from: number, fence: string): number {
  const closer = new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`, 'gm');
  closer.lastIndex = from;
  const m = closer.exec(text);
  if (m === null) return text.length;
  return m.index + m[0].length;
}

/** End of the first unescaped closer after an opener, or -1; once a closer is missing after a point, it stays so. */
class Closers {
  private readonly missingFrom = new Map<string, number>();

  constructor(private readonly text: string) {}

  end(closer: string, from: number): number {
    if (from >= (this.missingFrom.get(closer) ?? Infinity)) return -1;
    let at = this.text.indexOf(closer, from);
    while (at !== -1 && isEscaped(this.text, at)) at = this.text.indexOf(closer, at + 1);
    if (at === -1) this.missingFrom.set(closer, from);
    return at === -1 ? -1 : at + closer.length;
  }
}

/**
 * For every `\begin{name}`, the end of the `\end{name}` that closes it, counting nested environments of the same
 * name (a `\begin` without one is absent). One pass over the text with a stack per name.
 */
function matchEnvironments(text: string): Map<number, number> {
  const ends = new Map<number, number>();
  const open = new Map<string, number[]>();
  for (const m of text.matchAll(/\\(begin|end)\{([^{}\n]+)\}/g)) {
    const stack = open.get(m[2]) ?? [];
    open.set(m[2], stack);
    if (m[1] === 'begin') stack.push(m.index);
    else {
      const begin = stack.pop();
      if (begin !== undefined) ends.set(begin, m.index + m[0].length);
    }
  }
  return ends;
}

/** A delimiter preceded by an odd number of backslashes is escaped (`\$$` is a literal dollar sign). */
function isEscaped(text: string, pos: number): boolean {
  let n = 0;
  while (pos - n - 1 >= 0 && text.charCodeAt(pos - n - 1) === 92) n++;
  return n % 2 === 1;
}
