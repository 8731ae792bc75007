import { tighten } from '../segment/lines';
import type { TracePart } from './types';

/**
 * Finds the thinking and answer parts of `text` from offset `from` on (where the solution starts). Parts are
 * trimmed of surrounding whitespace; the tags are in neither part. Forms, tried in this order:
 *
 * - gpt-oss harmony channels: the thinking is the first `<|channel|>analysis<|message|>` message, up to the next
 *   `<|end|>`, `<|start|>` or `<|channel|>` (else the end of the text); the answer is the
 *   `<|channel|>final<|message|>` message, up to `<|return|>`, `<|end|>` or the end. Other text (role headers,
 *   later analysis messages) belongs to neither part.
 * - `<think>…</think>` or `<thinking>…</thinking>` (any case): the thinking runs from the first opening tag to the
 *   LAST closing tag, so repeated or nested tags stay inside it as text; the answer is what follows the last
 *   closing tag. Text before the opening tag belongs to neither part.
 * - A closing tag only (the opening one was in the prompt): the thinking is everything before the last closing tag.
 * - An opening tag only (a truncated generation): the thinking runs to the end and there is no answer part.
 * - No thinking: one answer part, the whole solution.
 *
 * A thinking part is reported even when empty (`<think>\n\n</think>`, start = end); an answer part only when it
 * has text, except that a text without thinking always has its answer part.
 */
export function findTraceParts(text: string, from = 0): TracePart[] {
  return harmonyParts(text, from) ?? tagParts(text, from) ?? [part('answer', text, from, text.length)];
}

const ANALYSIS = '<|channel|>analysis<|message|>';
const FINAL = '<|channel|>final<|message|>';

function harmonyParts(text: string, from: number): TracePart[] | null {
  const analysis = text.indexOf(ANALYSIS, from);
  const final = text.indexOf(FINAL, from);
  if (analysis === -1 && final === -1) return null;
  const parts: TracePart[] = [];
  if (analysis !== -1) {
    const start = analysis + ANALYSIS.length;
    parts.push(part('thinking', text, start, firstOf(text, start, ['<|end|>', '<|start|>', '<|channel|>'])));
  }
  if (final !== -1) {
    const start = final + FINAL.length;
    const answer = part('answer', text, start, firstOf(text, start, ['<|return|>', '<|end|>']));
    if (answer.end > answer.start || analysis === -1) parts.push(answer);
  }
  return parts;
}

/** Offset of the earliest of `markers` at or after `from`, else the end of the text. */
function firstOf(text: string, from: number, markers: readonly string[]): number {
  let best = text.length;
  for (const marker of markers) {
    const at = text.indexOf(marker, from);
    if (at !== -1 && at < best) best = at;
  }
  return best;
}

const OPEN = /<(think|thinking)>/i;
const CLOSE = /<\/(?:think|thinking)>/gi;

function tagParts(text: string, from: number): TracePart[] | null {
  const rest = text.slice(from);
  const open = OPEN.exec(rest);
  let close: { at: number; length: number } | undefined;
  for (const m of rest.matchAll(CLOSE)) {
    if (open === null || m.index > open.index) close = { at: m.index, length: m[0].length };
  }
  if (open === null && close === undefined) return null;
  const thinkingStart = open === null ? from : from + open.index + open[0].length;
  if (close === undefined) return [part('thinking', text, thinkingStart, text.length)];
  const thinking = part('thinking', text, thinkingStart, from + close.at);
  const answer = part('answer', text, from + close.at + close.length, text.length);
  return answer.end > answer.start ? [thinking, answer] : [thinking];
}

function part(kind: TracePart['kind'], text: string, start: number, end: number): TracePart {
  // An all-whitespace part collapses to an empty span (start = end).
  const [s, e] = tighten(text, start, end);
  return { kind, start: s, end: e };
}
