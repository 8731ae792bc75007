import { Part, Segment } from './layout';
import { PrmFamily } from './spec';
import { Encoded } from './tokens';

/** A solution's input ids and, for every step, where its score comes from. */
export interface Sequence {
  ids: number[];
  /** Position whose output scores each step; -1 when no token precedes it. */
  reads: number[];
  /** Token range [start, end) of each step's own tokens (a token straddling two steps belongs to the later one). */
  ranges: [number, number][];
  /** UTF-16 spans, within each step's text, of the tokens of its range. */
  spans: [number, number][][];
  /** implicit: the token range [start, end) whose log-ratios make each step's reward (its own tokens by default). */
  sums: [number, number][];
  /** Why a step's tokens do not line up with its text, for its hover; undefined when they do. */
  notes: (string | undefined)[];
  /** The input as text (tokens the tokenizer adds, such as BOS, written out), and where each token ends in it. */
  text: string;
  ends: number[];
}

/** A token's characters, quoted for a message. */
function quoted(text: string, [s, e]: readonly [number, number]): string {
  return JSON.stringify(text.slice(s, e));
}

/**
 * Concatenates the segments' ids (`encoded` gives the encoding of each text segment) and maps tokens back to steps by
 * their offsets. A token belongs to the last step whose text it overlaps (the step where it ends, when it straddles
 * two), and a token that straddles a step's boundary is named in that step's note.
 */
export function assemble(
  segments: readonly Segment[],
  stepCount: number,
  encoded: (text: string) => Encoded,
): Sequence {
  const seq: Sequence = {
    ids: [],
    reads: new Array<number>(stepCount).fill(-1),
    ranges: Array.from({ length: stepCount }, () => [0, 0] as [number, number]),
    spans: Array.from({ length: stepCount }, () => []),
    sums: [],
    notes: new Array<string | undefined>(stepCount).fill(undefined),
    text: '',
    ends: [],
  };
  const note = (step: number, message: string) => {
    seq.notes[step] = seq.notes[step] ? `${seq.notes[step]}; ${message}` : message;
  };
  for (const segment of segments) {
    const base = seq.ids.length;
    if (segment.kind === 'ids') {
      // Appended one by one: a spread of a long step's ids (120,000+) overflows the stack.
      for (const id of segment.ids) seq.ids.push(id);
      seq.text += segment.text;
      for (let i = 0; i < segment.ids.length; i++) seq.ends.push(seq.text.length);
      if (segment.read) seq.reads[segment.step] = seq.ids.length - 1;
      continue;
    }
    const e = encoded(segment.text);
    seq.text += displayText(segment.text, e, base, seq.text.length, seq.ends);
    for (const id of e.ids) seq.ids.push(id);
    mapParts(segment.text, segment.parts, e, base, seq, note);
  }
  seq.sums = seq.ranges.map(([s, t]) => [s, t]);
  return seq;
}

/** The segment's text with the tokens the tokenizer added (no characters of their own) written where they stand. */
function displayText(text: string, e: Encoded, base: number, offset: number, ends: number[]): string {
  let out = '';
  let cursor = 0;
  let shift = 0;
  e.ids.forEach((_, t) => {
    const added = e.added?.[t];
    const [s, end] = e.spans[t];
    if (added === undefined) {
      ends[base + t] = offset + end + shift;
      return;
    }
    out += text.slice(cursor, s) + added;
    cursor = s;
    shift += added.length;
    ends[base + t] = offset + out.length;
  });
  return out + text.slice(cursor);
}

