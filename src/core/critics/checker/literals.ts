import { Literal } from './compare';
import { Node } from './parse-expression';
import { rational } from './value';

/** Written numbers among expression trees: what a step asserts, as opposed to what it computes. */

/**
 * A number as the text writes it: 84, -3, 15%, 1.2 × 10^3, 2/5, \frac{2}{5}; null for anything computed.
 * `scalePercent` reads 15% as 0.15 (two more decimals) rather than 15.
 */
export function literalOf(node: Node, scalePercent: boolean): Literal | null {
  switch (node.t) {
    case 'num': {
      const scaled = node.percent && scalePercent;
      return {
        value: scaled ? node.lit.value.div(100) : node.lit.value,
        decimals: node.lit.decimals + (scaled ? 2 : 0),
        rounded: node.percent,
      };
    }
    case 'neg': {
      const inner = node.a.t === 'num' || isFraction(node.a) ? literalOf(node.a, scalePercent) : null;
      return inner && { ...inner, value: inner.value.neg() };
    }
    case 'group':
      return node.percent ? null : literalOf(node.a, scalePercent);
    case 'frac':
    case 'bin': {
      if (isFraction(node)) {
        const [a, b] = [node.a, node.b] as [Node & { t: 'num' }, Node & { t: 'num' }];
        return { value: a.lit.value.div(b.lit.value), decimals: 0, rounded: false };
      }
      return node.t === 'bin' ? scientific(node) : null;
    }
    default:
      return null;
  }
}

/** A bare number (with sign, percent or power of ten), not a fraction: "1 hour = 60 minutes" pairs two. */
export function isBareNumber(node: Node): boolean {
  return literalOf(node, true) !== null && !isFraction(node.t === 'neg' ? node.a : node);
}

/** The number a running computation starts from: 8 in "8 × 2". */
export function leadingNumber(node: Node): (Node & { t: 'num' }) | null {
  if (node.t !== 'bin' || node.implicit) return null;
  let n: Node = node;
  while (n.t === 'bin' && !n.implicit) n = n.a;
  return n.t === 'num' && !n.percent ? n : null;
}

/** 2/5 or \frac{2}{5} between whole numbers. */
function isFraction(node: Node): boolean {
  if (node.t !== 'frac' && !(node.t === 'bin' && node.op === '/' && !node.implicit)) return false;
  const whole = (n: Node): boolean => n.t === 'num' && !n.percent && n.lit.decimals === 0 && n.lit.value.n !== 0n;
  return whole(node.a) && whole(node.b);
}

/** 1.2 × 10^3 (also with \times, \cdot, 10^{-3}). */
function scientific(node: Node & { t: 'bin' }): Literal | null {
  const mantissa = node.op === '*' && node.a.t === 'num' && !node.a.percent ? node.a.lit : null;
  const power = node.b.t === 'pow' && node.b.a.t === 'num' && node.b.a.text === '10' ? node.b.b : null;
  const exponent = power ? literalOf(power, false) : null;
  if (!mantissa || !exponent || exponent.value.d !== 1n || exponent.decimals !== 0) return null;
  const e = Number(exponent.value.valueOf());
  if (Math.abs(e) > 300) return null;
  const scale = e >= 0 ? rational(10n ** BigInt(e)) : rational(1n, 10n ** BigInt(-e));
  return { value: mantissa.value.mul(scale), decimals: mantissa.decimals - e, rounded: true };
}
