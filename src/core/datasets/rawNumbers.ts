/**
 * JSON numbers beyond a double's range (`1e400`) parse as ±Infinity, which messages would print as JSON.stringify
 * does: "null". The readers put a RawNumber with the number as written in their place, so a record with one is
 * reported with the text the file holds (and skipped: no field accepts it).
 */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** A cheap test that `json` may hold a number out of range: an exponent of 3 digits or 309 digits in a row. */
const MAYBE_OVERFLOW = /[eE][+]?\d{3}|\d{309}/;
const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/** The numbers of a JSON text (strings skipped) that parse to ±Infinity, as written, in order. */
export function overflowingNumbers(json: string): string[] {
  if (!MAYBE_OVERFLOW.test(json)) return [];
  const found: string[] = [];
  for (let i = 0; i < json.length;) {
    const c = json.charCodeAt(i);
    if (c === 0x22) {
      // A string: up to the next quote that is not escaped.
      for (i++; i < json.length && json.charCodeAt(i) !== 0x22; i++) if (json.charCodeAt(i) === 0x5c) i++;
      i++;
    } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(json);
      if (!m) {
        i++;
        continue;
      }
      if (!Number.isFinite(Number(m[0]))) found.push(m[0]);
      i += m[0].length;
    } else i++;
  }
  return found;
}

/**
 * Replaces the non-finite numbers of a parsed value by RawNumbers with `texts` (the written numbers, in the order
 * of the source), walking the value iteratively (it may nest deeply) in key order. Returns the value.
 */
export function keepRawNumbers(value: unknown, texts: readonly string[]): unknown {
  let next = 0;
  const raw = (): RawNumber => new RawNumber(texts[next++] ?? 'a number out of range');
  if (typeof value === 'number') return Number.isFinite(value) ? value : raw();
  if (value === null || typeof value !== 'object') return value;
  const frames: { node: Record<string, unknown>; keys: string[]; at: number }[] = [];
  const enter = (node: object): void => {
    frames.push({ node: node as Record<string, unknown>, keys: Object.keys(node), at: 0 });
  };
  enter(value);
  while (frames.length > 0) {
    const frame = frames[frames.length - 1];
    if (frame.at === frame.keys.length) {
      frames.pop();
      continue;
    }
    const key = frame.keys[frame.at++];
    const child = frame.node[key];
    if (typeof child === 'number' && !Number.isFinite(child)) frame.node[key] = raw();
    else if (child !== null && typeof child === 'object') enter(child);
  }
  return value;
}
