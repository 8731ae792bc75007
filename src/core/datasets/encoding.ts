import { isUtf8 } from 'node:buffer';

/**
 * Text encodings of input files. Files are UTF-8; a byte-order mark may say UTF-16 (Windows tools write it), and
 * those are decoded too. Invalid UTF-8 is read with U+FFFD in its place, as every decoder does, but never silently:
 * the checks here say on which line it is, so the reader can report it as an input issue.
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The encoding a byte-order mark at the start declares (UTF-8 without one). */
export function sniffEncoding(head: Uint8Array): TextEncoding {
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return 'utf-8';
}

/** A decoder that drops the byte-order mark and replaces invalid input with U+FFFD. */
export function textDecoder(encoding: TextEncoding): TextDecoder {
  return new TextDecoder(encoding);
}

/** Offset of the first invalid UTF-8 sequence in `bytes` (a sequence cut off at the end counts), or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  if (isUtf8(bytes)) return -1;
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length === 0) return i;
    i += length;
  }
  return -1;
}

/** Length of the valid UTF-8 sequence at `i`, 0 when it is invalid or cut off (RFC 3629, no surrogates). */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i];
  if (b < 0x80) return 1;
  let length: number;
  let min: number;
  let max = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) [length, min] = [2, 0x80];
  else if (b >= 0xe0 && b <= 0xef) [length, min, max] = [3, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf];
  else if (b >= 0xf0 && b <= 0xf4) [length, min, max] = [4, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf];
  else return 0;
  if (i + length > bytes.length) return 0;
  if (bytes[i + 1] < min || bytes[i + 1] > max) return 0;
  for (let k = 2; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return 0;
  return length;
}

/** Lines reported before the rest are summed up in one notice (a binary file would otherwise give thousands). */
const MAX_REPORTED_LINES = 20;

/** Invalid UTF-8 found: the 1-based line and the 1-based byte within it, or a summary once enough were listed. */
export type InvalidUtf8 = { line: number; byte: number } | { more: true };

export function describeInvalidUtf8(found: InvalidUtf8): string {
  return 'more' in found
    ? 'more lines hold invalid UTF-8 (not listed); read with U+FFFD in its place'
    : `invalid UTF-8 at byte ${found.byte} of the line; read with U+FFFD in its place`;
}

/**
 * Finds invalid UTF-8 in a stream of chunks, once per line: `push` each chunk, then `end`. A sequence split between
 * two chunks is checked whole.
 */
export class Utf8Check {
  private carry: Buffer = Buffer.alloc(0);
  private line = 1;
  /** Offset of the current line's start, relative to the start of `carry`. */
  private lineStart = 0;
  private lastReported = 0;
  private reported = 0;

  constructor(private readonly report: (found: InvalidUtf8) => void) {}

  push(chunk: Uint8Array): void {
    const view = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const bytes = this.carry.length > 0 ? Buffer.concat([this.carry, view]) : view;
    const end = completeEnd(bytes);
    this.scan(bytes.subarray(0, end));
    this.carry = Buffer.from(bytes.subarray(end));
    this.lineStart -= end;
  }

  /** A sequence still incomplete at the end of the input is invalid. */
  end(): void {
    this.scan(this.carry);
    this.carry = Buffer.alloc(0);
  }

  private scan(bytes: Buffer): void {
    if (isUtf8(bytes)) {
      for (let nl = bytes.indexOf(0x0a); nl !== -1; nl = bytes.indexOf(0x0a, nl + 1)) this.newline(nl);
      return;
    }
    for (let i = 0; i < bytes.length;) {
      if (bytes[i] === 0x0a) this.newline(i);
      const length = sequenceLength(bytes, i);
      if (length === 0) this.flag(i);
      i += Math.max(length, 1);
    }
  }

  private newline(at: number): void {
    this.line++;
    this.lineStart = at + 1;
  }

  private flag(at: number): void {
    if (this.line === this.lastReported || this.reported > MAX_REPORTED_LINES) return;
    this.lastReported = this.line;
    this.reported++;
    const found = { line: this.line, byte: at - this.lineStart + 1 };
    this.report(this.reported > MAX_REPORTED_LINES ? { more: true } : found);
  }
}