function mapParts(
  text: string,
  parts: readonly Part[],
  e: Encoded,
  base: number,
  seq: Sequence,
  note: (step: number, message: string) => void,
): void {
  const real = (t: number) => e.added?.[t] === undefined && e.spans[t][1] > e.spans[t][0];
  // Owner of each token: the last step part it overlaps.
  const owner = new Array<number | undefined>(e.ids.length).fill(undefined);
  let p = 0;
  e.spans.forEach(([s, end], t) => {
    if (!real(t)) return;
    while (p < parts.length && parts[p].end <= s) p++;
    for (let q = p; q < parts.length && parts[q].start < end; q++) {
      if (parts[q].role === 'step' && parts[q].end > parts[q].start && parts[q].end > s) owner[t] = parts[q].step;
    }
  });
  /** The last token starting before `pos`, or -1. */
  const lastBefore = (pos: number) => {
    for (let t = e.ids.length - 1; t >= 0; t--) if (real(t) && e.spans[t][0] < pos) return t;
    return -1;
  };

  for (const part of parts) {
    const k = part.step;
    if (k === undefined) continue;
    if (part.role === 'step') {
      const owned = owner.flatMap((o, t) => (o === k ? [t] : []));
      const from = part.from ?? 0;
      const clamp = (x: number) => Math.min(Math.max(x - part.start + from, from), from + part.end - part.start);
      if (owned.length === 0) {
        const at = lastBefore(part.start) + 1;
        seq.ranges[k] = [base + at, base + at];
      } else {
        seq.ranges[k] = [base + owned[0], base + owned[owned.length - 1] + 1];
        for (let t = owned[0]; t <= owned[owned.length - 1]; t++)
          seq.spans[k].push([clamp(e.spans[t][0]), clamp(e.spans[t][1])]);
        // A word's token carries the space before it ("ĠStep", "▁Step"): only other text before the step is news.
        const first = e.spans[owned[0]];
        if (/\S/.test(text.slice(first[0], part.start))) {
          note(
            k,
            `token straddles the boundary: ${quoted(text, first)} holds text before this step and its first characters`,
          );
        }
      }
      const last = lastBefore(part.end);
      if (part.end > part.start && last >= 0 && e.spans[last][1] > part.end) {
        note(
          k,
          `token straddles the boundary: ${quoted(text, e.spans[last])} holds this step's last characters ` +
            'and the text after it',
        );
      }
    }
    if (part.read === 'end') {
      const t = lastBefore(part.end);
      seq.reads[k] = t < 0 ? -1 : base + t;
      const span = t < 0 ? undefined : e.spans[t];
      const merged =
        span && (span[0] < part.start || span[1] > part.end || (part.tagId !== undefined && e.ids[t] !== part.tagId));
      if (part.role === 'tag' && merged) {
        note(
          k,
          `token straddles the boundary: the step tag is part of ${quoted(text, span)} here, not a token of its own; ` +
            'the score is read there',
        );
      }
    } else if (part.read === 'before') {
      // The first token holding the answer's first character (a character may take several byte tokens).
      const t = e.ids.findIndex((_, i) => real(i) && e.spans[i][1] > part.start);
      seq.reads[k] = t < 0 ? -1 : base + t - 1;
      if (t >= 0 && e.spans[t][0] < part.start) {
        note(
          k,
          `token straddles the boundary: the answer merged with the text before it into ${quoted(text, e.spans[t])}; ` +
            'the score is read at the token before',
        );
      }
    }
  }
}

/** How much of a sequence one forward pass can take. */
export interface Fitted {
  /** The ids to run: cut right after the last step that fits. */
  ids: number[];
  /** Steps whose scores the cut keeps (the first `scored` steps). */
  scored: number;
  /** Tokens the whole solution needs, for the message when it was cut. */
  fullLength: number;
}

/**
 * Context policy: a causal model scores each position from the tokens before it, so dropping whole steps from the
 * end leaves the scores of the steps that fit unchanged. Steps past `maxTokens` are left unscored, never truncated
 * in the middle; when not even the first step fits, nothing runs.
 */
export function fitToContext(seq: Sequence, family: PrmFamily, maxTokens: number): Fitted {
  const needs = seq.reads.map((read, i) => (family === 'implicit' ? seq.sums[i][1] : read + 1));
  let scored = 0;
  while (scored < needs.length && needs[scored] <= maxTokens) scored++;
  // Maxima by reduce, not Math.max(...needs): one argument per step overflows the stack past ~120,000 steps.
  const length = needs.slice(0, scored).reduce((a, b) => Math.max(a, b), 0);
  return { ids: seq.ids.slice(0, length), scored, fullLength: needs.reduce((a, b) => Math.max(a, b), 0) };
}

/**
 * EurusPRM's card: with b_k the k-th boundary it computes (k = 0 … steps), step k's reward is the sum of the
 * log-ratios of tokens b_0 … b_(k+1) + 1. The card gathers a cumulative sum of per-token log-ratios that are shifted
 * by one (entry t scores token t + 1) at index b_(k+1), and masks tokens before b_0.
 */
export function cumulativeSums(boundaries: readonly number[], length: number): [number, number][] {
  return boundaries.slice(1).map((b) => [Math.max(0, boundaries[0]), Math.min(length, b + 2)]);
}

/** Tokens of the input text between positions, quoted, for notes. */
export function tokenTexts(seq: Sequence, from: number, to: number): string {
  const out: string[] = [];
  for (let t = Math.max(0, from); t < Math.min(to, seq.ids.length); t++)
    out.push(JSON.stringify(seq.text.slice(t > 0 ? seq.ends[t - 1] : 0, seq.ends[t])));
  return out.join(' ');
}
