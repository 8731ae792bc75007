import { Node, childrenOf } from './parse-expression';
import { Value, add, binomial, div, exact, mul, neg, pow, rational, root, sub } from './value';

/**
 * The value of an expression tree, or null when it is undefined or too large to check.
 * `scalePercents` false reads "20%" as 20: writers use both readings ("0.2 × 100 = 20%").
 */
export function evaluate(node: Node, scalePercents = true): Value | null {
  const ev = (n: Node): Value | null => evaluate(n, scalePercents);
  switch (node.t) {
    case 'num':
      return percent(exact(node.lit.value), node.percent && scalePercents);
    case 'group':
      return percent(ev(node.a), node.percent && scalePercents);
    case 'pi':
      return { approx: Math.PI };
    case 'var':
      return node.value;
    case 'neg': {
      const a = ev(node.a);
      return a && neg(a);
    }
    case 'bin': {
      const a = ev(node.a);
      const b = a && ev(node.b);
      if (!a || !b) return null;
      return node.op === '+' ? add(a, b) : node.op === '-' ? sub(a, b) : node.op === '*' ? mul(a, b) : div(a, b);
    }
    case 'frac': {
      const a = ev(node.a);
      const b = a && ev(node.b);
      return a && b && div(a, b);
    }
    case 'pow': {
      const a = ev(node.a);
      const b = a && ev(node.b);
      return a && b && pow(a, b);
    }
    case 'root': {
      const a = ev(node.a);
      return a && root(a, node.index);
    }
    case 'binom': {
      const n = ev(node.n);
      const k = n && ev(node.k);
      return n && k && binomial(n, k);
    }
  }
}

function percent(v: Value | null, scale: boolean): Value | null {
  return v && scale ? div(v, { exact: rational(100) }) : v;
}

/** Whether any percent sign occurs in the tree (then both readings are tried). */
export function hasPercent(node: Node): boolean {
  return ((node.t === 'num' || node.t === 'group') && node.percent) || childrenOf(node).some(hasPercent);
}
