/** Word lists that decide how a word next to numbers is read. All entries are lower case. */

/** Words that turn a neighbouring number into part of an unwritten operation ("5 times 3", "half of 10"). */
export const OPERATOR_WORDS = new Set([
  'times', 'plus', 'minus', 'over', 'of', 'by', 'than', 'less', 'more', 'fewer', 'squared', 'cubed', 'half',
  'halves', 'twice', 'double', 'doubled', 'triple', 'tripled', 'thrice', 'quarter', 'quarters', 'percent',
  'percentage', 'per', 'divided', 'multiplied', 'product', 'sum', 'difference', 'quotient', 'root', 'roots',
  'power', 'powers', 'exponent', 'factorial', 'negative', 'positive', 'mod', 'modulo', 'choose', 'out', 'to',
  'from', 'into', 'remainder', 'inverse', 'reciprocal', 'log', 'ln', 'sqrt', 'exp', 'sin', 'cos', 'tan',
  'square', 'cube', 'base', 'digit', 'digits', 'thirds', 'fourths', 'fifths', 'sixths', 'sevenths', 'eighths',
  'ninths', 'tenths', 'hundredths', 'thousandths',
]);

/** Words that join statements; never units ("2 + 2 = 4 and 3 + 3 = 6"). */
export const CONJUNCTIONS = new Set([
  'and', 'or', 'but', 'so', 'then', 'thus', 'hence', 'therefore', 'which', 'since', 'because', 'while', 'whereas',
  'where', 'when', 'if', 'as', 'for',
]);

/** Verbs that restate what precedes them ("612 is 2 × 2 × 153"): what follows starts a fresh expression. */
export const COPULAS = new Set(['is', 'are', 'was', 'were', 'equals', 'gives', 'giving', 'yields', 'makes', 'making']);

/** Operator words that only operate when a quantity follows them ("2/6 of 12", but "2/6 of the pie"). */
export const PREPOSITIONS = new Set(['of', 'by', 'to', 'from', 'than', 'out', 'into', 'per', 'over']);

/** Words that scale the number they follow: only comparable when both sides carry the same one. */
export const SCALE_WORDS = new Set([
  'hundred', 'hundreds', 'thousand', 'thousands', 'million', 'millions', 'billion', 'billions', 'trillion',
  'trillions', 'dozen', 'dozens', 'lakh', 'lakhs', 'crore', 'crores', 'gross', 'score', 'mil', 'mln', 'mn', 'bn',
  'bln', 'thou', 'grand',
]);

/** Angle units: degrees and radians are not comparable with plain numbers. */
export const ANGLE_WORDS = new Set(['°', 'degree', 'degrees', 'deg', 'rad', 'radian', 'radians']);

/** Words after "=" (or in the step) that announce the value is rounded or approximate. */
export const APPROX_WORDS = new Set([
  'about', 'approximately', 'approx', 'around', 'roughly', 'nearly', 'almost', 'circa', 'ca',
]);

/** Function names written as words; only sqrt is evaluated, the rest make an expression unknown. */
export const FUNCTION_WORDS = new Set([
  'sqrt', 'log', 'ln', 'lg', 'exp', 'sin', 'cos', 'tan', 'cot', 'sec', 'csc', 'arcsin', 'arccos', 'arctan',
  'sinh', 'cosh', 'tanh', 'max', 'min', 'gcd', 'lcm', 'abs', 'floor', 'ceil', 'round', 'mod', 'det', 'lim',
]);

/** Units of measurement; one may sit inside an expression ("12 kg × 3") and makes the data measured. */
export const UNIT_WORDS = new Set([
  'mm', 'cm', 'dm', 'km', 'inch', 'inches', 'ft', 'foot', 'feet', 'yd', 'yard', 'yards', 'mile', 'miles', 'mi',
  'meter', 'meters', 'metre', 'metres', 'centimeter', 'centimeters', 'millimeter', 'millimeters', 'kilometer',
  'kilometers', 'mg', 'kg', 'gram', 'grams', 'kilogram', 'kilograms', 'lb', 'lbs', 'pound', 'pounds', 'oz', 'ounce',
  'ounces', 'ton', 'tons', 'tonne', 'tonnes', 'sec', 'secs', 'second', 'seconds', 'min', 'mins', 'minute', 'minutes',
  'hr', 'hrs', 'hour', 'hours', 'day', 'days', 'week', 'weeks', 'month', 'months', 'year', 'years', 'yr', 'yrs',
  'ml', 'liter', 'liters', 'litre', 'litres', 'gallon', 'gallons', 'gal', 'cup', 'cups', 'quart', 'quarts', 'pint',
  'pints', 'dollar', 'dollars', 'cent', 'cents', 'euro', 'euros', 'usd', 'eur', 'gbp', 'mph', 'kph', 'kmh', 'kj',
  'kw', 'kwh', 'hz', 'khz', 'mhz', 'ghz', 'pa', 'kpa', 'atm', 'mol', 'mmol', 'cal', 'kcal', 'calorie', 'calories',
  'nm', 'um', 'µm', 'ms', 'ev', 'kev', 'mev', 'gev', 'torr', 'mmhg', 'ohm', 'ohms', 'dl', 'cl', 'µg', 'ug', 'rupee',
  'rupees', 'yen', 'won', 'ruble',
]);

/**
 * Unit symbols that are single letters (case matters: "m" metre, "M" not). After a number they may as well be a
 * variable ("3 m" is 3·m), so they only count when both sides of a claim carry the same ones (see units.ts).
 */
export const UNIT_SYMBOLS = new Set(['h', 's', 'm', 'g', 'L', 'N', 'J', 'W', 'V']);

const MONEY_AND_ANGLES = new Set(['dollar', 'euro', '°']);

/** A unit of measurement (singular key, see unitKey), as opposed to a counted noun; "km/h" when both parts are. */
export function isMeasure(key: string): boolean {
  const measure = (base: string) =>
    UNIT_WORDS.has(base) || UNIT_WORDS.has(`${base}s`) || UNIT_SYMBOLS.has(base) || MONEY_AND_ANGLES.has(base);
  return key.replace(/\^[^/]*/g, '').split('/').every(measure);
}

/** Words that may stand between a number and its unit ("5 square meters"). */
export const UNIT_MODIFIERS = new Set(['square', 'sq', 'cubic', 'cu', 'fluid', 'metric', 'light']);

/** Suffixes glued to a number that make it an ordinal ("3rd"), not a quantity. */
export const ORDINAL_SUFFIXES = new Set(['st', 'nd', 'rd', 'th']);

/** Unit abbreviations that may be glued to a number ("5km"); anything else glued is read as a variable. */
export const GLUED_UNITS = new Set([
  'mm', 'cm', 'km', 'kg', 'mg', 'ml', 'mph', 'kph', 'kmh', 'hrs', 'hr', 'min', 'mins', 'sec', 'secs', 'ft', 'lbs',
  'lb', 'oz', 'kw', 'kwh', 'kj', 'kcal', 'mol', 'gb', 'mb', 'kb', 'tb',
]);

/** Singular, lower-case form used to compare units written on both sides of a claim. */
export function unitKey(word: string): string {
  const w = word.toLowerCase();
  if (w === '$' || w === 'dollar' || w === 'dollars' || w === 'usd') return 'dollar';
  if (w === 'feet') return 'foot';
  if (w === 'people') return 'person';
  if (w.length > 3 && /(ches|shes|xes|sses)$/.test(w)) return w.slice(0, -2);
  if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss')) return w.slice(0, -1);
  return w;
}
