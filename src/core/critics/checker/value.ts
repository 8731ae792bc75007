import Fraction from 'fraction.js';

/** Exact rational numbers (fraction.js, BigInt-based) so that 0.1 + 0.2 = 0.3 holds. */
export type Rational = InstanceType<typeof Fraction>;

export function rational(n: bigint | number, d: bigint | number = 1n): Rational {
  return new Fraction(n, d);
}

/** A computed value: exact while only rational operations were involved, a float once roots or π enter. */
export type Value = { exact: Rational } | { approx: number };

/** Results beyond this size are not worth checking (and would make BigInt arithmetic slow). */
const MAX_BITS = 4000;
const MAX_ROOT_INDEX = 64;

export function exact(q: Rational): Value | null {
  return bitLength(q.n) > MAX_BITS || bitLength(q.d) > MAX_BITS ? null : { exact: q };
}

function approx(x: number): Value | null {
  return Number.isFinite(x) ? { approx: x } : null;
}

export function toNumber(v: Value): number {
  return 'exact' in v ? v.exact.valueOf() : v.approx;
}

export function add(a: Value, b: Value): Value | null {
  return 'exact' in a && 'exact' in b ? exact(a.exact.add(b.exact)) : approx(toNumber(a) + toNumber(b));
}

export function sub(a: Value, b: Value): Value | null {
  return 'exact' in a && 'exact' in b ? exact(a.exact.sub(b.exact)) : approx(toNumber(a) - toNumber(b));
}

export function mul(a: Value, b: Value): Value | null {
  return 'exact' in a && 'exact' in b ? exact(a.exact.mul(b.exact)) : approx(toNumber(a) * toNumber(b));
}

export function div(a: Value, b: Value): Value | null {
  if ('exact' in b ? b.exact.n === 0n : b.approx === 0) return null;
  return 'exact' in a && 'exact' in b ? exact(a.exact.div(b.exact)) : approx(toNumber(a) / toNumber(b));
}

export function neg(a: Value): Value {
  return 'exact' in a ? { exact: a.exact.neg() } : { approx: -a.approx };
}

export function pow(base: Value, exponent: Value): Value | null {
  if (!('exact' in exponent)) return approx(Math.pow(toNumber(base), exponent.approx));
  const e = exponent.exact;
  if (e.d === 1n) {
    if (!('exact' in base)) return approx(Math.pow(base.approx, e.valueOf()));
    const b = base.exact;
    if (b.n === 0n) return e.s < 0n ? null : { exact: e.n === 0n ? rational(1) : rational(0) };
    const size = Math.max(bitLength(b.n), bitLength(b.d)) * Number(e.n);
    if (size > MAX_BITS) return null;
    const p = e.n;
    const sign = p % 2n === 0n ? 1n : b.s;
    const raised = rational(sign * b.n ** p, b.d ** p);
    return exact(e.s < 0n ? raised.inverse() : raised);
  }
  // A rational exponent p/q: the q-th root, then the p-th power.
  if (e.d > BigInt(MAX_ROOT_INDEX)) return approx(Math.pow(toNumber(base), e.valueOf()));
  const r = root(base, Number(e.d));
  return r ? pow(r, { exact: rational(e.s * e.n, 1n) }) : null;
}

/** The n-th root; exact when numerator and denominator are perfect powers. */
export function root(a: Value, n: number): Value | null {
  if (!Number.isInteger(n) || n < 2 || n > MAX_ROOT_INDEX) return null;
  if (!('exact' in a)) {
    if (a.approx < 0) return n % 2 === 1 ? approx(-Math.pow(-a.approx, 1 / n)) : null;
    return approx(Math.pow(a.approx, 1 / n));
  }
  const q = a.exact;
  if (q.s < 0n && q.n !== 0n) {
    if (n % 2 === 0) return null;
    const r = root({ exact: q.neg() }, n);
    return r ? neg(r) : null;
  }
  const rn = integerRoot(q.n, n);
  const rd = integerRoot(q.d, n);
  if (rn !== null && rd !== null) return { exact: rational(rn, rd) };
  return approx(Math.pow(q.valueOf(), 1 / n));
}

/** Longer products cost up to a millisecond each, and a step may hold hundreds: not checked. */
const MAX_BINOMIAL_K = 200n;
const MAX_EXACT = 1n << BigInt(MAX_BITS);

export function binomial(nv: Value, kv: Value): Value | null {
  if (!('exact' in nv) || !('exact' in kv)) return null;
  const n = nv.exact;
  const k = kv.exact;
  if (n.d !== 1n || k.d !== 1n || n.s < 0n || k.s < 0n || k.n > n.n) return null;
  // C(n, k) = C(n, n − k): the shorter product.
  const terms = k.n < n.n - k.n ? k.n : n.n - k.n;
  if (terms > MAX_BINOMIAL_K) return null;
  let result = 1n;
  for (let i = 0n; i < terms; i++) {
    result = (result * (n.n - i)) / (i + 1n);
    // C(n, i) grows with i up to n / 2: once too large, so is the result.
    if (result > MAX_EXACT) return null;
  }
  return exact(rational(result));
}

/** Integer n-th root of a non-negative BigInt, or null when it is not a perfect power. */
function integerRoot(v: bigint, n: number): bigint | null {
  if (v < 2n) return v;
  const N = BigInt(n);
  let guess: bigint;
  if (v < 2n ** 52n) {
    guess = BigInt(Math.round(Math.pow(Number(v), 1 / n)));
  } else {
    // Newton's iteration from a power of two above the root.
    let x = 1n << BigInt(Math.ceil(bitLength(v) / n) + 1);
    for (;;) {
      const y = ((N - 1n) * x + v / x ** (N - 1n)) / N;
      if (y >= x) break;
      x = y;
    }
    guess = x;
  }
  for (const c of [guess - 1n, guess, guess + 1n]) if (c >= 0n && c ** N === v) return c;
  return null;
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(16).length * 4;
}
