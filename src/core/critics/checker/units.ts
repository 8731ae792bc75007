import { Node, ParsedOperand, childrenOf } from './parse-expression';

/**
 * Whether two sides may be compared as plain numbers given the units written on them. Conversions
 * ("2 hours × 60 = 120 minutes"), mixed sums ("1 h + 30 min") and scale words ("2 million") are not.
 */
export function unitsComparable(a: ParsedOperand, b: ParsedOperand): boolean {
  if (a.mixedUnits || b.mixedUnits) return false;
  const all = [...a.units, ...b.units];
  // A word inside an expression counts as a unit only if it is a known unit, is repeated ("12 apples × 3 =
  // 36 apples") or reads as a counted noun ("3 boxes × 4"); operator words ("5 squared + 1") never get here.
  for (const u of all) {
    if (u.inside && !u.listed && !u.plural && all.filter((v) => v.key === u.key).length < 2) return false;
  }
  // A one-letter symbol may be a variable ("3 m" is 3·m): "2 h + 1.5 h = 3.5 h" reads alike either way, but only
  // with the same units on both sides and no two of them multiplied ("2 × 3 m = 12" solves for m; "2 m × 3 m").
  if (all.some((u) => u.symbol)) {
    const written = (p: ParsedOperand) => new Set(p.units.map((u) => u.key));
    if (!sameSet(written(a), written(b)) || multipliesUnits(a.node) || multipliesUnits(b.node)) return false;
  }
  // Scales and angles must match exactly: "2 million" vs 2,000,000, 90° vs π/2.
  if (!sameSet(keys(a, true), keys(b, true))) return false;
  // One side's units must be among the other's.
  const pa = keys(a, false);
  const pb = keys(b, false);
  return pa.size === 0 || pb.size === 0 || within(pa, pb) || within(pb, pa);
}

function keys(p: ParsedOperand, sensitive: boolean): Set<string> {
  return new Set(p.units.filter((u) => (u.kind !== 'plain') === sensitive).map((u) => u.key.replace(/\^.*/, '')));
}

function within(x: Set<string>, y: Set<string>): boolean {
  return [...x].every((k) => y.has(k));
}

function sameSet(x: Set<string>, y: Set<string>): boolean {
  return x.size === y.size && within(x, y);
}

/** Two quantities with units multiplied or divided, or one raised to a power: "2 m × 3 m", "(2 m)^2". */
function multipliesUnits(node: Node): boolean {
  const [a, b] = childrenOf(node);
  if (node.t === 'pow' && hasUnits(a)) return true;
  const multiplies = node.t === 'frac' || (node.t === 'bin' && (node.op === '*' || node.op === '/'));
  if (multiplies && hasUnits(a) && hasUnits(b)) return true;
  return childrenOf(node).some(multipliesUnits);
}

function hasUnits(node: Node): boolean {
  return ((node.t === 'num' || node.t === 'group') && node.units.length > 0) || childrenOf(node).some(hasUnits);
}
