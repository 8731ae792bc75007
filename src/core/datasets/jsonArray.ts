import { createReadStream } from 'node:fs';

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
 * completed before the error is still yielded, then a JsonSyntaxError says where the error is.
 */
export async function* streamJsonArray(file: string): AsyncGenerator<ArrayElement> {
  let next = 0;
  let parserError: Error;
  try {
    for await (const element of parseElements(file, Infinity)) {
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

/** Parses the first `limit` UTF-16 code units of the file (after a byte-order mark) as a stream of array elements. */
async function* parseElements(file: string, limit: number): AsyncGenerator<ArrayElement> {
  // stream-json is ESM-only: real dynamic imports from this CommonJS module.
  const [{ pipe }, { parser }, { streamArray }] = await Promise.all([
    import('stream-json/utils/pipe.js'),
    import('stream-json/parser.js'),
    import('stream-json/streamers/stream-array.js'),
  ]);
  const elements = pipe(textOf(limit), parser(), streamArray())<{ key: number; value: unknown }>(file);
  for await (const { key, value } of elements) yield { index: key, value };
}

function textOf(limit: number): (file: string) => AsyncGenerator<string> {
  return async function* (file) {
    let left = limit;
    let first = true;
    for await (const chunk of createReadStream(file, { encoding: 'utf8' }) as AsyncIterable<string>) {
      let text = first && chunk.charCodeAt(0) === 0xfeff ? chunk.slice(1) : chunk;
      first = false;
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

/** The streaming parser does not say where it failed; stream-json's verifier does. */
async function locate(file: string): Promise<Position | undefined> {
  const { verifyFile } = await import('stream-json/file/verifier.js');
  try {
    await verifyFile(file);
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
