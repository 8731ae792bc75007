import { Item, UnitMark } from './classify';
import { NumberLiteral, Token } from './lexer';
import { CHECK_LIMITS, NotChecked } from './limits';
import { Value } from './value';

/** Parses one operand of a chain into an expression tree, or gives up (null) on anything it cannot read. */

export type Node =
  | { t: 'num'; lit: NumberLiteral; text: string; end: number; percent: boolean; units: string[] }
  | { t: 'pi' }
  | { t: 'neg'; a: Node }
  | { t: 'bin'; op: '+' | '-' | '*' | '/'; a: Node; b: Node; implicit: boolean }
  | { t: 'pow'; a: Node; b: Node }
  | { t: 'root'; a: Node; index: number }
  | { t: 'frac'; a: Node; b: Node }
  | { t: 'group'; a: Node; percent: boolean; units: string[] }
  | { t: 'binom'; n: Node; k: Node }
  /** A letter the step itself gave a value ("x = 3, so 2x + 1 = 7"). */
  | { t: 'var'; name: string; value: Value };

export interface UnitUse extends UnitMark {
  /** More of the expression follows the unit ("12 kg × 3"), so the word must really be a unit. */
  inside: boolean;
}

export interface ParsedOperand {
  node: Node;
  units: UnitUse[];
  /** Additive terms carry different units ("1 h + 30 min"): not comparable as plain numbers. */
  mixedUnits: boolean;
  /** Readings a mismatch must not be blamed on: "3-5" (a range?), "6/2(1+2)", "-3^2". */
  ambiguous: boolean;
}

const CURRENCY_UNITS: Record<string, string> = {
  $: 'dollar',
  '€': 'euro',
  euro: 'euro',
  '£': 'pound',
  pounds: 'pound',
  '¥': 'yen',
  yen: 'yen',
  '₹': 'rupee',
  '₩': 'won',
  '₽': 'ruble',
};

class Unreadable extends Error {}

/**
 * `bindings` gives letters a value; any other letter makes the operand unreadable. An operand too long or nested
 * too deeply for CHECK_LIMITS throws NotChecked: its tree would be too deep for the walks over it.
 */
export function parseOperand(items: readonly Item[], bindings?: ReadonlyMap<string, Value>): ParsedOperand | null {
  const max = CHECK_LIMITS.operandItems;
  if (items.length > max) {
    throw new NotChecked(`an expression of ${items.length} symbols; the checker reads up to ${max}`);
  }
  const parser = new Parser(items, bindings);
  try {
    const node = parser.parse();
    return { node, units: parser.units, mixedUnits: unitsOf(node) === null, ambiguous: parser.ambiguous };
  } catch (e) {
    if (e instanceof Unreadable) return null;
    throw e;
  }
}

class Parser {
  private i = 0;
  ambiguous = false;
  units: UnitUse[] = [];
  private unitEnds: number[] = [];
  private depth = 0;

  constructor(
    private readonly items: readonly Item[],
    private readonly bindings?: ReadonlyMap<string, Value>,
  ) {}

  private bound(it: Item | undefined): Value | undefined {
    return it?.role === 'var' ? this.bindings?.get(it.tok.sym) : undefined;
  }

  parse(): Node {
    const node = this.sum();
    if (this.i !== this.items.length) throw new Unreadable();
    this.units.forEach((u, k) => {
      u.inside = this.unitEnds[k] < this.items.length;
    });
    return node;
  }

  /** One nested level (a bracket, a sign, an exponent, a root): the parser's recursion is bounded by CHECK_LIMITS. */
  private nested(parse: () => Node): Node {
    if (++this.depth > CHECK_LIMITS.nesting) {
      throw new NotChecked(`an expression nested more than ${CHECK_LIMITS.nesting} levels deep`);
    }
    const node = parse();
    this.depth--;
    return node;
  }

  private peek(): Item | undefined {
    return this.items[this.i];
  }

  private take(): Item {
    const it = this.items[this.i++];
    if (!it) throw new Unreadable();
    return it;
  }

  private isOp(sym: string): boolean {
    const it = this.peek();
    return it !== undefined && it.role === 'expr' && it.tok.kind === 'op' && it.tok.sym === sym;
  }

