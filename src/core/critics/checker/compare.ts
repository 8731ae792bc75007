import { Rational, Value, rational } from './value';

/** How a claim held: exactly, by the written-decimals rounding convention, or within an announced approximation. */
export type Match = 'exact' | 'rounded' | 'approximate';

/** A number as written: its value and how many decimals it shows (negative for 1.2 × 10^3). */
export interface Literal {
  value: Rational;
  decimals: number;
  /** Scientific notation or a percentage: figures that are routinely rounded. */
  rounded: boolean;
}

/** What the text says about precision. */
export interface Precision {
  /** The text announces rounding ("≈", "about", "rounded"). */
  announced: boolean;
  /** The computed side works on measured data (decimals, units, roots): its result is quoted to a few figures. */
  measured: boolean;
}

/** Relative slack when rounding is announced ("≈", "about") or the inputs are measured ("4.13 / 1.37 = 3"): 1%. */
const APPROXIMATE = 0.01;
/** Float noise allowed when roots or π are involved. */
const FLOAT_NOISE = 1e-9;

/**
 * Whether a computed value matches a number written in the text. Written decimals that round or truncate the
 * true value are accepted ("10/3 = 3.33"); a rounded whole number only when the text announces rounding.
 */
export function matchLiteral(computed: Value, lit: Literal, precision: Precision): Match | null {
  const showsRounding = lit.decimals >= 1 || lit.rounded;
  const slack = precision.announced || precision.measured ? APPROXIMATE : 0;
  if ('exact' in computed) {
    const v = computed.exact;
    const a = lit.value;
    if (v.equals(a)) return 'exact';
    const diff = v.sub(a).abs();
    const unit = tenTo(-lit.decimals);
    // When the value fits in the written decimals, different digits are simply wrong.
    const fits = v.mul(tenTo(lit.decimals)).d === 1n;
    const rounded = diff.lte(unit.div(2));
    const truncated = (a.n === 0n || a.s === v.s) && v.abs().gt(a.abs()) && diff.lt(unit);
    if (showsRounding && !fits && (rounded || truncated)) return 'rounded';
    if (precision.announced && diff.lt(unit)) return 'rounded';
    return diff.valueOf() <= Math.abs(v.valueOf()) * slack ? 'approximate' : null;
  }
  const v = computed.approx;
  const a = lit.value.valueOf();
  const diff = Math.abs(v - a);
  const noise = FLOAT_NOISE * Math.max(1, Math.abs(v));
  if (diff <= noise) return 'exact';
  const unit = 10 ** -lit.decimals;
  const rounded = diff <= unit / 2 + noise;
  const truncated = (a === 0 || Math.sign(a) === Math.sign(v)) && Math.abs(v) > Math.abs(a) && diff < unit + noise;
  if (showsRounding && (rounded || truncated)) return 'rounded';
  if (precision.announced && diff < unit + noise) return 'rounded';
  return diff <= Math.abs(v) * slack ? 'approximate' : null;
}

/** Two computed values (expression = expression). */
export function matchValues(a: Value, b: Value, precision: Precision): Match | null {
  if ('exact' in a && 'exact' in b && a.exact.equals(b.exact)) return 'exact';
  const x = 'exact' in a ? a.exact.valueOf() : a.approx;
  const y = 'exact' in b ? b.exact.valueOf() : b.approx;
  const diff = Math.abs(x - y);
  if (!('exact' in a && 'exact' in b) && diff <= FLOAT_NOISE * Math.max(1, Math.abs(x), Math.abs(y))) return 'exact';
  const slack = precision.announced || precision.measured ? APPROXIMATE : 0;
  return diff <= Math.abs(x) * slack ? 'approximate' : null;
}

function tenTo(k: number): Rational {
  return k >= 0 ? rational(10n ** BigInt(k)) : rational(1n, 10n ** BigInt(-k));
}
