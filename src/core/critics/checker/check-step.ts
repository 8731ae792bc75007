import { Chain, Operand, findChains } from './chains';
import { Match, Precision, matchLiteral, matchValues } from './compare';
import { evaluate, hasPercent } from './evaluate';
import { printNode } from './format';
import { tokenize } from './lexer';
import { isBareNumber, leadingNumber, literalOf } from './literals';
import { Node, ParsedOperand, childrenOf, parseOperand } from './parse-expression';
import { ClaimSide, claimRecord, mismatchRecord, runningRecord } from './report';
import { ClaimCheck, StepCheck } from './types';
import { unitsComparable } from './units';
import { Value, toNumber } from './value';
import { definitions } from './variables';
import { isMeasure } from './words';
import { announcesRounding, distancesItself, moduliOf, usesOtherBase } from './wording';

const RELATION = /[=≈≃≅∼≒]|\\(?:approx|simeq|approxeq|thickapprox|sim|doteq)\b/;

export interface CheckOptions {
  /** The problem the step belongs to: its wording can change what "=" means. */
  problem?: string;
}

/**
 * Checks the arithmetic a step asserts. Each link of each equality chain is a claim; a claim is checked only
 * when both sides are fully read as numbers, so the verdict is `incorrect` only on a definite mistake.
 * Throws NotChecked past CHECK_LIMITS: call it through checkStep (bounded.ts).
 */
export function checkClaims(text: string, options: CheckOptions = {}): StepCheck {
  // Most steps are prose: without an equality sign there is nothing to read.
  const chains = RELATION.test(text) ? findChains(tokenize(text)) : [];
  const context: Context = {
    text,
    announced: announcesRounding(text),
    bindings: definitions(text, chains),
    moduli: moduliOf(`${options.problem ?? ''}\n${text}`),
  };
  let claims: ClaimCheck[] = [];
  for (const chain of chains) claims.push(...checkChain(context, chain));
  if (distancesItself(text) || usesOtherBase(`${options.problem ?? ''}\n${text}`)) claims = claims.filter((c) => c.ok);
  const failed = claims.filter((c) => !c.ok);
  if (failed.length > 0) {
    const more = failed.length > 1 ? ` (and ${failed.length - 1} more wrong claim${failed.length > 2 ? 's' : ''})` : '';
    return { verdict: 'incorrect', reason: failed[0].reason + more, claims };
  }
  if (claims.length > 0) {
    const n = claims.length;
    return { verdict: 'correct', reason: `${n} arithmetic claim${n === 1 ? ' checks' : 's check'} out`, claims };
  }
  return { verdict: 'unknown', reason: 'no checkable arithmetic', claims };
}

interface Context {
  text: string;
  announced: boolean;
  /** Letters the step gave a value. */
  bindings: ReadonlyMap<string, Value>;
  /** Moduli of a modular-arithmetic problem (empty: modular, modulus unknown); null otherwise. */
  moduli: bigint[] | null;
}

function checkChain(context: Context, chain: Chain): ClaimCheck[] {
  const parsed = chain.operands.map((op) => (op.readable ? parseOperand(op.items, context.bindings) : null));
  const claims: ClaimCheck[] = [];
  for (let i = 0; i + 1 < parsed.length; i++) {
    const left = parsed[i];
    const right = parsed[i + 1];
    if (!left || !right) continue;
    // "x = 3" itself defines, it does not claim.
    if (left.node.t === 'var' || right.node.t === 'var') continue;
    const link: Link = {
      left: [chain.operands[i], left],
      right: [chain.operands[i + 1], right],
      approx: chain.relations[i] === 'approx' || chain.operands[i + 1].approx,
      continues: i + 2 < parsed.length,
    };
    const claim = checkLink(context, link);
    if (claim) claims.push(claim);
  }
  return claims;
}

interface Link {
  left: [Operand, ParsedOperand];
  right: [Operand, ParsedOperand];
  /** Written with ≈ or "about". */
  approx: boolean;
  /** The chain goes on after the right side. */
  continues: boolean;
}

