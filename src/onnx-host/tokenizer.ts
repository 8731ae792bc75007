import { readFileSync } from 'node:fs';
import { Tokenizer } from '@anush008/tokenizers';
import { codePointSpansToUtf16, Encoded, PieceTokenizer } from '../core/critics/onnx/tokens';

/** Template pieces and problems repeat from run to run; step texts mostly do not. */
const CACHE_LIMIT = 4096;

type Json = Record<string, unknown>;

/**
 * The tokenizer.json settings that add a word-start marker at the start of every encoded text (a Prepend("▁")
 * normalizer, Metaspace's prepend scheme, ByteLevel's add_prefix_space), switched off for continuation pieces.
 * Returns undefined when the tokenizer adds no such marker.
 */
function withoutStartMarker(config: Json): Json | undefined {
  let changed = false;
  const normalizer = (n: unknown): unknown => {
    if (!n || typeof n !== 'object') return n;
    const o = n as Json;
    if (o.type === 'Sequence' && Array.isArray(o.normalizers)) {
      const kept = o.normalizers.filter((x) => !(x && typeof x === 'object' && (x as Json).type === 'Prepend'));
      if (kept.length !== o.normalizers.length) changed = true;
      return { ...o, normalizers: kept.map(normalizer) };
    }
    if (o.type === 'Prepend') {
      changed = true;
      return null;
    }
    return o;
  };
  const preTokenizer = (p: unknown): unknown => {
    if (!p || typeof p !== 'object') return p;
    const o = p as Json;
    if (o.type === 'Sequence' && Array.isArray(o.pretokenizers)) return { ...o, pretokenizers: o.pretokenizers.map(preTokenizer) };
    if (o.type === 'Metaspace' && (o.prepend_scheme !== 'never' || o.add_prefix_space === true)) {
      changed = true;
      return { ...o, prepend_scheme: 'never', add_prefix_space: false };
    }
    if (o.type === 'ByteLevel' && o.add_prefix_space === true) {
      changed = true;
      return { ...o, add_prefix_space: false };
    }
    return o;
  };
  const result = { ...config, normalizer: normalizer(config.normalizer), pre_tokenizer: preTokenizer(config.pre_tokenizer) };
  return changed ? result : undefined;
}

/** The native Hugging Face tokenizer behind PRM Lens's piece-by-piece interface. */
export class NativePieceTokenizer implements PieceTokenizer {
  private readonly cache = new Map<string, Encoded>();
  private readonly start: Tokenizer;
  private readonly continuation: Tokenizer;
  private readonly specials: string[];
  readonly vocabSize: number;

  private constructor(json: string) {
    const config = JSON.parse(json) as Json;
    this.start = NativePieceTokenizer.open(json);
    const plain = withoutStartMarker(config);
    this.continuation = plain ? NativePieceTokenizer.open(JSON.stringify(plain)) : this.start;
    const added = Array.isArray(config.added_tokens) ? (config.added_tokens as Json[]) : [];
    // Longest first, so "<|im_start|>" is removed whole before any shorter token inside it.
    this.specials = added.filter((t) => t.special === true && typeof t.content === 'string' && t.content !== '').map((t) => t.content as string).sort((a, b) => b.length - a.length);
    this.vocabSize = this.start.getVocabSize(true);
  }

  private static open(json: string): Tokenizer {
    const tokenizer = Tokenizer.fromString(json);
    // A tokenizer.json may carry truncation or padding settings; pieces must come back whole and unpadded.
    tokenizer.disableTruncation();
    tokenizer.disablePadding();
    return tokenizer;
  }

  static fromFile(file: string): NativePieceTokenizer {
    return new NativePieceTokenizer(readFileSync(file, 'utf8'));
  }

  static fromString(json: string): NativePieceTokenizer {
    return new NativePieceTokenizer(json);
  }

  isSpecialOnly(text: string): boolean {
    let rest = text;
    for (const s of this.specials) rest = rest.split(s).join('');
    return rest === '';
  }

  async encode(texts: readonly string[], continuation = false): Promise<Encoded[]> {
    const prefix = continuation ? 'c:' : 's:';
    const found = new Map<string, Encoded>([['', { ids: [], spans: [] }]]);
    for (const t of texts) {
      const cached = this.cache.get(prefix + t);
      if (cached) found.set(t, cached);
    }
    const missing = [...new Set(texts.filter((t) => !found.has(t)))];
    if (missing.length > 0) {
      const tokenizer = continuation ? this.continuation : this.start;
      const encodings = await tokenizer.encodeBatch(missing, { addSpecialTokens: false });
      if (this.cache.size + missing.length > CACHE_LIMIT) this.cache.clear();
      missing.forEach((text, i) => {
        const e = encodings[i];
        const encoded: Encoded = { ids: e.getIds(), spans: codePointSpansToUtf16(text, e.getOffsets()) };
        found.set(text, encoded);
        this.cache.set(prefix + text, encoded);
      });
    }
    return texts.map((t) => found.get(t) as Encoded);
  }

  tokenToId(token: string): number | undefined {
    return this.start.tokenToId(token) ?? undefined;
  }

  idToToken(id: number): string | undefined {
    return this.start.idToToken(id) ?? undefined;
  }
}
