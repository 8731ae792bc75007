import { TokenRef } from './spec';

/** One string as token ids, with each token's span in that string as UTF-16 offsets [start, end). */
export interface Encoded {
  ids: number[];
  spans: [number, number][];
  /** Tokens the tokenizer added without characters of their own (BOS, EOS), by index: their text. */
  added?: Record<number, string>;
}

export interface EncodeOptions {
  /** Add the tokenizer's special tokens (its post-processor's BOS …), as tokenizer.encode(text) does by default. */
  addSpecialTokens?: boolean;
}

/**
 * The tokenizer as PRM Lens uses it: strings are encoded exactly as the model's reference code encodes them (special
 * tokens written in the text are matched as tokens), and spans are UTF-16 offsets into each string.
 */
export interface PieceTokenizer {
  encode(texts: readonly string[], options?: EncodeOptions): Promise<Encoded[]>;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

/**
 * Tokenizers report offsets in Unicode code points; JavaScript strings index UTF-16 units (an emoji is one code point
 * but two units). Maps code point offsets of `text` to UTF-16 offsets.
 */
export function codePointSpansToUtf16(text: string, spans: readonly (readonly number[])[]): [number, number][] {
  const unitAt: number[] = [0];
  for (let i = 0; i < text.length;) {
    i += (text.codePointAt(i) ?? 0) > 0xffff ? 2 : 1;
    unitAt.push(i);
  }
  const at = (cp: number) => unitAt[Math.min(Math.max(cp, 0), unitAt.length - 1)];
  return spans.map(([start, end]) => [at(start), at(end)]);
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenError';
  }
}

/**
 * Resolves a token given in prm.json to its id. Numbers are ids. Strings are looked up as vocabulary entries or added
 * tokens first (so "<extra_0>" or "▁ки" name themselves), then encoded, which must give exactly one token: on its
 * own, or after other text (a SentencePiece tokenizer marks the start of a string, so " ки" is the one token "▁ки"
 * only inside a text). A tag that silently became several tokens would move where scores are read.
 */
export async function resolveTokenRef(
  ref: TokenRef,
  tokenizer: PieceTokenizer,
  field: string,
  vocabSize: number,
): Promise<number> {
  if (typeof ref === 'number') {
    if (ref >= vocabSize || tokenizer.idToToken(ref) === undefined)
      throw new TokenError(`"${field}": token id ${ref} is not in the tokenizer (vocabulary size ${vocabSize})`);
    return ref;
  }
  const direct = tokenizer.tokenToId(ref);
  if (direct !== undefined) return direct;
  const [alone, inText] = await tokenizer.encode([ref, `${CONTEXT}${ref}`]);
  if (alone.ids.length === 1) return alone.ids[0];
  // The tokens after the context; a token merged with the context starts inside it and leaves none.
  const tail = inText.ids.filter((_, t) => inText.spans[t][0] >= CONTEXT.length);
  if (tail.length === 1) return tail[0];
  const pieces = alone.ids.map((id) => JSON.stringify(tokenizer.idToToken(id) ?? `#${id}`)).join(' ');
  throw new TokenError(
    `"${field}": the tokenizer has no token ${JSON.stringify(ref)}; it encodes to ${alone.ids.length} tokens ` +
      `(${pieces}). Give the token id or the exact vocabulary entry instead.`,
  );
}

/** Text before a token that is checked inside a text: a letter, which merges with neither spaces nor punctuation. */
const CONTEXT = 'x';