  private sum(): Node {
    let left = this.product();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.take().tok;
      const next = this.peek()?.tok;
      const right = this.product();
      if (op.sym === '-' && !op.spaceBefore && next && !next.spaceBefore && isRange(left, right)) this.ambiguous = true;
      left = { t: 'bin', op: op.sym as '+' | '-', a: left, b: right, implicit: false };
    }
    return left;
  }

  private product(): Node {
    let left = this.unary();
    for (;;) {
      if (this.isOp('*') || this.isOp('/')) {
        const op = this.take().tok.sym as '*' | '/';
        // 120/1/6: writers mean 120/(1/6) as often as (120/1)/6.
        if (op === '/' && left.t === 'bin' && left.op === '/') this.ambiguous = true;
        left = { t: 'bin', op, a: left, b: this.unary(), implicit: false };
      } else if (this.implicitProductFollows(left)) {
        // 6/2(1+2): the famous ambiguity.
        if (left.t === 'bin' && left.op === '/') this.ambiguous = true;
        left = { t: 'bin', op: '*', a: left, b: this.power(), implicit: true };
      } else return left;
    }
  }

  /** Juxtaposition: 3(4), (2)(3), 2√3, 2\sqrt{3}, 2π; "2 \frac{1}{2}" could be a mixed number. */
  private implicitProductFollows(left: Node): boolean {
    const it = this.peek();
    if (!it) return false;
    const tok = it.tok;
    if (this.bound(it)) return !tok.spaceBefore;
    if (it.role === 'func') return tok.sym.toLowerCase() === 'sqrt';
    if (it.role !== 'expr') return false;
    if (tok.kind === 'open' && tok.sym === '(') return !tok.spaceBefore;
    if (tok.kind === 'root' || tok.kind === 'pi') return true;
    if (tok.kind === 'cmd' && (tok.sym === 'sqrt' || tok.sym === 'binom')) return true;
    if (tok.kind === 'cmd' && tok.sym === 'frac') {
      if (left.t === 'num' || (left.t === 'neg' && left.a.t === 'num')) throw new Unreadable();
      return true;
    }
    return false;
  }

  private unary(): Node {
    if (this.isOp('-') || this.isOp('+')) {
      const minus = this.take().tok.sym === '-';
      const a = this.nested(() => this.unary());
      // -3^2 is -9 by convention, 9 to some writers.
      if (a.t === 'pow' && a.a.t === 'num') this.ambiguous = true;
      return minus ? { t: 'neg', a } : a;
    }
    return this.power();
  }

  private power(): Node {
    const base = this.postfix();
    if (!this.isOp('^')) return base;
    this.take();
    return { t: 'pow', a: base, b: this.nested(() => this.exponent()) };
  }

  private exponent(): Node {
    if (this.isOp('-') || this.isOp('+')) {
      const minus = this.take().tok.sym === '-';
      const a = this.nested(() => this.exponent());
      return minus ? { t: 'neg', a } : a;
    }
    return this.power();
  }

  private postfix(): Node {
    const node = this.primary();
    const it = this.peek();
    if (it?.tok.kind === 'percent') {
      if ((node.t !== 'num' && node.t !== 'group') || node.percent) throw new Unreadable();
      this.take();
      node.percent = true;
    }
    return node;
  }

  private primary(): Node {
    const it = this.take();
    const tok = it.tok;
    const value = this.bound(it);
    if (value) return { t: 'var', name: tok.sym, value };
    if (it.role === 'func') {
      if (tok.sym.toLowerCase() !== 'sqrt' || this.peek()?.tok.sym !== '(') throw new Unreadable();
      return { t: 'root', a: this.nested(() => this.primary()), index: 2 };
    }
    if (it.role !== 'expr') throw new Unreadable();
    switch (tok.kind) {
      case 'currency': {
        const n = this.take();
        if (n.tok.kind !== 'num' || n.role !== 'expr') throw new Unreadable();
        return this.number(n.tok, CURRENCY_UNITS[tok.sym] ?? tok.sym);
      }
      case 'num':
        return this.number(tok, null);
      case 'open': {
        const a = this.nested(() => this.sum());
        const close = this.take().tok;
        if (close.kind !== 'close' || close.sym !== CLOSING[tok.sym]) throw new Unreadable();
        const group: Node = { t: 'group', a, percent: false, units: [] };
        this.absorbUnits(group.units);
        return group;
      }
      case 'pi':
        return { t: 'pi' };
      case 'root':
        return { t: 'root', a: this.nested(() => this.primary()), index: Number(tok.sym) };
      case 'cmd':
        return this.command(tok.sym);
      default:
        throw new Unreadable();
    }
  }

  private command(name: string): Node {
    switch (name) {
      case 'frac':
        return { t: 'frac', a: this.braced('{'), b: this.braced('{') };
      case 'binom':
        return { t: 'binom', n: this.braced('{'), k: this.braced('{') };
      case 'sqrt': {
        let index = 2;
        if (this.peek()?.tok.sym === '[') {
          const n = this.braced('[');
          if (n.t !== 'num' || n.lit.decimals > 0) throw new Unreadable();
          index = Number(n.lit.value.valueOf());
        }
        return { t: 'root', a: this.braced('{'), index };
      }
      default:
        throw new Unreadable();
    }
  }

  private braced(open: '{' | '['): Node {
    const first = this.take().tok;
    if (first.kind !== 'open' || first.sym !== open) throw new Unreadable();
    const a = this.nested(() => this.sum());
    const close = this.take().tok;
    if (close.kind !== 'close' || close.sym !== CLOSING[open]) throw new Unreadable();
    return a;
  }

  private number(tok: Token, currency: string | null): Node {
    const lit = tok.num!;
    if (lit.odd) throw new Unreadable();
    const node: Node = { t: 'num', lit, text: tok.sym, end: tok.end, percent: false, units: [] };
    if (currency) this.addUnit(node.units, { key: currency, kind: 'plain', listed: true, inside: false });
    this.absorbUnits(node.units);
    return node;
  }

  /**
   * Unit words after a quantity, with a power written on them ("cm^2"), divided by another ("km/h", "m/s^2"), and a
   * trailing currency sign.
   */
  private absorbUnits(into: string[]): void {
    for (let it = this.peek(); it; it = this.peek()) {
      const per = this.items[this.i + 1];
      if (it.role === 'unit' && it.unit) {
        this.take();
        this.addUnit(into, { ...it.unit, key: it.unit.key + this.unitPower(), inside: false });
      } else if (this.isOp('/') && into.length > 0 && per?.unit?.per) {
        this.i += 2;
        const key = `${into[into.length - 1]}/${per.unit.key}${this.unitPower()}`;
        into[into.length - 1] = key;
        // "m/s" is a unit, whatever a lone "m" might be.
        Object.assign(this.units[this.units.length - 1], { key, symbol: false });
        this.unitEnds[this.unitEnds.length - 1] = this.i;
      } else if (it.role === 'expr' && it.tok.kind === 'currency' && this.items[this.i + 1]?.tok.kind !== 'num') {
        this.take();
        this.addUnit(into, {
          key: CURRENCY_UNITS[it.tok.sym] ?? it.tok.sym,
          kind: 'plain',
          listed: true,
          inside: false,
        });
      } else return;
    }
  }

  /** The power written on a unit: "cm^2", "cm²", "cm^-1", "cm^{-1}"; empty when none. */
  private unitPower(): string {
    const caret = this.peek()?.tok;
    if (caret?.sym !== '^' || caret.spaceBefore) return '';
    const syms = this.items.slice(this.i + 1, this.i + 5).map((it) => it.tok);
    const braced = syms[0]?.sym === '{';
    let k = braced ? 1 : 0;
    const minus = syms[k]?.sym === '-';
    if (minus) k++;
    if (syms[k]?.kind !== 'num' || (braced && syms[k + 1]?.sym !== '}')) return '';
    this.i += 1 + k + 1 + (braced ? 1 : 0);
    return `^${minus ? '-' : ''}${syms[k].sym}`;
  }

  private addUnit(into: string[], use: UnitUse): void {
    into.push(use.key);
    this.units.push(use);
    this.unitEnds.push(this.i);
  }
}

