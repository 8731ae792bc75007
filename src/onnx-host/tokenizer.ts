import { readFileSync } from 'node:fs';
import { Tokenizer } from '@anush008/tokenizers';
import { codePointSpansToUtf16, Encoded, EncodeOptions, PieceTokenizer } from '../core/critics/onnx/tokens';

/** Templates and problems repeat from run to run; whole inputs mostly do not. */
const CACHE_LIMIT = 4096;

/** The native Hugging Face tokenizer (with offsets) behind PRM Lens's tokenizer interface. */
export class NativePieceTokenizer implements PieceTokenizer {
  private readonly cache = new Map<string, Encoded>();
  private readonly tokenizer: Tokenizer;
  readonly vocabSize: number;

  private constructor(json: string) {
    this.tokenizer = Tokenizer.fromString(json);
    // A tokenizer.json may carry truncation or padding settings; inputs must come back whole and unpadded.
    this.tokenizer.disableTruncation();
    this.tokenizer.disablePadding();
    this.vocabSize = this.tokenizer.getVocabSize(true);
  }

  static fromFile(file: string): NativePieceTokenizer {
    return new NativePieceTokenizer(readFileSync(file, 'utf8'));
  }

  static fromString(json: string): NativePieceTokenizer {
    return new NativePieceTokenizer(json);
  }

  async encode(texts: readonly string[], options: EncodeOptions = {}): Promise<Encoded[]> {
    const addSpecialTokens = options.addSpecialTokens === true;
    const key = (t: string) => `${addSpecialTokens ? 's' : 'p'}:${t}`;
    const found = new Map<string, Encoded>();
    for (const t of texts) {
      const cached = this.cache.get(key(t));
      if (cached) found.set(t, cached);
    }
    const missing = [...new Set(texts.filter((t) => !found.has(t)))];
    if (missing.length > 0) {
      const encodings = await this.tokenizer.encodeBatch(missing, { addSpecialTokens });
      if (this.cache.size + missing.length > CACHE_LIMIT) this.cache.clear();
      missing.forEach((text, i) => {
        const e = encodings[i];
        const offsets = e.getOffsets();
        const ids = e.getIds();
        const encoded: Encoded = { ids, spans: codePointSpansToUtf16(text, offsets) };
        // Tokens the post-processor added (BOS …) have no characters: write them out where the input is shown.
        e.getSpecialTokensMask().forEach((special, t) => {
          if (special === 1 && offsets[t][0] === offsets[t][1])
            (encoded.added ??= {})[t] = this.tokenizer.idToToken(ids[t]) ?? '';
        });
        found.set(text, encoded);
        this.cache.set(key(text), encoded);
      });
    }
    return texts.map((t) => found.get(t) as Encoded);
  }

  /** The text of token ids, special tokens included. */
  decode(ids: number[]): Promise<string> {
    return this.tokenizer.decode(ids, false);
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.tokenToId(token) ?? undefined;
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.idToToken(id) ?? undefined;
  }
}
