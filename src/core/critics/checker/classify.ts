import { Token } from './lexer';
import {
  ANGLE_WORDS,
  APPROX_WORDS,
  CONJUNCTIONS,
  COPULAS,
  FUNCTION_WORDS,
  GLUED_UNITS,
  OPERATOR_WORDS,
  ORDINAL_SUFFIXES,
  PREPOSITIONS,
  SCALE_WORDS,
  UNIT_MODIFIERS,
  UNIT_SYMBOLS,
  UNIT_WORDS,
  unitKey,
} from './words';

/**
 * Decides, token by token, what belongs to an expression and where a boundary falls, and whether the
 * boundary is safe: an operand next to an unsafe boundary may have lost part of its expression
 * ("5 times 3 + 1 = 16", "3:45", "3,5") and is not read.
 */

type UnitKind = 'plain' | 'scale' | 'angle';

export interface UnitMark {
  /** Singular lower-case form ("apples" → "apple", "$" → "dollar"). */
  key: string;
  kind: UnitKind;
  /** A known unit word, so it may sit inside an expression ("12 kg × 3"). */
  listed: boolean;
  /** Written as a plural noun ("boxes"): a counted thing, so it may sit inside an expression too. */
  plural?: boolean;
  /** A one-letter symbol ("2 h"), which may also be read as a variable (see UNIT_SYMBOLS). */
  symbol?: boolean;
  /** The denominator of a compound unit: "h" in "km/h". */
  per?: boolean;
}

export interface Item {
  tok: Token;
  /** `var`: a letter or unknown name (makes its operand unknown); `func`: a function word; `approx`: "about". */
  role: 'expr' | 'unit' | 'var' | 'func' | 'approx';
  unit?: UnitMark;
}

interface Boundary {
  /** Whether the chain before it may end here. */
  endSafe: boolean;
  /** Whether the chain after it may start here. */
  startSafe: boolean;
  /** A conjunction ("and", "so"): after a complete claim the next chain starts cleanly. */
  joins?: boolean;
}

const SAFE: Boundary = { endSafe: true, startSafe: true };
const UNSAFE: Boundary = { endSafe: false, startSafe: false };

const EXPRESSION_KINDS = new Set(['num', 'op', 'open', 'close', 'pi', 'root', 'cmd', 'percent', 'currency']);

export function isRelation(item: Item): boolean {
  return item.tok.kind === 'eq' || item.tok.kind === 'approx';
}

/** What token `i` is, given the items of the current run: one more item, a boundary, or see-through. */
export function classify(tokens: readonly Token[], i: number, items: readonly Item[]): Item | Boundary | 'skip' {
  const t = tokens[i];
  if (EXPRESSION_KINDS.has(t.kind) || t.kind === 'eq' || t.kind === 'approx') return { tok: t, role: 'expr' };
  switch (t.kind) {
    case 'degree':
      return { tok: t, role: 'unit', unit: { key: '°', kind: 'angle', listed: true } };
    case 'tilde':
      return { tok: t, role: 'approx' };
    case 'dollar':
      return 'skip';
    case 'newline': {
      // A chain may continue on the next line ("= 5").
      const next = nextSignificant(tokens, i);
      return next && (next.kind === 'eq' || next.kind === 'approx') ? 'skip' : SAFE;
    }
    case 'rel':
    case 'arrow':
      return SAFE;
    case 'punct':
      return punctuation(tokens, i);
    case 'word':
      return word(tokens, i, items);
    default:
      return UNSAFE;
  }
}

function punctuation(tokens: readonly Token[], i: number): Boundary {
  const t = tokens[i];
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  if (t.sym === '!') return UNSAFE; // factorial or exclamation: undecidable
  if (t.sym === '?') return { endSafe: false, startSafe: true }; // "Is 13^2 + 15^2 = 20^2?" asks, not claims
  const gluedBefore = prev !== undefined && !t.spaceBefore;
  const gluedAfter = next !== undefined && !next.spaceBefore;
  // 3,5 · 3:45 · (3,4) · 1.a — a number glued to the mark on either side.
  if (gluedAfter && next.kind === 'num') return UNSAFE;
  if (gluedBefore && gluedAfter && prev.kind === 'num' && t.sym !== '**') return UNSAFE;
  // "3 : 4" is a ratio.
  if (t.sym === ':' && t.spaceBefore && prev?.kind === 'num') return UNSAFE;
  return SAFE;
}

