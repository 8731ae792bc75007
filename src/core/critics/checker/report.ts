import { Match } from './compare';
import { Operand } from './chains';
import { hasPercent } from './evaluate';
import { NumberStyle, formatValue, printNode } from './format';
import { Node, childrenOf } from './parse-expression';
import { ClaimCheck } from './types';
import { Value } from './value';

/** Builds the claim records and the human-readable reasons. */

export interface ClaimSide {
  op: Operand;
  node: Node;
  value: Value;
  /** Percent signs on this side were read as /100. */
  scaled: boolean;
}

/**
 * A checked claim. `asserted` is the side that states the number (the other is computed); `match` is null for a
 * failure.
 */
export function claimRecord(
  text: string,
  computed: ClaimSide,
  asserted: ClaimSide,
  relation: '=' | '≈',
  match: Match | 'congruent' | null,
): ClaimCheck {
  const [left, right] = computed.op.start < asserted.op.start ? [computed, asserted] : [asserted, computed];
  const percent = hasPercent(asserted.node) ? (asserted.scaled ? 'scale' : 'sign') : null;
  const style = numberStyle(text.slice(asserted.op.start, asserted.op.end), [computed.node, asserted.node], percent);
  const shown = formatValue(computed.value, style);
  const record: ClaimCheck = {
    start: left.op.start,
    end: right.op.end,
    text: text.slice(left.op.start, right.op.end),
    expression: printNode(computed.node),
    asserted: printNode(asserted.node),
    assertedValue: formatValue(asserted.value, style).text,
    computed: shown.text,
    ok: match !== null,
  };
  if (match) {
    record.match = match;
    return record;
  }
  const said = `${display(text, left.op)} ${relation} ${display(text, right.op)}`;
  record.reason = `${said}, but ${display(text, computed.op)} ${shown.exact ? '=' : '≈'} ${shown.text}`;
  return record;
}

/** A failed claim between two computed sides. */
export function mismatchRecord(text: string, left: ClaimSide, right: ClaimSide, relation: '=' | '≈'): ClaimCheck {
  const record = claimRecord(text, left, right, relation, null);
  const style = numberStyle(text.slice(right.op.start, right.op.end), [left.node, right.node], null);
  const said = `${display(text, left.op)} ${relation} ${display(text, right.op)}`;
  const a = formatValue(left.value, style).text;
  const b = formatValue(right.value, style).text;
  record.reason = `${said}, but the left side is ${a} and the right side is ${b}`;
  return record;
}

/** "5 + 3 = 8 × 2 = 16": the claim is 5 + 3 = 8, with 8 the first number of the next side. */
export function runningRecord(text: string, left: ClaimSide, lead: Node & { t: 'num' }, held: boolean): ClaimCheck {
  const style = numberStyle(lead.text, [left.node, lead], null);
  const computed = formatValue(left.value, style);
  const record: ClaimCheck = {
    start: left.op.start,
    end: lead.end,
    text: text.slice(left.op.start, lead.end),
    expression: printNode(left.node),
    asserted: printNode(lead),
    assertedValue: formatValue({ exact: lead.lit.value }, style).text,
    computed: computed.text,
    ok: held,
  };
  if (held) record.match = 'running';
  else {
    const written = display(text, left.op);
    record.reason = `${written} = ${lead.text}, but ${written} ${computed.exact ? '=' : '≈'} ${computed.text}`;
  }
  return record;
}

/** Corrections are written like the claim: fractions when the asserted side is one, decimals when any are used. */
function numberStyle(assertedText: string, nodes: Node[], percent: NumberStyle['percent']): NumberStyle {
  let decimals = 0;
  let thousands = false;
  const visit = (n: Node): void => {
    if (n.t === 'num') {
      decimals = Math.max(decimals, n.lit.decimals);
      thousands ||= n.lit.thousands;
    }
    childrenOf(n).forEach(visit);
  };
  nodes.forEach(visit);
  return { fractions: /\/|\\[dtc]?frac/.test(assertedText), decimals, thousands, percent };
}

/** An operand as written, without dollar signs (math delimiters and money alike: undecidable), but with `\$`. */
function display(text: string, op: Operand): string {
  return text
    .slice(op.start, op.end)
    .replace(/(?<!\\)\$/g, '')
    .replace(/\\\$/g, '$')
    .replace(/\s+/g, ' ')
    .trim();
}
