import { TokenRef } from './spec';

/** One piece of text as token ids, with each token's span in that text as UTF-16 offsets [start, end). */
export interface Encoded {
  ids: number[];
  spans: [number, number][];
}

/**
 * The tokenizer as PRM Lens uses it: pieces are encoded one at a time without added special tokens (templates write
 * BOS and chat markers themselves), and spans are UTF-16 offsets into the piece.
 */
export interface PieceTokenizer {
  /**
   * `continuation`: the texts continue an input rather than start it. SentencePiece-style tokenizers (Llama, Mistral)
   * add a word-start marker "▁" at the start of every encoded text; in a continuation it is not added, so pieces
   * encode as they would inside one whole string (a space of their own still gives the marker).
   */
  encode(texts: readonly string[], continuation?: boolean): Promise<Encoded[]>;
  /** True when the text is nothing but special tokens ("<s>", "<|im_start|>"): it does not start the input's text. */
  isSpecialOnly(text: string): boolean;
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

/**
 * Tokenizers report offsets in Unicode code points; JavaScript strings index UTF-16 units (an emoji is one code point
 * but two units). Maps code point offsets of `text` to UTF-16 offsets.
 */
export function codePointSpansToUtf16(text: string, spans: readonly (readonly number[])[]): [number, number][] {
  const unitAt: number[] = [0];
  for (let i = 0; i < text.length; ) {
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
 * tokens first (so "<extra_0>" or "▁ки" name themselves), then tokenized alone, which must give exactly one token:
 * a tag that silently became several tokens would move where scores are read.
 */
export async function resolveTokenRef(ref: TokenRef, tokenizer: PieceTokenizer, field: string, vocabSize: number): Promise<number> {
  if (typeof ref === 'number') {
    if (ref >= vocabSize || tokenizer.idToToken(ref) === undefined) throw new TokenError(`"${field}": token id ${ref} is not in the tokenizer (vocabulary size ${vocabSize})`);
    return ref;
  }
  const direct = tokenizer.tokenToId(ref);
  if (direct !== undefined) return direct;
  // A tag follows other text: encode it as a continuation (" ки" is the one token "▁ки" in a SentencePiece vocabulary).
  const [encoded] = await tokenizer.encode([ref], true);
  if (encoded.ids.length !== 1) {
    const pieces = encoded.ids.map((id) => JSON.stringify(tokenizer.idToToken(id) ?? `#${id}`)).join(' ');
    throw new TokenError(
      `"${field}": the tokenizer has no token ${JSON.stringify(ref)}; it encodes to ${encoded.ids.length} tokens (${pieces}). Give the token id or the exact vocabulary entry instead.`,
    );
  }
  return encoded.ids[0];
}
