import type { Readable } from 'node:stream';
import { describeInvalidUtf8, firstInvalidUtf8, utf8Chunks } from './encoding';
import { keepRawNumbers, overflowingNumbers } from './rawNumbers';
import { errorMessage } from '../util/errors';

/** Lines longer than this are skipped unread: no record needs more, and the text of one must fit in a string. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

export interface JsonLinesOptions {
  /** Longest line read, in bytes (default DEFAULT_MAX_LINE_BYTES); a longer one yields an error and is skipped. */
  maxLineBytes?: number;
}

export type ParsedLine =
  /** `warning`: a problem of the line that did not stop it being read (invalid UTF-8). */
  { line: number; value: unknown; warning?: string } | { line: number; error: string };

/**
 * Parses a JSONL stream one line at a time (1-based line numbers; blank lines skipped; UTF-8, or UTF-16 with a
 * byte-order mark). A malformed or oversized line yields an error instead of a value, so the caller can report it and
 * go on with the next line; an oversized line is never held whole.
 */
export async function* parseJsonLines(
  input: Readable | AsyncIterable<Uint8Array | string>,
  options: JsonLinesOptions = {},
): AsyncGenerator<ParsedLine> {
  const max = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  let line = 0;
  let parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of utf8Chunks(input)) {
      for (let from = 0; ;) {
        const nl = chunk.indexOf(0x0a, from);
        const to = nl === -1 ? chunk.length : nl;
        size += to - from;
        if (size > max) parts = [];
        else if (to > from) parts.push(chunk.subarray(from, to));
        if (nl === -1) break;
        line += 1;
        const parsed = parseLine(line, parts, size, max);
        if (parsed) yield parsed;
        [parts, size, from] = [[], 0, nl + 1];
      }
    }
    const parsed = size > 0 ? parseLine(line + 1, parts, size, max) : undefined;
    if (parsed) yield parsed;
  } finally {
    if ('destroy' in input) input.destroy();
  }
}

/** One line's bytes (without its "\n"): its value or error, undefined when it is blank. */
function parseLine(line: number, parts: readonly Buffer[], size: number, max: number): ParsedLine | undefined {
  if (size > max) return { line, error: `the line is ${bytes(size)}, over the ${bytes(max)} limit for one record` };
  const whole = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
  const body = whole[whole.length - 1] === 0x0d ? whole.subarray(0, whole.length - 1) : whole;
  const text = body.toString('utf8');
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { line, error: `invalid JSON: ${errorMessage(e)}` };
  }
  const overflowing = overflowingNumbers(text);
  if (overflowing.length > 0) value = keepRawNumbers(value, overflowing);
  const bad = firstInvalidUtf8(body);
  if (bad === -1) return { line, value };
  return { line, value, warning: describeInvalidUtf8({ line, byte: bad + 1 }) };
}

function bytes(n: number): string {
  const MiB = 1024 * 1024;
  if (n >= MiB) return `${(n / MiB).toFixed(n % MiB === 0 ? 0 : 1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(n % 1024 === 0 ? 0 : 1)} KiB`;
  return `${n} bytes`;
}