function word(tokens: readonly Token[], i: number, items: readonly Item[]): Item | Boundary | 'skip' {
  const t = tokens[i];
  const lower = t.sym.toLowerCase();
  const prev = previousSignificant(tokens, i);
  const prevItem = items[items.length - 1];
  const inRun = prev !== undefined && prevItem?.tok.start === prev.start;
  const afterNumber = inRun && prev.kind === 'num';
  const afterUnit = inRun && prevItem.role === 'unit';
  const [next] = significantAfter(tokens, i, 1);
  const nextWord = next?.kind === 'word' ? next.sym.toLowerCase() : '';

  // Glued to a number: "5km" is a unit, "3rd" an ordinal, "2x" a variable term.
  if (afterNumber && !t.spaceBefore) {
    if (ORDINAL_SUFFIXES.has(lower)) return UNSAFE;
    if (GLUED_UNITS.has(lower))
      return { tok: t, role: 'unit', unit: { key: unitKey(lower), kind: 'plain', listed: true } };
    return { tok: t, role: 'var' };
  }
  if (lower === 'x' && isTimesX(tokens, i, prevItem)) return { tok: { ...t, kind: 'op', sym: '*' }, role: 'expr' };
  if (isPerUnit(tokens, i, items)) {
    return { tok: t, role: 'unit', unit: { key: unitKey(t.sym), kind: 'plain', listed: true, per: true } };
  }
  if (afterNumber && UNIT_SYMBOLS.has(t.sym)) {
    return { tok: t, role: 'unit', unit: { key: t.sym, kind: 'plain', listed: true, symbol: true } };
  }
  // Letters and names with digits (x, t0, log2, R1 as in "3 R1") are never units or prose.
  if ([...t.sym].length === 1 || /[0-9]/.test(t.sym)) return { tok: t, role: 'var' };
  if (APPROX_WORDS.has(lower) && prevItem !== undefined && isRelation(prevItem)) return { tok: t, role: 'approx' };
  if (afterNumber && (lower === 'percent' || (lower === 'per' && nextWord === 'cent'))) {
    return { tok: { ...t, kind: 'percent', sym: '%' }, role: 'expr' };
  }
  if (lower === 'cent' && inRun && prevItem.tok.kind === 'percent') return 'skip';
  if (lower === 'of' && endsWithFractionOrPercent(items) && startsQuantity(tokens, i)) {
    return { tok: { ...t, kind: 'op', sym: '*' }, role: 'expr' };
  }
  const hangs = prev !== undefined && (prev.kind === 'num' || prev.kind === 'close' || afterUnit);
  if (COPULAS.has(lower)) return SAFE;
  if (CONJUNCTIONS.has(lower)) {
    // "= 2 and 1/3" is a mixed number; "= 4 or 5" offers alternatives.
    const endSafe =
      !(lower === 'and' && mixedNumberFollows(tokens, i)) && !(lower === 'or' && startsQuantity(tokens, i));
    return { endSafe, startSafe: !hangs, joins: true };
  }
  if (afterNumber || afterUnit || (inRun && prev.kind === 'percent')) {
    if (SCALE_WORDS.has(lower)) return { tok: t, role: 'unit', unit: { key: lower, kind: 'scale', listed: true } };
    // "= 2/6 of the pie" ends cleanly; "= 2/6 of 12" and "= 5 squared" do not.
    if (PREPOSITIONS.has(lower) && !startsQuantity(tokens, i)) return { endSafe: true, startSafe: false };
    if (UNIT_MODIFIERS.has(lower) && UNIT_WORDS.has(nextWord)) {
      return { tok: t, role: 'unit', unit: { key: lower, kind: 'plain', listed: true } };
    }
    if (OPERATOR_WORDS.has(lower) || FUNCTION_WORDS.has(lower)) return UNSAFE;
    if (prev.kind === 'percent') return { endSafe: true, startSafe: false };
    if (afterUnit && !UNIT_MODIFIERS.has(prevItem.tok.sym.toLowerCase()) && !UNIT_WORDS.has(lower)) {
      return { endSafe: true, startSafe: false };
    }
    const kind = ANGLE_WORDS.has(lower) ? 'angle' : 'plain';
    const key = unitKey(lower);
    const listed = UNIT_WORDS.has(lower) || kind === 'angle';
    return { tok: t, role: 'unit', unit: { key, kind, listed, plural: key !== lower } };
  }
  if (FUNCTION_WORDS.has(lower)) return { tok: t, role: 'func' };
  if (OPERATOR_WORDS.has(lower) || SCALE_WORDS.has(lower)) return UNSAFE;
  // Prose. What follows is a fresh start unless the word hangs off a number ("5 apples and 3 + 2") or calls
  // the brackets after it ("log2(8) = 3").
  const call = tokens[i + 1]?.kind === 'open' && !tokens[i + 1].spaceBefore;
  return { endSafe: true, startSafe: !hangs && !call };
}

