import assert from 'node:assert/strict';
import { Tokenizer } from '@anush008/tokenizers';
import { testTokenizer } from './fixtures';

let native: Tokenizer | undefined;

/** The test tokenizer's own encoding of one piece of text, as an independent oracle computes it. */
export async function oracleIds(text: string): Promise<number[]> {
  if (text === '') return [];
  native ??= Tokenizer.fromString(testTokenizer().json);
  return (await native.encode(text, null, { addSpecialTokens: false })).getIds();
}

export function assertClose(a: number, b: number, tol: number, what: string): void {
  assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b} (tolerance ${tol})`);
}
