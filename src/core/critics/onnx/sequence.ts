import { Piece } from './layout';
import { PrmFamily } from './spec';
import { Encoded } from './tokens';

/** A solution's input ids and, for every step, where its score comes from. */
export interface Sequence {
  ids: number[];
  /** Position whose output scores each step (the last token of its read piece); -1 when no token precedes it. */
  reads: number[];
  /** Token range [start, end) of each step's own text. */
  ranges: [number, number][];
  /** UTF-16 spans, within each step's text, of that step's tokens. */
  spans: [number, number][][];
}

/** What to tokenize for a text piece: its text (with any lead space) and whether it continues the input. */
export interface PieceText {
  text: string;
  continuation: boolean;
}

/**
 * The text each piece is tokenized as. The first piece with ordinary text starts the input (a SentencePiece
 * tokenizer adds its word-start marker there, as in a whole-string encode); every later piece continues it.
 */
export function pieceTexts(pieces: readonly Piece[], isSpecialOnly: (text: string) => boolean): (PieceText | undefined)[] {
  let started = false;
  return pieces.map((p) => {
    if (p.text === undefined) return undefined;
    const text = (p.lead ?? '') + p.text;
    const continuation = started;
    if (text !== '' && !isSpecialOnly(text)) started = true;
    return { text, continuation };
  });
}

/** Concatenates the pieces' token ids; `encoded` gives the encoding of each text piece. */
export function assemble(pieces: readonly Piece[], stepCount: number, encoded: (piece: PieceText) => Encoded, isSpecialOnly: (text: string) => boolean): Sequence {
  const ids: number[] = [];
  const reads = new Array<number>(stepCount).fill(-1);
  const ranges: [number, number][] = Array.from({ length: stepCount }, () => [0, 0]);
  const spans: [number, number][][] = Array.from({ length: stepCount }, () => []);
  const texts = pieceTexts(pieces, isSpecialOnly);
  pieces.forEach((piece, i) => {
    const start = ids.length;
    const text = texts[i];
    // Appended one by one: a spread of a long step's ids (120,000+) overflows the stack.
    if (piece.ids) for (const id of piece.ids) ids.push(id);
    else if (text) {
      const e = encoded(text);
      for (const id of e.ids) ids.push(id);
      // Spans are into the step's own text: shift past a lead space.
      const lead = piece.lead?.length ?? 0;
      if (piece.role === 'step' && piece.step !== undefined) spans[piece.step] = e.spans.map(([s, t]) => [Math.max(0, s - lead), Math.max(0, t - lead)]);
    }
    if (piece.step === undefined) return;
    if (piece.role === 'step') ranges[piece.step] = [start, ids.length];
    if (piece.read) reads[piece.step] = ids.length - 1;
  });
  return { ids, reads, ranges, spans };
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
  const needs = seq.reads.map((read, i) => (family === 'implicit' ? seq.ranges[i][1] : read + 1));
  let scored = 0;
  while (scored < needs.length && needs[scored] <= maxTokens) scored++;
  // Maxima by reduce, not Math.max(...needs): one argument per step overflows the stack past ~120,000 steps.
  const length = needs.slice(0, scored).reduce((a, b) => Math.max(a, b), 0);
  return { ids: seq.ids.slice(0, length), scored, fullLength: needs.reduce((a, b) => Math.max(a, b), 0) };
}