/** One link `left = right`: a claim record, or null when it is not checkable. */
function checkLink(context: Context, link: Link): ClaimCheck | null {
  const { text, moduli } = context;
  const announced = context.announced || link.approx;
  const [[leftOp, left], [rightOp, right]] = [link.left, link.right];
  const l = left.node;
  const r = right.node;
  // Two bare numbers ("1 hour = 60 minutes", "Step 3 = …") state a conversion or a label, not arithmetic; π on
  // its own may be a name (profit in economics).
  if (isBareNumber(l) && isBareNumber(r) && hasPercent(l) === hasPercent(r)) return null;
  if (l.t === 'pi' || r.t === 'pi') return null;
  if (!unitsComparable(left, right) || convertsUnits(left, right)) return null;
  const relation = link.approx ? '≈' : '=';
  const assertedOnLeft = assertsLeft(l, r);

  let closest: [ClaimSide, ClaimSide] | null = null;
  for (const [scaleLeft, scaleRight] of percentReadings(l, r)) {
    const lv = evaluate(l, scaleLeft);
    const rv = evaluate(r, scaleRight);
    if (!lv || !rv) return null;
    const sides: [ClaimSide, ClaimSide] = [
      { op: leftOp, node: l, value: lv, scaled: scaleLeft },
      { op: rightOp, node: r, value: rv, scaled: scaleRight },
    ];
    const [computed, asserted] = assertedOnLeft ? [sides[1], sides[0]] : sides;
    const match = compare(computed, asserted, announced);
    if (match) return claimRecord(text, computed, asserted, relation, match);
    if (!closest || distance(sides) < distance(closest)) closest = sides;
  }
  if (!closest || left.ambiguous || right.ambiguous) return null;
  const [ls, rs] = closest;
  // Modular arithmetic with no modulus named: a mismatch may be a congruence.
  if (moduli?.length === 0) return null;
  if (moduli && congruent(ls.value, rs.value, moduli)) {
    return assertedOnLeft
      ? claimRecord(text, rs, ls, relation, 'congruent')
      : claimRecord(text, ls, rs, relation, 'congruent');
  }
  // A running computation: "5 + 3 = 8 × 2 = 16" claims 5 + 3 = 8 (and "5 + 3 = 9 × 2 = 18" claims 5 + 3 = 9).
  const lead = link.approx || literalOf(r, true) || isBareNumber(l) ? null : leadingNumber(r);
  if (lead) {
    const held = matchLiteral(ls.value, literalOf(lead, true)!, precisionOf(l, announced)) !== null;
    if (held || (link.continues && !partlyEvaluates(l, r, lead))) return runningRecord(text, ls, lead, held);
  }
  if (assertedOnLeft) return claimRecord(text, rs, ls, relation, null);
  if (literalOf(r, true)) return claimRecord(text, ls, rs, relation, null);
  return mismatchRecord(text, ls, rs, relation);
}

/** Whole numbers equal modulo one of the moduli. */
function congruent(a: Value, b: Value, moduli: readonly bigint[]): boolean {
  if (!('exact' in a && 'exact' in b) || a.exact.d !== 1n || b.exact.d !== 1n) return false;
  const diff = a.exact.sub(b.exact).n;
  return moduli.some((m) => m > 0n && diff % m === 0n);
}

/** "2 hours = 2 × 60 = 120 minutes": a quantity restated in other units. */
function convertsUnits(left: ParsedOperand, right: ParsedOperand): boolean {
  const keys = (p: ParsedOperand): string => [...new Set(p.units.map((u) => u.key))].sort().join(' ');
  return isBareNumber(left.node) && keys(left) !== keys(right);
}

/** "23 × 41 + 7 = 953 + 7": the right side evaluates part of the left one, it does not run on from it. */
function partlyEvaluates(l: Node, r: Node, lead: Node): boolean {
  const right = printNode(r);
  const first = printNode(lead);
  return !right.startsWith(first) || printNode(l).endsWith(right.slice(first.length));
}

/**
 * The asserted side is the written number: normally on the right ("12 × 7 = 84"), on the left in "84 = 12 × 7",
 * and the one with decimals when both are numbers ("1/3 = 0.33", "0.33 = 1/3").
 */
function assertsLeft(l: Node, r: Node): boolean {
  const litL = literalOf(l, true);
  const litR = literalOf(r, true);
  if (litL && litR) return litL.decimals > litR.decimals;
  return litL !== null && litR === null;
}

function compare(computed: ClaimSide, asserted: ClaimSide, announced: boolean): Match | null {
  const lit = literalOf(asserted.node, asserted.scaled);
  if (lit) return matchLiteral(computed.value, lit, precisionOf(computed.node, announced));
  const measured = precisionOf(computed.node, announced).measured || precisionOf(asserted.node, announced).measured;
  return matchValues(computed.value, asserted.value, { announced, measured });
}

/** Measured data (decimals or units of measurement in the computed side) is quoted to a few figures. */
function precisionOf(computed: Node, announced: boolean): Precision {
  const measured = (n: Node): boolean =>
    (n.t === 'num' && (n.lit.decimals > 0 || n.units.some(isMeasure))) ||
    (n.t === 'group' && n.units.some(isMeasure)) ||
    childrenOf(n).some(measured);
  return { announced, measured: measured(computed) };
}

/** Relative gap between the two sides, to report the percent reading that came closest. */
function distance([a, b]: [ClaimSide, ClaimSide]): number {
  const x = toNumber(a.value);
  const y = toNumber(b.value);
  return Math.abs(x - y) / Math.max(Math.abs(x), Math.abs(y), Number.MIN_VALUE);
}

/** Percent signs are read as /100 first; "0.2 × 100 = 20%" also reads them as plain numbers. */
function percentReadings(l: Node, r: Node): [boolean, boolean][] {
  const readings: [boolean, boolean][] = [[true, true]];
  if (hasPercent(r)) readings.push([true, false]);
  if (hasPercent(l)) readings.push([false, true]);
  if (hasPercent(l) && hasPercent(r)) readings.push([false, false]);
  return readings;
}
