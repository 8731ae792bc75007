import { Item, classify, isRelation } from './classify';
import { Token } from './lexer';

/**
 * Finds equality chains (`a = b = c`) in a token stream and cuts them into operands.
 *
 * A chain is a run of expression tokens between two boundaries (prose, punctuation, relations, line breaks).
 * The precision of the whole checker rests on the boundaries: an operand at the edge of a chain is only
 * readable when the boundary next to it cannot hide part of the expression ("5 times 3 + 1 = 16",
 * "1 1/2 + 1/2 = 2", "3:45", "3,5"). Unreadable operands make their links unknown, never wrong.
 */

export interface Operand {
  items: Item[];
  /** UTF-16 span in the step text. */
  start: number;
  end: number;
  /** False when the boundary next to it may have cut off part of the expression. */
  readable: boolean;
  /** Written after "about", "~", "approximately". */
  approx: boolean;
}

export interface Chain {
  operands: Operand[];
  /** relations[i] joins operands[i] and operands[i + 1]. */
  relations: ('eq' | 'approx')[];
}

export function findChains(tokens: readonly Token[]): Chain[] {
  const runs: Run[] = [];
  let items: Item[] = [];
  let startSafe = true;
  for (let i = 0; i < tokens.length; i++) {
    const result = classify(tokens, i, items);
    if (result === 'skip') continue;
    if ('role' in result) {
      // A word after a number ends the run when a new quantity follows it. A known unit is a clean end, an
      // unknown word may continue the number ("= 3 with a remainder of 2"); the quantity after it may belong to
      // the word ("1 in 4 = 25%").
      const last = items[items.length - 1];
      if (last?.role === 'unit' && opensQuantity(result)) {
        runs.push({ items, startSafe, endSafe: last.unit?.listed === true });
        items = [];
        startSafe = false;
      }
      items.push(result);
      // "approx." — the period belongs to the word.
      if (result.role === 'approx' && tokens[i + 1]?.sym === '.' && !tokens[i + 1].spaceBefore) i++;
      continue;
    }
    runs.push({ items, startSafe, endSafe: result.endSafe, end: tokens[i] });
    startSafe = result.startSafe || (result.joins === true && items.some(isRelation));
    items = [];
  }
  runs.push({ items, startSafe, endSafe: true });
  guardLists(runs);
  const chains: Chain[] = [];
  for (const run of runs) {
    if (run.items.some(isRelation)) chains.push(cutChain(run.items, run.startSafe, run.endSafe));
  }
  return chains;
}

function opensQuantity(item: Item): boolean {
  const kind = item.tok.kind;
  return item.role === 'var' || item.role === 'func' || ['num', 'open', 'pi', 'root', 'cmd', 'currency'].includes(kind);
}

/** Items between two boundaries. */
interface Run {
  items: Item[];
  startSafe: boolean;
  endSafe: boolean;
  /** The boundary token that ended the run. */
  end?: Token;
}

/**
 * "(7-4), (9-4) = 3, 5": an operand next to a comma whose other side is a bare expression is one entry of a
 * list, and the list pairs up with another list, not with the operand.
 */
function guardLists(runs: Run[]): void {
  for (let k = 0; k + 1 < runs.length; k++) {
    if (runs[k].end?.sym !== ',') continue;
    const before = runs[k];
    const after = runs[k + 1];
    if (!after.items.some(isRelation) && after.items.length > 0) before.endSafe = false;
    if (!before.items.some(isRelation) && before.items.length > 0) after.startSafe = false;
  }
}

/** Splits a run of items at its relations; edge operands are readable only next to safe boundaries. */
function cutChain(items: Item[], startSafe: boolean, endSafe: boolean): Chain {
  const groups: Item[][] = [[]];
  const relations: ('eq' | 'approx')[] = [];
  for (const item of items) {
    if (isRelation(item)) {
      relations.push(item.tok.kind === 'eq' ? 'eq' : 'approx');
      groups.push([]);
    } else groups[groups.length - 1].push(item);
  }
  const last = groups.length - 1;
  const operands = groups.map((group, g) => {
    let list = group;
    let readable = true;
    if (g === 0) {
      const trimmed = trimUnmatched(list, 'start');
      list = trimmed.items;
      readable = startSafe && trimmed.clean && startsCleanly(list);
    }
    if (g === last) {
      list = trimUnmatched(list, 'end').items;
      readable = readable && endSafe;
    }
    let approx = false;
    while (list[0]?.role === 'approx') {
      approx = true;
      list = list.slice(1);
    }
    if (list.length === 0 || list.some((it) => it.role === 'approx')) readable = false;
    const tail = list[list.length - 1];
    if (tail && tail.tok.kind === 'op') readable = false;
    // The span stops before trailing words that may be prose rather than units ("= 15 with").
    let spanEnd = list.length - 1;
    while (spanEnd > 0 && list[spanEnd].role === 'unit' && !list[spanEnd].unit?.listed) spanEnd--;
    return {
      items: list,
      start: list[0]?.tok.start ?? 0,
      end: list[spanEnd]?.tok.end ?? 0,
      readable,
      approx,
    };
  });
  return { operands, relations };
}

/** A chain's first operand may not start with a binary operator, nor with a sign set apart from its number. */
function startsCleanly(list: readonly Item[]): boolean {
  const first = list[0]?.tok;
  if (!first || first.kind !== 'op') return true;
  if (first.sym !== '-' && first.sym !== '+') return false;
  const second = list[1]?.tok;
  return second !== undefined && !second.spaceBefore;
}

/**
 * Drops brackets at the outer edge that open (or close) outside the chain: "(so 2 + 3 = 5)". A chain that starts
 * with a closing bracket began inside a structure ("\frac{\text{total}}{12} = …") and is not read.
 */
function trimUnmatched(list: Item[], side: 'start' | 'end'): { items: Item[]; clean: boolean } {
  const opens: number[] = [];
  const unmatched = new Set<number>();
  list.forEach((it, k) => {
    if (it.tok.kind === 'open') opens.push(k);
    else if (it.tok.kind === 'close') {
      if (opens.length) opens.pop();
      else unmatched.add(k);
    }
  });
  for (const k of opens) unmatched.add(k);
  let from = 0;
  let to = list.length;
  if (side === 'start') {
    if (list[0]?.tok.kind === 'close') return { items: list, clean: false };
    while (from < to && unmatched.has(from)) from++;
  } else while (to > from && unmatched.has(to - 1)) to--;
  return { items: list.slice(from, to), clean: true };
}