const CLOSING: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** "3-5" written tight between two whole numbers, the smaller first, reads as a range as much as a difference. */
function isRange(left: Node, right: Node): boolean {
  return (
    left.t === 'num' &&
    right.t === 'num' &&
    !left.percent &&
    !right.percent &&
    left.lit.decimals === 0 &&
    right.lit.decimals === 0 &&
    left.lit.value.compare(right.lit.value) < 0
  );
}

/** The units an expression carries, or null when added terms disagree. */
function unitsOf(node: Node): Set<string> | null {
  const parts = childrenOf(node).map(unitsOf);
  if (parts.some((p) => p === null)) return null;
  const [a, b] = parts as Set<string>[];
  if (node.t === 'bin' && (node.op === '+' || node.op === '-') && !sameSet(a, b)) return null;
  const own = node.t === 'num' || node.t === 'group' ? node.units : [];
  return new Set([...own, ...parts.flatMap((p) => [...p!])]);
}

export function childrenOf(n: Node): Node[] {
  switch (n.t) {
    case 'num':
    case 'pi':
    case 'var':
      return [];
    case 'neg':
    case 'group':
    case 'root':
      return [n.a];
    case 'bin':
    case 'frac':
    case 'pow':
      return [n.a, n.b];
    case 'binom':
      return [n.n, n.k];
  }
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