/** Where the last complete sequence ends: a multi-byte sequence cut by the chunk's end waits for the next chunk. */
function completeEnd(bytes: Uint8Array): number {
  for (let i = bytes.length - 1; i >= 0 && i >= bytes.length - 3; i--) {
    const b = bytes[i];
    if ((b & 0xc0) === 0x80) continue;
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + need > bytes.length ? i : bytes.length;
  }
  return bytes.length;
}

/**
 * Decodes a stream of byte chunks by its byte-order mark (UTF-8 without one), dropping the mark; invalid UTF-8 is
 * reported through `onInvalid`.
 */
export async function* decodeChunks(
  chunks: AsyncIterable<Uint8Array>,
  onInvalid: (found: InvalidUtf8) => void = () => undefined,
): AsyncGenerator<string> {
  const open = (bytes: Uint8Array): { decoder: TextDecoder; check?: Utf8Check } => {
    const encoding = sniffEncoding(bytes);
    return { decoder: textDecoder(encoding), ...(encoding === 'utf-8' ? { check: new Utf8Check(onInvalid) } : {}) };
  };
  // The first bytes wait until the byte-order mark can be read, whatever the chunk sizes.
  let head = Buffer.alloc(0);
  let reader: ReturnType<typeof open> | undefined;
  for await (const chunk of chunks) {
    let bytes: Uint8Array = chunk;
    if (!reader) {
      head = Buffer.concat([head, chunk]);
      if (head.length < 2) continue;
      bytes = head;
      reader = open(bytes);
    }
    reader.check?.push(bytes);
    const text = reader.decoder.decode(bytes, { stream: true });
    if (text.length > 0) yield text;
  }
  const last = reader ?? open(head);
  if (!reader) last.check?.push(head);
  last.check?.end();
  const tail = last.decoder.decode(reader ? undefined : head);
  if (tail.length > 0) yield tail;
}

/** Decodes a whole file's bytes like decodeChunks; each line with invalid UTF-8 is listed. */
export function decodeBytes(bytes: Uint8Array): { text: string; encoding: TextEncoding; invalid: InvalidUtf8[] } {
  const encoding = sniffEncoding(bytes);
  const invalid: InvalidUtf8[] = [];
  if (encoding === 'utf-8') {
    const check = new Utf8Check((found) => invalid.push(found));
    check.push(bytes);
    check.end();
  }
  return { text: textDecoder(encoding).decode(bytes), encoding, invalid };
}

const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * The bytes of a stream as UTF-8 without a byte-order mark: UTF-8 passes through (invalid bytes untouched, for the
 * caller to find), UTF-16 with its mark is transcoded. String chunks (a stream with an encoding set) are re-encoded.
 */
export async function* utf8Chunks(chunks: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer> {
  // The first bytes wait until the byte-order mark can be read, whatever the chunk sizes.
  let head: Buffer | null = Buffer.alloc(0);
  let decoder: TextDecoder | null = null;
  for await (const raw of chunks) {
    let chunk =
      typeof raw === 'string' ? Buffer.from(raw, 'utf8') : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
    if (head) {
      head = Buffer.concat([head, chunk]);
      if (head.length < UTF8_BOM.length) continue;
      [chunk, head] = [head, null];
      ({ chunk, decoder } = startUtf8(chunk));
    }
    if (decoder) chunk = Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8');
    if (chunk.length > 0) yield chunk;
  }
  if (head) ({ chunk: head, decoder } = startUtf8(head));
  const tail = decoder ? Buffer.from(decoder.decode(head ?? undefined), 'utf8') : head;
  if (tail && tail.length > 0) yield tail;
}

/** The first bytes of a stream: a UTF-8 mark dropped, or a decoder for UTF-16. */
function startUtf8(bytes: Buffer): { chunk: Buffer; decoder: TextDecoder | null } {
  const encoding = sniffEncoding(bytes);
  if (encoding !== 'utf-8') return { chunk: bytes, decoder: textDecoder(encoding) };
  const bom = UTF8_BOM.every((b, i) => bytes[i] === b);
  return { chunk: bom ? bytes.subarray(UTF8_BOM.length) : bytes, decoder: null };
}
