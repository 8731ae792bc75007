import { PrmSpec } from './spec';

/**
 * The input of one solution as a list of pieces, each tokenized on its own and concatenated as token ids (never by
 * joining strings and re-tokenizing, which lets a separator merge with its neighbours and moves step boundaries).
 */
export type PieceRole = 'template' | 'problem' | 'step' | 'separator' | 'tag' | 'answer';

export interface Piece {
  role: PieceRole;
  /** Text to tokenize; absent for pieces given as token ids. */
  text?: string;
  /** A space moved here from the end of the previous piece (see attachTrailingSpaces); tokenized with `text`. */
  lead?: string;
  ids?: number[];
  /** The step this piece belongs to or scores. */
  step?: number;
  /** The step's score is read at the last token up to the end of this piece. */
  read?: boolean;
}

/** Token ids that prm.json names (resolved against the tokenizer once per model). */
export interface ResolvedTokens {
  stepTag?: number;
  positive?: number;
  negative?: number;
}

/** Splits a template at `{name}` placeholders: literal text becomes template pieces, placeholders the given pieces. */
export function fillTemplate(template: string, values: Record<string, Piece[]>): Piece[] {
  const pieces: Piece[] = [];
  const re = /\{(\w+)\}/g;
  let last = 0;
  for (const m of template.matchAll(re)) {
    const value = values[m[1]];
    if (!value) continue;
    if (m.index > last) pieces.push({ role: 'template', text: template.slice(last, m.index) });
    pieces.push(...value);
    last = m.index + m[0].length;
  }
  if (last < template.length) pieces.push({ role: 'template', text: template.slice(last) });
  return pieces;
}

export function layoutPieces(spec: PrmSpec, tokens: ResolvedTokens, problem: string, steps: readonly string[]): Piece[] {
  return attachTrailingSpaces(spec.family === 'chat-tag-token' ? chatLayout(spec, tokens, { role: 'problem', text: problem }, steps) : plainLayout(spec, tokens, problem, steps));
}

/**
 * In a whole string, a space before a word belongs to that word's token ("▁Step", "ĠStep"). So a template or
 * separator ending in one space hands it to the text piece that follows, which then encodes as it would in the
 * whole string; the step boundary itself does not move.
 */
function attachTrailingSpaces(pieces: Piece[]): Piece[] {
  pieces.forEach((piece, i) => {
    const next = pieces[i + 1];
    if ((piece.role === 'template' || piece.role === 'separator') && piece.text?.endsWith(' ') && next?.text !== undefined) {
      piece.text = piece.text.slice(0, -1);
      next.lead = ` ${next.lead ?? ''}`;
    }
  });
  return pieces;
}

function plainLayout(spec: PrmSpec, tokens: ResolvedTokens, problem: string, steps: readonly string[]): Piece[] {
  const problemPiece: Piece = { role: 'problem', text: problem };

  const pieces = fillTemplate(spec.template, { problem: [problemPiece] });
  steps.forEach((text, i) => {
    if (i > 0 && spec.stepSeparator) pieces.push({ role: 'separator', text: spec.stepSeparator });
    if (spec.family === 'implicit') {
      pieces.push({ role: 'step', text, step: i });
    } else if (tokens.stepTag !== undefined) {
      pieces.push({ role: 'step', text, step: i }, { role: 'tag', ids: [tokens.stepTag], step: i, read: true });
    } else {
      pieces.push({ role: 'step', text, step: i, read: true });
    }
  });
  return pieces;
}

/** One user turn per step and an assistant turn answering the positive token; each score is read just before it. */
function chatLayout(spec: PrmSpec, tokens: ResolvedTokens, problem: Piece, steps: readonly string[]): Piece[] {
  const chat = spec.chat;
  if (!chat || tokens.positive === undefined) throw new Error('chat-tag-token needs "chat" and "positiveToken"');
  const pieces = fillTemplate(spec.template, { problem: [problem] });
  steps.forEach((text, i) => {
    const step: Piece = { role: 'step', text, step: i };
    const content = i === 0 ? fillTemplate(chat.firstUser, { problem: [problem], step: [step] }) : [step];
    pieces.push(...fillTemplate(chat.user, { content }));
    const [before, after] = splitOnce(chat.assistant, '{content}');
    pieces.push({ role: 'template', text: before, step: i, read: true });
    pieces.push({ role: 'answer', ids: [tokens.positive as number], step: i });
    if (after) pieces.push({ role: 'template', text: after });
  });
  return pieces;
}

function splitOnce(text: string, marker: string): [string, string] {
  const at = text.indexOf(marker);
  return [text.slice(0, at), text.slice(at + marker.length)];
}
