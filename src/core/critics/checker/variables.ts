import { Chain } from './chains';
import { evaluate } from './evaluate';
import { parseOperand } from './parse-expression';
import { Value } from './value';

/** Alternatives: "either b = 1 or b^2 + b - 6 = 0" binds b in one branch only. */
const ALTERNATIVES = /\b(?:or|either|otherwise|else|cases?)\b|\\lor\b|∨/i;

/**
 * Letters a step gives exactly one numeric value ("x = 3", "let n = 12/4"). A letter written on the left of "="
 * more than once with different values (trials) or set to an expression is not bound; in a step that speaks of
 * alternatives nothing is.
 */
export function definitions(text: string, chains: readonly Chain[]): Map<string, Value> {
  const bound = new Map<string, Value>();
  if (ALTERNATIVES.test(text)) return bound;
  const seen = new Map<string, Value | null>();
  for (const chain of chains) {
    chain.operands.forEach((op, i) => {
      const name = op.items.length === 1 && op.items[0].role === 'var' ? op.items[0].tok.sym : null;
      // i is as often the imaginary unit as an index.
      if (!name || [...name].length !== 1 || name === 'i') return;
      const next = chain.operands[i + 1];
      const parsed = next?.readable && chain.relations[i] === 'eq' ? parseOperand(next.items) : null;
      const value = parsed && !parsed.mixedUnits ? evaluate(parsed.node) : null;
      const known = seen.get(name);
      const same = known && value && 'exact' in known && 'exact' in value && known.exact.equals(value.exact);
      seen.set(name, seen.has(name) && !same ? null : value && 'exact' in value ? value : null);
    });
  }
  for (const [name, value] of seen) if (value) bound.set(name, value);
  return bound;
}
