import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export type ParsedLine = { line: number; value: unknown } | { line: number; error: string };

/**
 * Parses a JSONL stream one line at a time (1-based line numbers; blank lines skipped). A malformed line yields
 * its parser error instead of a value, so the caller can report it and go on with the next line.
 */
export async function* parseJsonLines(input: Readable): AsyncGenerator<ParsedLine> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of lines) {
      line += 1;
      const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (text.trim() === '') continue;
      let parsed: ParsedLine;
      try {
        parsed = { line, value: JSON.parse(text) as unknown };
      } catch (e) {
        parsed = { line, error: `invalid JSON: ${(e as Error).message}` };
      }
      yield parsed;
    }
  } finally {
    lines.close();
    input.destroy();
  }
}