/** "km/h", "m/s": a unit written right after a unit and a slash, all glued together, divides it. */
function isPerUnit(tokens: readonly Token[], i: number, items: readonly Item[]): boolean {
  const t = tokens[i];
  const [unit, slash] = items.slice(-2);
  if (!unit || !slash || slash.tok !== tokens[i - 1] || slash.tok.sym !== '/') return false;
  const glued = !t.spaceBefore && !slash.tok.spaceBefore && unit.tok.end === slash.tok.start;
  return glued && unit.role === 'unit' && (UNIT_WORDS.has(t.sym.toLowerCase()) || UNIT_SYMBOLS.has(t.sym));
}

/** "and 1/3", "and \frac{1}{3}", "and a half": the number before "and" is the whole part of a mixed number. */
function mixedNumberFollows(tokens: readonly Token[], i: number): boolean {
  const [a, b, c] = significantAfter(tokens, i, 3);
  if (a?.kind === 'num' && b?.sym === '/' && c?.kind === 'num') return true;
  if (a?.kind === 'cmd' && a.sym === 'frac') return true;
  return a?.kind === 'word' && /^(?:a|an|one|half)$/i.test(a.sym);
}

/** "12 x 3": a spaced lower-case x between quantities is a times sign; "2x" or "x + 1" is a variable. */
function isTimesX(tokens: readonly Token[], i: number, prevItem: Item | undefined): boolean {
  const next = tokens[i + 1];
  if (!tokens[i].spaceBefore || next === undefined || !next.spaceBefore || prevItem === undefined) return false;
  const prevOk = prevItem.tok.kind === 'num' || prevItem.tok.kind === 'close' || prevItem.role === 'unit';
  const nextOk =
    next.kind === 'num' || next.kind === 'currency' || (next.kind === 'dollar' && tokens[i + 2]?.kind === 'num');
  return prevOk && nextOk;
}

/** "20% of", "2/3 of", "\frac{2}{3} of". */
function endsWithFractionOrPercent(items: readonly Item[]): boolean {
  const n = items.length;
  const last = items[n - 1]?.tok;
  if (!last) return false;
  if (last.kind === 'percent') return true;
  if (last.kind === 'num' && items[n - 2]?.tok.sym === '/' && items[n - 3]?.tok.kind === 'num') return true;
  if (last.kind === 'close' && last.sym === '}') {
    // Walk back over two brace groups to \frac.
    let depth = 0;
    let groups = 0;
    for (let k = n - 1; k >= 0; k--) {
      const tok = items[k].tok;
      if (tok.kind === 'close') depth++;
      else if (tok.kind === 'open' && --depth === 0 && ++groups === 2) return items[k - 1]?.tok.sym === 'frac';
    }
  }
  return false;
}

function startsQuantity(tokens: readonly Token[], i: number): boolean {
  const [next] = significantAfter(tokens, i, 1);
  return next !== undefined && (next.kind === 'num' || next.kind === 'currency' || next.kind === 'open');
}

/** The next `n` tokens after `i`, past dollar signs. */
function significantAfter(tokens: readonly Token[], i: number, n: number): Token[] {
  const found: Token[] = [];
  for (let k = i + 1; k < tokens.length && found.length < n; k++)
    if (tokens[k].kind !== 'dollar') found.push(tokens[k]);
  return found;
}

function previousSignificant(tokens: readonly Token[], i: number): Token | undefined {
  for (let k = i - 1; k >= 0; k--) if (tokens[k].kind !== 'dollar') return tokens[k];
  return undefined;
}

function nextSignificant(tokens: readonly Token[], i: number): Token | undefined {
  for (let k = i + 1; k < tokens.length; k++)
    if (tokens[k].kind !== 'dollar' && tokens[k].kind !== 'newline') return tokens[k];
  return undefined;
}
