import type { Step } from './types';

/**
 * Python's `text.split("\n")`, as Skywork's PRM code splits a response into steps: every segment is a step, empty
 * ones included (zero-length spans: each gets its own newline token and reward there), whitespace and any "\r"
 * kept, and display math or code split like any other text. Offsets are UTF-16 indices plus `baseOffset`.
 */
export function newlineSplit(text: string, baseOffset = 0): Step[] {
  const steps: Step[] = [];
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    steps.push({ index: steps.length, text: text.slice(start, end), start: start + baseOffset, end: end + baseOffset });
    if (nl === -1) return steps;
    start = nl + 1;
  }
}
