/**
 * Builds a small byte-level BPE `tokenizer.json` (the GPT-2/Qwen2 scheme) for tests: 256 byte symbols, merges learned
 * from a small corpus, a few forced whole-word tokens (such as Math-Shepherd's " ки") and added special tokens.
 * Any text tokenizes, including emoji and CJK (as several byte tokens that share the character's offsets).
 */

/** GPT-2's reversible byte → printable character table. */
export function byteToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + extra++);
  return table;
}

/**
 * Qwen2's pre-tokenization pattern, as its tokenizer.json writes it (Llama 3's differs only in `\p{N}{1,3}`). Its
 * `[\r\n]*` after punctuation makes `?\n` or `.\n\n` one pre-token: a text encoded in pieces is not the text
 * encoded whole, which GPT-2's older pattern would hide.
 */
export const QWEN2_SPLIT = [
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)",
  '[^\\r\\n\\p{L}\\p{N}]?\\p{L}+',
  '\\p{N}',
  ' ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*',
  '\\s*[\\r\\n]+',
  '\\s+(?!\\S)',
  '\\s+',
].join('|');

/** The same pattern in JavaScript (which has no inline `(?i:…)`), to learn merges from the same pre-tokens. */
const SPLIT = new RegExp(
  QWEN2_SPLIT.replace("(?i:'s|'t|'re|'ve|'m|'ll|'d)", "'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]"),
  'gu',
);

export interface TokenizerSpec {
  corpus: string;
  merges: number;
  /** Words that must become single tokens (merged left to right before any learned merge). */
  forcedWords?: string[];
  /** Added tokens matched before tokenization (special tokens such as `<extra_0>`). */
  specialTokens?: string[];
}

export interface BuiltTokenizer {
  json: string;
  vocab: Map<string, number>;
  /** Id of a token given its text (byte-level encoded), e.g. `idOf(' ки')`. */
  idOf(text: string): number;
  size: number;
}

/** BPE merges learned in order; each new merge adds its joined symbol to the vocabulary. */
function mergeTable(vocab: Map<string, number>): { merges: [string, string][]; addMerge(a: string, b: string): void } {
  const merges: [string, string][] = [];
  const addMerge = (a: string, b: string) => {
    if (vocab.has(a + b)) return;
    merges.push([a, b]);
    vocab.set(a + b, vocab.size);
  };
  return { merges, addMerge };
}

export function buildByteLevelTokenizer(spec: TokenizerSpec): BuiltTokenizer {
  const bytes = byteToUnicode();
  const encodeWord = (w: string) => Array.from(Buffer.from(w, 'utf8'), (b) => bytes[b]);
  const vocab = new Map<string, number>();
  bytes.forEach((ch) => vocab.set(ch, vocab.size));
  const { merges, addMerge } = mergeTable(vocab);

  for (const word of spec.forcedWords ?? []) {
    const symbols = encodeWord(word);
    let acc = symbols[0];
    for (const s of symbols.slice(1)) {
      addMerge(acc, s);
      acc += s;
    }
  }

  // Learn merges from the corpus: repeatedly merge the most frequent adjacent pair (ties: first seen).
  const words = new Map<string, { symbols: string[]; count: number }>();
  for (const m of spec.corpus.matchAll(SPLIT)) {
    const entry = words.get(m[0]);
    if (entry) entry.count++;
    else words.set(m[0], { symbols: encodeWord(m[0]), count: 1 });
  }
  const applyMerge = (a: string, b: string) => {
    for (const w of words.values()) {
      for (let i = 0; i < w.symbols.length - 1; i++) {
        if (w.symbols[i] === a && w.symbols[i + 1] === b) w.symbols.splice(i, 2, a + b);
      }
    }
  };
  for (const [a, b] of merges) applyMerge(a, b);
  for (let n = 0; n < spec.merges; n++) {
    const counts = new Map<string, number>();
    let best: string | undefined;
    for (const w of words.values()) {
      for (let i = 0; i < w.symbols.length - 1; i++) {
        const key = `${w.symbols[i]} ${w.symbols[i + 1]}`;
        const count = (counts.get(key) ?? 0) + w.count;
        counts.set(key, count);
        if (best === undefined || count > (counts.get(best) ?? 0)) best = key;
      }
    }
    if (!best) break;
    const [a, b] = best.split(' ');
    addMerge(a, b);
    applyMerge(a, b);
  }

  const added = (spec.specialTokens ?? []).map((content) => {
    const id = vocab.size;
    vocab.set(content, id);
    return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false };
  const json = JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: QWEN2_SPLIT }, behavior: 'Isolated', invert: false },
        byteLevel,
      ],
    },
    post_processor: byteLevel,
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      vocab: Object.fromEntries(vocab),
      merges: merges.map(([a, b]) => `${a} ${b}`),
    },
  });
  return {
    json,
    vocab,
    size: vocab.size,
    idOf(text: string) {
      const id = vocab.get(text) ?? vocab.get(encodeWord(text).join(''));
      if (id === undefined) throw new Error(`test tokenizer has no single token for ${JSON.stringify(text)}`);
      return id;
    },
  };
}

