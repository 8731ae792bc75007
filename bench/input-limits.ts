import { performance } from 'node:perf_hooks';
import { CHECK_LIMITS, checkStep } from '../src/core/critics/checker';
import { regexCuts } from '../src/core/segment/boundaries';

/**
 * How long one step can hold the thread (the extension host's, in the editor) at the checker's limits: steps of
 * CHECK_LIMITS.stepChars characters built to be expensive, each the median of repeated runs. And what running the
 * user's step regex under node:vm's time limit costs on a normal document, against a plain match.
 */

/** `unit` repeated up to `chars` characters. */
const fill = (unit: string, chars = CHECK_LIMITS.stepChars): string => unit.repeat(Math.floor(chars / unit.length));

/** Steps at the length limit that maximise the checker's work, each kind of work it does. */
function worstSteps(): { name: string; step: string; problem?: string }[] {
  const deep = CHECK_LIMITS.nesting - 1;
  return [
    { name: 'dense true claims', step: fill('12 × 7 = 84, ') },
    { name: 'dense false claims', step: fill('12 × 7 = 85, ') },
    { name: 'long equality chains', step: fill('1 + 2 = 3 = ') },
    { name: 'largest sums', step: fill(`${'1+'.repeat(CHECK_LIMITS.operandItems / 2 - 1)}1 = 3, `) },
    { name: 'deepest brackets', step: fill(`${'('.repeat(deep)}2 + 1${')'.repeat(deep)} = 4, `) },
    { name: 'deepest fractions', step: fill(`${'\\frac{'.repeat(deep)}1${'}{2}'.repeat(deep)} = 1, `) },
    { name: 'big products', step: fill('123456789 × 987654321 × 123456789 × 987654321 = 5, ') },
    { name: 'largest binomials', step: fill('\\binom{1000}{200} = 5, ') },
    { name: 'binomials too large to check', step: fill('\\binom{9999999999}{200} = 5, ') },
    { name: 'roots and powers', step: fill('\\sqrt[64]{123456789123456789} = 2^{0.5}, ') },
    { name: 'percent readings', step: fill('20% × 50% = 10%, ') },
    { name: 'LaTeX', step: fill('$\\frac{12}{4} \\times \\left(3 + \\sqrt{16}\\right) = 21$ so ') },
    { name: 'prose with "="', step: fill('the answer is therefore x = y and ') },
    {
      name: 'false claims, modular problem',
      step: fill('12 × 7 = 85, '),
      problem: fill(`${Array.from({ length: 16 }, (_, k) => `mod ${k + 2}`).join(', ')}, `, CHECK_LIMITS.problemChars),
    },
  ];
}

function median(fn: () => void, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

export function checkerWorstCase(): string {
  const { stepChars, problemChars, operandItems, nesting } = CHECK_LIMITS;
  const lines = [
    `Checker, worst case per step at the limits (${stepChars} characters a step, ${problemChars} a problem, ` +
      `${operandItems} symbols an expression, ${nesting} nested levels):`,
  ];
  let worst = { name: '', ms: 0 };
  for (const { name, step, problem } of worstSteps()) {
    const options = problem === undefined ? {} : { problem };
    checkStep(step, options);
    const ms = median(() => checkStep(step, options), 7);
    if (ms > worst.ms) worst = { name, ms };
    lines.push(`  ${name.padEnd(32)} ${ms.toFixed(1).padStart(7)} ms  (${checkStep(step, options).verdict})`);
  }
  const over = 'x'.repeat(stepChars * 100);
  const refused = median(() => checkStep(over), 7);
  lines.push(`  ${'a step 100× over the limit'.padEnd(32)} ${refused.toFixed(3).padStart(7)} ms`);
  lines.push(`  longest hold of the thread by one step: ${worst.ms.toFixed(1)} ms (${worst.name})`);
  return lines.join('\n');
}

/** The step regex under node:vm's time limit against a plain matchAll, on `doc` (a normal solution). */
export function stepRegexOverhead(doc: string, pattern = /^We add/gm): string {
  const plain = median(() => Array.from(doc.matchAll(pattern), (m) => m.index), 31);
  const limited = median(() => regexCuts(doc, [], pattern), 31);
  return (
    `  step regex under a time limit    ${limited.toFixed(2)} ms (plain matchAll ${plain.toFixed(2)} ms: ` +
    `+${(limited - plain).toFixed(2)} ms per segmentation)`
  );
}
