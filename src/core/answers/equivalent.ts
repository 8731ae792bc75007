import type { MathNode } from 'mathjs' with { 'resolution-mode': 'import' };
import type * as MathJs from 'mathjs' with { 'resolution-mode': 'import' };
import { normalizeAnswer, splitElements, toMathjs } from './normalize';

/**
 * Whether a given answer equals the gold one as the PRM800K grader decides: equal after normalisation
 * (normalize.ts), else tuples and intervals element by element (same brackets, same length), else symbolically
 * equal. The symbolic check uses mathjs (a runtime dependency; the grader uses sympy): both sides are rewritten in
 * mathjs syntax and evaluated — constants must agree to 1e-9 relative, and expressions with variables (the same
 * variables on both sides) at three fixed points.
 */
export function answersEquivalent(given: string, gold: string): boolean {
  const [a, b] = [normalizeAnswer(given), normalizeAnswer(gold)];
  if (a === b) return true;
  if (a === '' || b === '') return false;
  const [ea, eb] = [splitElements(a), splitElements(b)];
  if (ea || eb) {
    if (!ea || !eb || ea.open !== eb.open || ea.close !== eb.close || ea.items.length !== eb.items.length) return false;
    return ea.items.every((item, i) => answersEquivalent(item, eb.items[i]));
  }
  return symbolicallyEqual(a, b);
}

/**
 * A key equal for answers that are the same value: a constant's value to 12 significant digits, else the normalised
 * text (elementwise for tuples). Voting groups answers by it: linear in the number of samples, where pairwise
 * answersEquivalent would be quadratic.
 */
export function answerKey(answer: string): string {
  return keyOfNormalized(normalizeAnswer(answer));
}

function keyOfNormalized(s: string): string {
  const elements = splitElements(s);
  if (elements) return `${elements.open}${elements.items.map(keyOfNormalized).join(',')}${elements.close}`;
  const value = constantValue(s);
  return value === null ? s : `=${Number(value.toPrecision(12))}`;
}

/** Points the variables take in the symbolic check: fixed, irrational-looking, so coincidences are unlikely. */
const POINTS = [0.5772156649, 1.4142135623, 2.7182818284];
const CONSTANTS = new Set(['pi', 'e', 'i', 'sqrt', 'nthRoot']);

interface Compiled {
  node: MathNode;
  variables: string[];
}

// mathjs ships CommonJS too, but its typings resolve as ESM only: the types are imported for that resolution, and the
// CommonJS build is loaded synchronously so that grading stays synchronous.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parse } = require('mathjs') as typeof MathJs;

function compile(s: string): Compiled | null {
  const expr = toMathjs(s);
  if (expr === null) return null;
  let node: MathNode;
  try {
    node = parse(expr);
  } catch {
    return null;
  }
  const names = node.filter((n) => (n as { isSymbolNode?: boolean }).isSymbolNode === true);
  const symbols = new Set(names.map((n) => (n as unknown as { name: string }).name));
  const variables = [...symbols].filter((v) => !CONSTANTS.has(v));
  return { node, variables: variables.sort() };
}

function evaluateAt(node: MathNode, scope: Record<string, number>): number | null {
  try {
    const value: unknown = node.evaluate(scope);
    return typeof value === 'number' && Number.isFinite(value) ? value : null;
  } catch {
    return null;
  }
}

function close(x: number, y: number): boolean {
  return Math.abs(x - y) <= 1e-9 * Math.max(1, Math.abs(x), Math.abs(y));
}

function constantValue(s: string): number | null {
  const c = compile(s);
  return c && c.variables.length === 0 ? evaluateAt(c.node, {}) : null;
}

function symbolicallyEqual(a: string, b: string): boolean {
  const [ca, cb] = [compile(a), compile(b)];
  if (!ca || !cb || ca.variables.join() !== cb.variables.join()) return false;
  let compared = 0;
  for (const [k, point] of POINTS.entries()) {
    const scope = Object.fromEntries(ca.variables.map((v, j) => [v, point + j * 0.31 + k * 0.07]));
    const [x, y] = [evaluateAt(ca.node, scope), evaluateAt(cb.node, scope)];
    if (x === null && y === null) continue;
    if (x === null || y === null || !close(x, y)) return false;
    compared += 1;
    if (ca.variables.length === 0) break;
  }
  return compared > 0;
}
