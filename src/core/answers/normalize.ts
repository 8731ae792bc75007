/**
 * Answer normalisation after the PRM800K grader (itself after the MATH benchmark's): text wrappers, units, spacing
 * commands, `\left`/`\right`, percent and degree signs, dollar signs and `x =` prefixes are dropped; `\dfrac`/`\tfrac`
 * become `\frac`; `\sqrt2` → `\sqrt{2}` and `\frac12` → `\frac{1}{2}`; thousands commas and a trailing `.0` go.
 * The result has no spaces, so equal strings are equal answers without any algebra.
 */
export function normalizeAnswer(answer: string): string {
  let s = answer.trim();
  s = s.replace(/^\$+|\$+$/g, '');
  s = unwrap(s, ['\\text', '\\textbf', '\\mbox', '\\mathrm', '\\textrm', '\\boxed']);
  s = s.replace(/\\[dt]frac/g, '\\frac');
  s = s.replace(/\\left|\\right/g, '');
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°/g, '');
  s = s.replace(/\\%|%/g, '').replace(/\\\$|\$/g, '');
  s = s.replace(/\\[!,;: ]/g, ' ').replace(/~/g, ' ');
  s = s.replace(UNITS, '');
  s = dropVariablePrefix(s);
  s = s.replace(/\s+/g, '');
  s = s.replace(/\\sqrt(\w)/g, '\\sqrt{$1}');
  s = s.replace(/\\frac(\d)(\d)/g, '\\frac{$1}{$2}').replace(/\\frac(\d)\{/g, '\\frac{$1}{');
  s = s.replace(/\\frac\{([^{}]*)\}(\w)/g, '\\frac{$1}{$2}');
  if (/^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(s)) s = s.replace(/,/g, '');
  s = s.replace(/^(-?\d+)\.0+$/, '$1').replace(/^(-?)\./, '$10.');
  while (/^\{.*\}$/.test(s) && balanced(s.slice(1, -1))) s = s.slice(1, -1);
  return s;
}

/** Unit words (singular or plural, with an optional power) removed from answers, as the PRM800K grader does. */
const UNIT_WORDS = [
  'degree',
  'cm',
  'centimeter',
  'meter',
  'mile',
  'second',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'foot',
  'feet',
  'inch',
  'yard',
  'unit',
  'dollar',
  'cent',
  'mph',
  'km',
  'kg',
  'gram',
  'liter',
];
const UNIT_POWER = String.raw`(?:\s*\^\s*\{?\d+\}?)?`;
const UNITS = new RegExp(String.raw`(?<![A-Za-z\\])(?:${UNIT_WORDS.join('|')})(?:es|s)?${UNIT_POWER}(?![A-Za-z])`, 'g');

/** `x = 5` → `5`: one "=" with a short variable name on its left (as in the MATH normaliser). */
function dropVariablePrefix(s: string): string {
  const parts = s.split('=');
  return parts.length === 2 && /^\s*[A-Za-z]{1,2}\s*$/.test(parts[0]) ? parts[1] : s;
}

/** Replaces `\cmd{X}` by `X` for each command (innermost text kept; nested braces respected). */
function unwrap(s: string, commands: readonly string[]): string {
  for (const cmd of commands) {
    for (let at = s.indexOf(`${cmd}{`); at !== -1; at = s.indexOf(`${cmd}{`, at)) {
      const open = at + cmd.length;
      const close = matchingBrace(s, open);
      if (close === -1) break;
      s = s.slice(0, at) + s.slice(open + 1, close) + s.slice(close + 1);
    }
  }
  return s;
}

/** Index of the "}" closing the "{" at `open`, or -1. */
export function matchingBrace(s: string, open: number): number {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === '{') depth += 1;
    else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

function balanced(s: string): boolean {
  let depth = 0;
  for (const c of s) {
    if (c === '{') depth += 1;
    else if (c === '}' && --depth < 0) return false;
  }
  return depth === 0;
}

/**
 * The elements of a tuple, interval or list at bracket depth 0 (`(1,2)`, `[0,\infty)`, `1,2,3`), with the opening
 * and closing brackets ('' when unbracketed), or null for a single value.
 */
export function splitElements(s: string): { open: string; close: string; items: string[] } | null {
  const bracketed = /^[([]/.test(s) && /[)\]]$/.test(s);
  const inner = bracketed ? s.slice(1, -1) : s;
  const items: string[] = [];
  let depth = 0;
  let from = 0;
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i];
    if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (c === ',' && depth === 0) {
      items.push(inner.slice(from, i));
      from = i + 1;
    }
    if (depth < 0) return null;
  }
  items.push(inner.slice(from));
  if (items.length < 2) return null;
  return bracketed ? { open: s[0], close: s[s.length - 1], items } : { open: '', close: '', items };
}

/**
 * A normalised LaTeX answer in mathjs syntax, or null when it uses anything else. mathjs has no LaTeX parser, so the
 * few constructs answers use are rewritten, as PRM800K rewrites them for sympy: \frac{a}{b} → ((a)/(b)),
 * \sqrt[n]{x} → nthRoot((x),(n)), \sqrt{x} → sqrt((x)), ^{…} → ^(…), \cdot/\times → *, \div → /,
 * \pi → pi.
 */
export function toMathjs(s: string): string | null {
  let out = '';
  for (let i = 0; i < s.length;) {
    if (s.startsWith('\\frac{', i)) {
      const a = group(s, i + 5);
      const b = a && s[a.end] === '{' ? group(s, a.end) : null;
      if (!a || !b) return null;
      const [x, y] = [toMathjs(a.text), toMathjs(b.text)];
      if (x === null || y === null) return null;
      out += `((${x})/(${y}))`;
      i = b.end;
    } else if (s.startsWith('\\sqrt', i)) {
      let at = i + 5;
      let index: string | null = null;
      if (s[at] === '[') {
        const close = s.indexOf(']', at);
        if (close === -1) return null;
        index = toMathjs(s.slice(at + 1, close));
        at = close + 1;
      }
      const a = s[at] === '{' ? group(s, at) : null;
      const x = a ? toMathjs(a.text) : null;
      if (!a || x === null) return null;
      out += index === null ? `sqrt((${x}))` : `nthRoot((${x}),(${index}))`;
      i = a.end;
    } else if (s[i] === '\\') {
      const name = /^\\([A-Za-z]+)/.exec(s.slice(i));
      const word = name ? COMMANDS[name[1]] : undefined;
      if (!name || word === undefined) return null;
      out += word;
      i += name[0].length;
    } else if (s[i] === '{' || s[i] === '}') {
      out += s[i] === '{' ? '(' : ')';
      i += 1;
    } else {
      out += s[i];
      i += 1;
    }
  }
  return out;
}

const COMMANDS: Record<string, string> = { cdot: '*', times: '*', div: '/', pi: ' pi ' };

/** The braced group starting at `open`: its inner text and the index after its "}". */
function group(s: string, open: number): { text: string; end: number } | null {
  const close = matchingBrace(s, open);
  return close === -1 ? null : { text: s.slice(open + 1, close), end: close + 1 };
}
