import { createReadStream } from 'node:fs';
import { decodeChunks, type InvalidUtf8 } from './encoding';
import { keepRawNumbers } from './rawNumbers';

/** A syntax error part-way through a JSON array file, with the position the verifier found (1-based). */
export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line === undefined ? `JSON syntax error: ${reason}` : `JSON syntax error at line ${line}, column ${column}: ${reason}`);
  }
}

export interface ArrayElement {
  index: number;
  value: unknown;
}

/**
 * Streams the elements of a top-level JSON array, holding one element at a time. On a syntax error, every element
 * completed before the error is still yielded, then a JsonSyntaxError says where the error is. The file is UTF-8 (or
 * UTF-16 with a byte-order mark); lines with invalid UTF-8 are passed to `onInvalidUtf8` and read with U+FFFD.
 */
export async function* streamJsonArray(
  file: string,
  onInvalidUtf8: (found: InvalidUtf8) => void = () => undefined,
): AsyncGenerator<ArrayElement> {
  let next = 0;
  let parserError: Error;
  try {
    for await (const element of parseElements(file, Infinity, onInvalidUtf8)) {
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
    for await (const element of parseElements(file, where.offset)) {
      if (element.index >= next) yield element;
    }
  } catch (e) {
    if (isIoError(e)) throw e;
  }
  throw new JsonSyntaxError(where.reason, where.line, where.column);
}

/** Parses the first `limit` UTF-16 code units of the file's text as a stream of array elements. */
async function* parseElements(
  file: string,
  limit: number,
  onInvalidUtf8?: (found: InvalidUtf8) => void,
): AsyncGenerator<ArrayElement> {
  // stream-json is ESM-only: real dynamic imports from this CommonJS module.
  const [{ pipe }, { parser }, { streamArray }] = await Promise.all([
    import('stream-json/utils/pipe.js'),
    import('stream-json/parser.js'),
    import('stream-json/streamers/stream-array.js'),
  ]);
  const overflowing = new OverflowingNumbers();
  const tap = (token: Token): Token => overflowing.see(token);
  const run = pipe(textOf(limit, onInvalidUtf8), parser(), tap, streamArray());
  const elements = run<{ key: number; value: unknown }>(file);
  for await (const { key, value } of elements) yield { index: key, value: overflowing.restore(key, value) };
}

interface Token {
  name: string;
  value?: unknown;
}

/**
 * Numbers out of a double's range, as written, by the array element they are in (the parser's tokens carry the
 * text; the assembled value only ±Infinity): see rawNumbers.ts.
 */
class OverflowingNumbers {
  private readonly byElement = new Map<number, string[]>();
  private depth = 0;
  /** Elements of the top-level array completed so far: the index of the one being read. */
  private element = 0;

  see(token: Token): Token {
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        this.depth++;
        break;
      case 'endObject':
      case 'endArray':
        if (--this.depth === 1) this.element++;
        break;
      case 'numberValue':
        if (!Number.isFinite(Number(token.value))) {
          const texts = this.byElement.get(this.element);
          if (texts) texts.push(String(token.value));
          else this.byElement.set(this.element, [String(token.value)]);
        }
        if (this.depth === 1) this.element++;
        break;
      case 'stringValue':
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        if (this.depth === 1) this.element++;
        break;
    }
    return token;
  }

  restore(index: number, value: unknown): unknown {
    const texts = this.byElement.get(index);
    if (!texts) return value;
    this.byElement.delete(index);
    return keepRawNumbers(value, texts);
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
