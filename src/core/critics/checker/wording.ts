/** What the wording of a step (or of its problem) says about the equalities it writes. */

const ROUNDING = /\b(?:approx\w*|about|around|roughly|nearly|almost|estimat\w*|round\w*|nearest)\b|≈|\\approx|~\s*\d/i;

/** The step announces that its numbers are rounded ("≈", "about", "to the nearest"). */
export function announcesRounding(text: string): boolean {
  return ROUNDING.test(text);
}

const DISTANCING_WORDS = [
  'not',
  'no',
  'never',
  'false',
  'incorrect\\w*',
  'wrong',
  'mistake\\w*',
  'errors?',
  'erroneous\\w*',
  'impossible',
  'contradict\\w*',
  'extraneous',
  'invalid',
  'cannot',
  "can't",
  "isn't",
  "aren't",
  "doesn't",
  "don't",
  "didn't",
  "wasn't",
  "won't",
  'fails?',
  'suppose',
  'supposing',
  'assume',
  'assuming',
  'pretend',
  'instead',
  'remainders?',
];
const DISTANCING = new RegExp(`\\b(?:${DISTANCING_WORDS.join('|')})\\b|≠|\\\\neq?\\b|\\\\not\\b|equation becomes`, 'i');

/**
 * The step distances itself from the equalities it writes: it tests, supposes or rejects them
 * ("2 = \sqrt{16} + 1, which is false", "the equation becomes 7 = -3 + 4"), or "=" gives a quotient with a
 * remainder. A false equality there is no mistake.
 */
export function distancesItself(text: string): boolean {
  return DISTANCING.test(text);
}

const MODULAR = /\b(?:mod|modulo|congruen\w*|residues?)\b|\\pmod|\\bmod|\\equiv|≡/i;
const MODULUS = /(?:\bmod(?:ulo)?|\\pmod|\\bmod)\s*\{?\s*(\d{1,9})\b/gi;

/** More distinct moduli than this read as "modulus unknown": every failed claim is tried against each. */
const MAX_MODULI = 16;

/**
 * The moduli of modular arithmetic ("modulo 10", "\pmod{7}"), where "8 + 8 = 6" states a congruence:
 * null when the text is not about modular arithmetic, empty when it is but names no modulus (or too many).
 */
export function moduliOf(text: string): bigint[] | null {
  if (!MODULAR.test(text)) return null;
  const moduli = new Set<bigint>();
  for (const m of text.matchAll(MODULUS)) {
    moduli.add(BigInt(m[1]));
    if (moduli.size > MAX_MODULI) return [];
  }
  return [...moduli];
}

const OTHER_BASE = /\bbase[- ]?\(?(?!10\b)\d+\b|\b(?:binary|octal|hexadecimal|duodecimal)\b|\d_\{?(?!10\b)\d+\b/i;

/** The text writes numerals in another base ("101 + 11 = 1000 in base 2", "58_9"): digits do not mean decimals. */
export function usesOtherBase(text: string): boolean {
  return OTHER_BASE.test(text);
}
