import { createReadStream } from 'node:fs';
import { DEFAULT_MAX_ELEMENT_CHARS, ElementTokens, type Token } from './arrayElements';
import { decodeChunks, type InvalidUtf8 } from './encoding';

/** A syntax error part-way through a JSON array file, with the position the verifier found (1-based). */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(
      line === undefined
        ? `JSON syntax error: ${reason}`
        : `JSON syntax error at line ${line}, column ${column}: ${reason}`,
    );
  }
}

/** An element of the array, or why it was not read (its text was over the limit). */
export type ArrayElement = { index: number; value: unknown } | { index: number; error: string };

export interface ArrayOptions {
  /** Called for each line holding invalid UTF-8 (read with U+FFFD in its place). */
  onInvalidUtf8?: (found: InvalidUtf8) => void;
  /** Most characters of text one element may hold (default DEFAULT_MAX_ELEMENT_CHARS); beyond, it is not read. */
  maxElementChars?: number;
}

/**
 * Streams the elements of a top-level JSON array, holding one element at a time. On a syntax error, every element
 * completed before the error is still yielded, then a JsonSyntaxError says where the error is. The file is UTF-8 (or
 * UTF-16 with a byte-order mark). An element with more text than the limit comes with an error instead of its value
 * and is never held whole.
 */
export async function* streamJsonArray(file: string, options: ArrayOptions = {}): AsyncGenerator<ArrayElement> {
  let next = 0;
  let parserError: Error;
  try {
    for await (const element of parseElements(file, Infinity, options)) {
      next = element.index + 1;
      yield element;
    }
    return;
  } catch (e) {
    if (isIoError(e)) throw e;
    parserError = e as Error;
  }
  const where = await locate(file);
  if (where === undefined) throw new JsonSyntaxError(stripPrefix(parserError.message));
  // The parser drops all tokens of the block it fails in, so complete elements may precede the error unseen:
  // parse again the text before the error, which ends mid-value by construction.
  try {
    for await (const element of parseElements(file, where.offset, { ...options, onInvalidUtf8: undefined })) {
      if (element.index >= next) yield element;
    }
  } catch (e) {
    if (isIoError(e)) throw e;
  }
  throw new JsonSyntaxError(where.reason, where.line, where.column);
}

/** Parses the first `limit` UTF-16 code units of the file's text as a stream of array elements. */
async function* parseElements(file: string, limit: number, options: ArrayOptions): AsyncGenerator<ArrayElement> {
  // stream-json is ESM-only: real dynamic imports from this CommonJS module.
  const [{ pipe }, { parser }, { streamArray }] = await Promise.all([
    import('stream-json/utils/pipe.js'),
    import('stream-json/parser.js'),
    import('stream-json/streamers/stream-array.js'),
  ]);
  const tokens = new ElementTokens(options.maxElementChars ?? DEFAULT_MAX_ELEMENT_CHARS);
  const see = (token: Token): Token => tokens.see(token);
  // Strings are packed by ElementTokens, which stops at the size limit.
  const run = pipe(textOf(limit, options.onInvalidUtf8), parser({ packStrings: false }), see, streamArray());
  for await (const { key, value } of run<{ key: number; value: unknown }>(file)) {
    yield { index: key, ...tokens.take(key, value) };
  }
}

/** The file's text (without a byte-order mark), cut after `limit` UTF-16 code units. */
function textOf(limit: number, onInvalidUtf8?: (found: InvalidUtf8) => void): (file: string) => AsyncGenerator<string> {
  return async function* (file) {
    let left = limit;
    for await (let text of decodeChunks(createReadStream(file), onInvalidUtf8)) {
      if (text.length > left) text = text.slice(0, left);
      left -= text.length;
      if (text.length > 0) yield text;
      if (left === 0) return;
    }
  };
}

interface Position {
  line: number;
  column: number;
  /** UTF-16 offset of the error in the text after a byte-order mark. */
  offset: number;
  reason: string;
}

/** The streaming parser does not say where it failed; stream-json's verifier does (on the same decoded text). */
async function locate(file: string): Promise<Position | undefined> {
  const [{ pipe }, { jsonVerifier }] = await Promise.all([
    import('stream-json/utils/pipe.js'),
    import('stream-json/utils/verifier.js'),
  ]);
  try {
    for await (const _ of pipe(textOf(Infinity), jsonVerifier())(file)) void _;
  } catch (e) {
    const v = e as { message?: unknown; line?: unknown; pos?: unknown; offset?: unknown };
    if (typeof v.line === 'number' && typeof v.pos === 'number' && typeof v.offset === 'number') {
      return { line: v.line, column: v.pos, offset: v.offset, reason: stripPrefix(String(v.message)) };
    }
    if (isIoError(e)) throw e;
  }
  return undefined;
}

/** "ERROR at 24 (1, 25): Verifier cannot parse input: expected a value" → "expected a value". */
function stripPrefix(message: string): string {
  return message.replace(/^.*cannot parse input: /is, '').replace(/^.*has expected /is, 'expected ');
}

function isIoError(e: unknown): boolean {
  return typeof (e as NodeJS.ErrnoException | null)?.code === 'string';
}
