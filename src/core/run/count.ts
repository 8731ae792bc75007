import { createReadStream } from 'node:fs';

/**
 * How many records a dataset file holds, cheaply and without parsing them (for a run's progress total): the
 * non-blank lines of JSON lines, or the top-level elements of a JSON array (told apart by the first non-whitespace
 * character, as readDataset does). Malformed records are counted too, so the total can be a little high.
 */
export async function countRecords(file: string): Promise<number> {
  let layout: 'unknown' | 'lines' | 'array' = 'unknown';
  let count = 0;
  // JSON lines: whether the current line has a non-blank character yet.
  let lineHasText = false;
  // JSON array: nesting depth, inside a string, after a backslash, whether the current element has started.
  let depth = 0;
  let inString = false;
  let escaped = false;
  let elementStarted = false;
  for await (const chunk of createReadStream(file, {
    encoding: 'utf8',
    highWaterMark: 1 << 20,
  }) as AsyncIterable<string>) {
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk.charCodeAt(i);
      const blank = ch === 32 || ch === 9 || ch === 10 || ch === 13 || ch === 0xfeff;
      if (layout === 'unknown') {
        if (blank) continue;
        layout = ch === 91 /* [ */ ? 'array' : 'lines';
        if (layout === 'array') {
          depth = 1;
          continue;
        }
      }
      if (layout === 'lines') {
        if (ch === 10) {
          if (lineHasText) count += 1;
          lineHasText = false;
        } else if (!blank) lineHasText = true;
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === 92 /* \ */) escaped = true;
        else if (ch === 34 /* " */) inString = false;
        continue;
      }
      if (ch === 34) inString = true;
      else if (ch === 91 || ch === 123) depth += 1;
      else if (ch === 93 || ch === 125) {
        depth -= 1;
        if (depth === 0) {
          if (elementStarted) count += 1;
          return count;
        }
        continue;
      } else if (ch === 44 /* , */ && depth === 1) {
        if (elementStarted) count += 1;
        elementStarted = false;
        continue;
      }
      if (depth >= 1 && !blank) elementStarted = true;
    }
  }
  if (layout === 'lines' && lineHasText) count += 1;
  if (layout === 'array' && elementStarted) count += 1;
  return count;
}
