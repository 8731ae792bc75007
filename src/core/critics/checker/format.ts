import { Node } from './parse-expression';
import { Value, rational } from './value';

/** How the claim's text writes numbers, so that corrections read the same way. */
export interface NumberStyle {
  /** The text uses a/b or \frac (and no decimals). */
  fractions: boolean;
  /** Most decimals written in the claim (0 when none). */
  decimals: number;
  thousands: boolean;
  /** Show the value as a percentage: `scale` multiplies by 100 first, `sign` only appends "%". */
  percent: 'scale' | 'sign' | null;
}

export interface Formatted {
  text: string;
  /** False when the text is a rounded rendering of the value. */
  exact: boolean;
}

export function formatValue(value: Value, style: NumberStyle): Formatted {
  let v = value;
  if (style.percent === 'scale') v = 'exact' in v ? { exact: v.exact.mul(rational(100)) } : { approx: v.approx * 100 };
  const suffix = style.percent ? '%' : '';
  const x = 'approx' in v ? v.approx : v.exact.valueOf();
  if (Math.abs(x) >= 1e15) return { text: scientific(x) + suffix, exact: false };
  // Enough decimals to show what the text shows and at least four significant digits of small values.
  const leadingZeros = x === 0 ? 0 : Math.max(0, -Math.floor(Math.log10(Math.abs(x))) - 1);
  const places = Math.min(20, Math.max(4, style.decimals + 2, leadingZeros + 4));
  if ('approx' in v) {
    const rounded = Math.round(v.approx);
    if (Math.abs(v.approx - rounded) < 1e-9 * Math.max(1, Math.abs(v.approx))) {
      return { text: group(String(rounded), style) + suffix, exact: true };
    }
    return { text: trimZeros(v.approx.toFixed(places)) + suffix, exact: false };
  }
  const q = v.exact;
  if (q.d === 1n) return { text: group(q.toString(), style) + suffix, exact: true };
  if (style.fractions && style.decimals === 0 && !style.percent) return { text: q.toFraction(), exact: true };
  const plain = q.toString();
  if (terminates(q.d) && plain.length - plain.indexOf('.') - 1 <= places) {
    return { text: group(plain, style) + suffix, exact: true };
  }
  return { text: group(trimZeros(q.round(places).toString()), style) + suffix, exact: false };
}

/** Huge values: "2.1430 × 10^302" rather than hundreds of digits. */
function scientific(x: number): string {
  if (!Number.isFinite(x)) return x > 0 ? 'a number beyond 10^308' : 'a number below -10^308';
  const [mantissa, exponent] = x.toExponential(4).split('e');
  return `${mantissa} × 10^${Number(exponent)}`;
}

function terminates(d: bigint): boolean {
  let x = d;
  while (x % 2n === 0n) x /= 2n;
  while (x % 5n === 0n) x /= 5n;
  return x === 1n;
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

function group(s: string, style: NumberStyle): string {
  if (!style.thousands) return s;
  const [int, frac] = s.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}

const PRECEDENCE: Record<string, number> = { '+': 1, '-': 1, '*': 2, '/': 2 };
const NEG = 3;
const POW = 4;
const ATOM = 9;

/** A canonical rendering of an expression: "12 × 7", "1/2 + 3", "60 × (-21)", "sqrt(2)". */
export function printNode(node: Node): string {
  return print(node).text;
}

function print(node: Node): { text: string; prec: number } {
  switch (node.t) {
    case 'num': {
      let text = node.text.replace(/\{,\}|\\,|,/g, '');
      if (text.startsWith('.')) text = `0${text}`;
      return { text: node.percent ? `${text}%` : text, prec: ATOM };
    }
    case 'pi':
      return { text: 'π', prec: ATOM };
    case 'var':
      return { text: node.name, prec: ATOM };
    case 'group': {
      // Printed once: printing it again for the plain case made nested brackets cost 2^depth.
      const inner = print(node.a);
      return node.percent ? { text: `(${inner.text})%`, prec: ATOM } : inner;
    }
    case 'neg': {
      const a = print(node.a);
      return { text: `-${a.prec < NEG ? `(${a.text})` : a.text}`, prec: NEG };
    }
    case 'bin':
    case 'frac': {
      const op = node.t === 'frac' ? '/' : node.op;
      const prec = PRECEDENCE[op];
      const a = print(node.a);
      const b = print(node.b);
      const left = a.prec < prec ? `(${a.text})` : a.text;
      // A negative right operand keeps its brackets: 60 × (-21).
      const bracketRight = b.prec < prec || b.prec === NEG || (b.prec === prec && (op === '-' || op === '/'));
      const right = bracketRight ? `(${b.text})` : b.text;
      const compact = op === '/' && (node.t === 'frac' || (a.prec === ATOM && b.prec === ATOM));
      return { text: compact ? `${left}/${right}` : `${left} ${op === '*' ? '×' : op} ${right}`, prec };
    }
    case 'pow': {
      const a = print(node.a);
      const b = print(node.b);
      return { text: `${a.prec < ATOM ? `(${a.text})` : a.text}^${b.prec < ATOM ? `(${b.text})` : b.text}`, prec: POW };
    }
    case 'root': {
      const a = print(node.a).text;
      return { text: node.index === 2 ? `sqrt(${a})` : `root${node.index}(${a})`, prec: ATOM };
    }
    case 'binom':
      return { text: `C(${print(node.n).text}, ${print(node.k).text})`, prec: ATOM };
  }
}
