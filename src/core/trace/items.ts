import type { SectionRange } from '../critics/types';
import { tighten } from '../segment/lines';
import { findTraceParts } from './parts';
import { heuristicSections } from './sections';
import type { PartKind, TraceStep } from './types';

/** A dataset item's steps split into a trace's parts (see traceItemSteps). */
export interface ItemTrace {
  /** The steps without the tags: the thinking's first, then the answer's. */
  steps: string[];
  /** How many leading steps are thinking. */
  thinkingSteps: number;
  /** The label moved with its step (-1 stays -1). */
  label: number;
  /** The thinking steps grouped by the discourse-marker heuristic (sections.ts); none when there is no thinking. */
  sections: SectionRange[];
}

/** Steps are joined as a file's paragraphs are separated, so the parts are found in the text a file would hold. */
const JOIN = '\n\n';

/**
 * A dataset item whose solution holds a thinking block (`<think>…</think>`, a closing tag only, gpt-oss channels:
 * the forms of parts.ts), split the way a trace file is: its steps, joined as paragraphs, are that solution's text,
 * whose thinking and answer parts findTraceParts finds. The dataset's steps stay the unit (its labels point at
 * them): each keeps its text inside a part, the tags and whatever lies in no part dropped; a step holding text of
 * both parts (the closing tag inside it) becomes two steps, and a step with no text in any part (a tag alone) is
 * dropped; the label moves with its step. The thinking steps get the heuristic's sections, as in a file.
 * Undefined when there is no thinking block (the item is left as it is); a string when the label points at a step
 * with no text in any part.
 */
export function traceItemSteps(steps: readonly string[], label: number): ItemTrace | string | undefined {
  const text = steps.join(JOIN);
  const parts = findTraceParts(text);
  if (!parts.some((p) => p.kind === 'thinking')) return undefined;
  // By part, so the thinking's steps come first whatever the order of the parts in the text.
  const byPart: Record<PartKind, TraceStep[]> = { thinking: [], answer: [] };
  /** Where the first piece of each original step went, undefined for a step that left none. */
  const firstPiece: ({ part: PartKind; at: number } | undefined)[] = [];
  let at = 0;
  for (const step of steps) {
    let first: (typeof firstPiece)[number];
    for (const p of parts) {
      const [start, end] = tighten(text, Math.max(at, p.start), Math.min(at + step.length, p.end));
      if (start >= end) continue;
      first ??= { part: p.kind, at: byPart[p.kind].length };
      byPart[p.kind].push({ index: 0, start, end, text: text.slice(start, end), part: p.kind, section: null });
    }
    firstPiece.push(first);
    at += step.length + JOIN.length;
  }
  const pieces = [...byPart.thinking, ...byPart.answer];
  pieces.forEach((s, i) => (s.index = i));
  let newLabel = label;
  if (label >= 0) {
    const first = firstPiece[label];
    if (first === undefined) return `step ${label} (the labelled first error) has no text outside the thinking tags`;
    newLabel = first.part === 'thinking' ? first.at : byPart.thinking.length + first.at;
  }
  const thinking = pieces.filter((s) => s.part === 'thinking');
  const sections = thinking.length > 0 ? heuristicSections(thinking) : [];
  return {
    steps: pieces.map((s) => s.text),
    thinkingSteps: thinking.length,
    label: newLabel,
    sections: sections.map(({ firstStep, lastStep }) => ({ firstStep, lastStep })),
  };
}
