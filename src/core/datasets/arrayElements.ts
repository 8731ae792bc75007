import { keepRawNumbers } from './rawNumbers';

/** Text one element of a JSON array may hold before it is skipped unread (the counterpart of a JSON line's limit). */
export const DEFAULT_MAX_ELEMENT_CHARS = 64 * 1024 * 1024;

export interface Token {
  name: string;
  value?: unknown;
}

/**
 * Sits between stream-json's parser (strings unpacked) and its array streamer, and keeps per element of the
 * top-level array what the assembled value loses: strings are packed here, up to `maxChars` characters of text per
 * element (beyond, the element is marked and its strings dropped, so no giant string is ever built), and numbers
 * out of a double's range are kept as written (see rawNumbers.ts).
 */
export class ElementTokens {
  private depth = 0;
  /** Elements of the top-level array completed so far: the index of the one being read. */
  private element = 0;
  /** Characters of text (strings, keys, numbers) of the element being read. */
  private size = 0;
  private inKey = false;
  private chunks: string[] = [];
  private readonly overflowing = new Map<number, string[]>();
  private readonly oversized = new Map<number, number>();

  constructor(private readonly maxChars: number) {}

  see(token: Token): Token {
    switch (token.name) {
      case 'startObject':
      case 'startArray':
        this.depth++;
        return token;
      case 'endObject':
      case 'endArray':
        if (--this.depth === 1) this.completed();
        return token;
      case 'startKey':
      case 'endKey':
        this.inKey = token.name === 'startKey';
        return token;
      case 'keyValue':
        this.count(String(token.value).length);
        return token;
      case 'stringChunk':
        if (!this.inKey && this.count((token.value as string).length)) this.chunks.push(token.value as string);
        return token;
      case 'endString': {
        const value = this.chunks.length === 1 ? this.chunks[0] : this.chunks.join('');
        this.chunks = [];
        if (this.depth === 1) this.completed();
        return { name: 'stringValue', value };
      }
      case 'numberValue': {
        const text = String(token.value);
        this.count(text.length);
        if (!Number.isFinite(Number(text))) this.keepNumber(text);
        if (this.depth === 1) this.completed();
        return token;
      }
      case 'nullValue':
      case 'trueValue':
      case 'falseValue':
        if (this.depth === 1) this.completed();
        return token;
      default:
        return token;
    }
  }

  /** The element as read, or why it was not: its text was over the limit. */
  take(index: number, value: unknown): { value: unknown } | { error: string } {
    const size = this.oversized.get(index);
    const texts = this.overflowing.get(index);
    this.oversized.delete(index);
    this.overflowing.delete(index);
    if (size !== undefined) {
      const limit = this.maxChars.toLocaleString('en-US');
      return { error: `the element holds ${characters(size)} of text, over the limit of ${limit} for one record` };
    }
    return { value: texts ? keepRawNumbers(value, texts) : value };
  }

  /** Counts text of the current element; false once it is over the limit (its strings are then dropped). */
  private count(chars: number): boolean {
    this.size += chars;
    if (this.size <= this.maxChars) return true;
    this.oversized.set(this.element, this.size);
    return false;
  }

  private keepNumber(text: string): void {
    const texts = this.overflowing.get(this.element);
    if (texts) texts.push(text);
    else this.overflowing.set(this.element, [text]);
  }

  private completed(): void {
    this.element++;
    this.size = 0;
  }
}

function characters(n: number): string {
  return `${n.toLocaleString('en-US')} character${n === 1 ? '' : 's'}`;
}