/** Text the test tokenizer learns its merges from: school arithmetic in English. */
export const MATH_CORPUS = [
  'Step 1: We add the numbers together to get the total.',
  'Step 2: Then we multiply the result by two, so the answer is 24.',
  'The problem asks how many apples are left after she gives three away.',
  'First, compute 12 + 7 = 19. Next, subtract 4 from 19 to get 15.',
  'Therefore the final answer is \\boxed{15}.',
  'Let x be the number of pencils; then 3x + 5 = 20 and x = 5.',
]
  .join('\n')
  .repeat(3);

/**
 * A small SentencePiece-style BPE `tokenizer.json` (the Llama/Mistral layout): a Prepend("▁") + Replace(" ", "▁")
 * normalizer, so every encoded text starts with a word-start marker; characters of the corpus and `alphabet` as
 * symbols; byte fallback ("<0xF0>" …) for everything else; merges learned within words; BOS added by encode.
 */
export function buildSentencePieceTokenizer(spec: TokenizerSpec & { alphabet?: string }): BuiltTokenizer {
  const vocab = new Map<string, number>();
  for (const s of ['<unk>', '<s>', '</s>']) vocab.set(s, vocab.size);
  for (let b = 0; b < 256; b++) vocab.set(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, vocab.size);
  const words = spec.corpus
    .split(/\s+/)
    .filter(Boolean)
    .map((w) => `▁${w}`);
  for (const ch of new Set(['▁', ...Array.from(spec.alphabet ?? ''), ...words.flatMap((w) => Array.from(w))]))
    if (!vocab.has(ch)) vocab.set(ch, vocab.size);
  const { merges, addMerge } = mergeTable(vocab);
  for (const word of spec.forcedWords ?? []) {
    const symbols = Array.from(word);
    for (const ch of symbols) if (!vocab.has(ch)) vocab.set(ch, vocab.size);
    let acc = symbols[0];
    for (const s of symbols.slice(1)) {
      addMerge(acc, s);
      acc += s;
    }
  }
  const symbols = words.map((w) => Array.from(w));
  const apply = (a: string, b: string) => {
    for (const w of symbols)
      for (let i = 0; i < w.length - 1; i++) if (w[i] === a && w[i + 1] === b) w.splice(i, 2, a + b);
  };
  for (const [a, b] of merges) apply(a, b);
  for (let n = 0; n < spec.merges; n++) {
    const counts = new Map<string, number>();
    let best: string | undefined;
    for (const w of symbols) {
      for (let i = 0; i < w.length - 1; i++) {
        const key = `${w[i]}\u0000${w[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (best === undefined || (counts.get(key) as number) > (counts.get(best) as number)) best = key;
      }
    }
    if (!best) break;
    const [a, b] = best.split('\u0000');
    addMerge(a, b);
    apply(a, b);
  }
  const specials = ['<unk>', '<s>', '</s>', ...(spec.specialTokens ?? [])];
  for (const content of specials) if (!vocab.has(content)) vocab.set(content, vocab.size);
  // Mistral's layout: tokenizer.encode(text) starts with BOS.
  const json = sentencePieceTokenizerJson({ vocab, merges: merges.map(([a, b]) => `${a} ${b}`), specials, bos: true });
  return {
    json,
    vocab,
    size: vocab.size,
    idOf(text: string) {
      const id = vocab.get(text);
      if (id === undefined) throw new Error(`test tokenizer has no token ${JSON.stringify(text)}`);
      return id;
    },
  };
}

/**
 * A SentencePiece-style byte-fallback BPE tokenizer.json (spaces as "▁", a "▁" prepended): the layout of Llama-2,
 * Mistral and llama2.c tokenizers. `bos`: encode() starts with <s>, as Mistral's does.
 */
export function sentencePieceTokenizerJson(opts: {
  vocab: ReadonlyMap<string, number>;
  merges: readonly string[];
  specials: readonly string[];
  bos: boolean;
}): string {
  const { vocab, merges, specials, bos } = opts;
  const special = (content: string) => ({
    id: vocab.get(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  const bosFirst = {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    pair: [
      { SpecialToken: { id: '<s>', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { Sequence: { id: 'B', type_id: 1 } },
    ],
    special_tokens: { '<s>': { id: '<s>', ids: [vocab.get('<s>')], tokens: ['<s>'] } },
  };
  return JSON.stringify({
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map(special),
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Prepend', prepend: '▁' },
        { type: 'Replace', pattern: { String: ' ' }, content: '▁' },
      ],
    },
    pre_tokenizer: null,
    post_processor: bos ? bosFirst : null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: '▁' }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        { type: 'Strip', content: ' ', start: 1, stop: 0 },
      ],
    },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: '<unk>',
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: true,
      byte_fallback: true,
      vocab: Object.fromEntries(vocab),
      merges,
    },
  });
}
