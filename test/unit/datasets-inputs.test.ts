import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBytes, Utf8Check, type InvalidUtf8 } from '../../src/core/datasets/encoding';
import { JsonSyntaxError, streamJsonArray } from '../../src/core/datasets/jsonArray';
import { DEFAULT_MAX_LINE_BYTES, parseJsonLines, type ParsedLine } from '../../src/core/datasets/jsonLines';
import { readDataset, type ReadOptions } from '../../src/core/datasets/read';
import type { DatasetItem, InputIssue } from '../../src/core/datasets/types';

// Inputs at their worst: oversized lines, invalid UTF-8, UTF-16 files, numbers beyond a double. Each is reported
// where it is and the good records around it are still read.

let dir = '';
before(() => (dir = mkdtempSync(join(tmpdir(), 'prm-lens-inputs-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, content);
  return path;
};

const record = (id: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id, problem: 'What is 2 + 2?', steps: ['2 + 2 = 4'], label: -1, ...extra });

type Read = { ids: string[]; issues: InputIssue[] };

async function readAll(path: string, options: Partial<ReadOptions> = {}): Promise<Read> {
  const issues: InputIssue[] = [];
  const items: DatasetItem[] = [];
  for await (const item of readDataset(path, { onIssue: (i) => issues.push(i), ...options })) items.push(item);
  return { ids: items.map((i) => i.id), issues };
}

const utf16 = (text: string, order: 'le' | 'be'): Buffer => {
  const bytes = Buffer.from(`\ufeff${text}`, 'utf16le');
  return order === 'le' ? bytes : bytes.swap16();
};

describe('JSON lines over the size limit', () => {
  test('an oversized line is reported with its line number and skipped; the records after it are read', async () => {
    const huge = record('huge', { problem: 'x'.repeat(5000) }).padEnd(5 * 1024);
    const path = file('big.jsonl', [record('a'), huge, record('b'), ''].join('\n'));
    const { ids, issues } = await readAll(path, { maxRecordSize: 1024 });
    assert.deepEqual(ids, ['a', 'b']);
    assert.deepEqual(issues, [
      { file: path, line: 2, message: 'the line is 5 KiB, over the 1 KiB limit for one record; record skipped' },
    ]);
  });

  test('JSON array: an element with too much text is reported and skipped; the rest are read', async () => {
    const huge = record('huge', { steps: ['x'.repeat(3000), 'y'.repeat(3000)] });
    const path = file('big.json', `[${record('a')},\n${huge},\n"${'z'.repeat(5000)}",\n${record('b')}]`);
    const { ids, issues } = await readAll(path, { maxRecordSize: 4096 });
    assert.deepEqual(ids, ['a', 'b']);
    // Text is what the strings, keys and numbers hold: 4 + 19 + 14 + 6000 + 2 characters for the record.
    const over = (n: string) => `the element holds ${n} characters of text, over the limit of 4,096 for one record`;
    assert.deepEqual(issues, [
      { file: path, index: 1, message: `${over('6,039')}; record skipped` },
      { file: path, index: 2, message: `${over('5,000')}; record skipped` },
    ]);
  });

  test('the limit counts bytes across chunks; a line exactly at the limit is read', async () => {
    const line = record('edge');
    const bytes = Buffer.byteLength(line);
    const chunks = async function* () {
      // The oversized line arrives a few bytes at a time and ends in the middle of a chunk.
      const text = `${line}\n${'['.repeat(bytes + 1)}\n${line}`;
      for (let i = 0; i < text.length; i += 7) yield Buffer.from(text.slice(i, i + 7));
    };
    const parsed: ParsedLine[] = [];
    for await (const p of parseJsonLines(chunks(), { maxLineBytes: bytes })) parsed.push(p);
    assert.deepEqual(
      parsed.map((p) => ('error' in p ? `${p.line}: ${p.error}` : `${p.line}: ok`)),
      ['1: ok', `2: the line is ${bytes + 1} bytes, over the ${bytes} bytes limit for one record`, '3: ok'],
    );
    assert.equal(DEFAULT_MAX_LINE_BYTES, 64 * 1024 * 1024);
  });
});

describe('invalid UTF-8', () => {
  const broken = (before: string, after: string) =>
    Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from(after)]);
  const invalid = (file: string, line: number, byte: number) => ({
    file,
    line,
    message: `invalid UTF-8 at byte ${byte} of the line; read with U+FFFD in its place`,
  });

  test('JSON lines: the line and byte are reported, and the record is still read', async () => {
    const line = broken(`{"id": "cafe", "problem": "caf`, `", "steps": ["2 + 2 = 4"], "label": -1}`);
    const bytes = Buffer.concat([Buffer.from(`${record('a')}\n`), line, Buffer.from(`\n${record('b')}`)]);
    const path = file('bad.jsonl', bytes);
    const { ids, issues } = await readAll(path);
    assert.deepEqual(ids, ['a', 'cafe', 'b']);
    assert.deepEqual(issues, [invalid(path, 2, 31)]);
  });

  test('JSON array: the line and byte are reported, and the element is still read', async () => {
    const text = broken(`[\n${record('a')},\n  {"id": "cafe", "problem": "caf`, `", "steps": ["s"], "label": -1}\n]`);
    const path = file('bad.json', text);
    const { ids, issues } = await readAll(path);
    assert.deepEqual(ids, ['a', 'cafe']);
    assert.deepEqual(issues, [invalid(path, 3, 33)]);
  });

  test('a sequence split between chunks is checked whole; lines and bytes are counted across chunks', () => {
    const found: InvalidUtf8[] = [];
    const check = new Utf8Check((f) => found.push(f));
    // "€" (E2 82 AC) split over two chunks is valid; a lone 0xff on line 2 and a cut-off sequence at the end are not.
    check.push(Buffer.from([0x61, 0xe2, 0x82]));
    check.push(Buffer.from([0xac, 0x0a, 0x62, 0x62]));
    check.push(Buffer.from([0xff, 0x0a, 0x63, 0xe2, 0x82]));
    check.end();
    assert.deepEqual(found, [
      { line: 2, byte: 3 },
      { line: 3, byte: 2 },
    ]);
  });

  test('a binary file is summed up after 20 lines', () => {
    const lines = Array.from({ length: 30 }, () => Buffer.from([0x61, 0xff, 0x0a]));
    const { invalid } = decodeBytes(Buffer.concat(lines));
    assert.equal(invalid.length, 21);
    assert.deepEqual(invalid[0], { line: 1, byte: 2 });
    assert.deepEqual(invalid[20], { more: true });
  });
});

describe('UTF-16 files (with a byte-order mark)', () => {
  for (const order of ['le', 'be'] as const) {
    test(`UTF-16${order.toUpperCase()} JSON lines and JSON arrays are decoded`, async () => {
      const lines = file(`u16${order}.jsonl`, utf16(`${record('a')}\r\n${record('ü-€-😀')}\r\n`, order));
      assert.deepEqual(await readAll(lines), { ids: ['a', 'ü-€-😀'], issues: [] });
      const array = file(`u16${order}.json`, utf16(`[\n${record('a')},\n${record('b')}\n]`, order));
      assert.deepEqual(await readAll(array), { ids: ['a', 'b'], issues: [] });
    });
  }

  test('a syntax error in a UTF-16 JSON array is located in the decoded text', async () => {
    const path = file('u16err.json', utf16(`[\n${record('a')},\n{"id": }\n]`, 'le'));
    const seen: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of streamJsonArray(path)) seen.push(e.index);
      })(),
      (e: unknown) => e instanceof JsonSyntaxError && e.line === 3 && e.column === 8,
    );
    assert.deepEqual(seen, [0]);
  });

  test('text files: decoded by their mark, UTF-8 ones with their mark dropped', () => {
    const decoded = decodeBytes(utf16('## Problem\n1 + 1', 'be'));
    assert.deepEqual(decoded, { text: '## Problem\n1 + 1', encoding: 'utf-16be', invalid: [] });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('## Problem')]);
    assert.equal(decodeBytes(bom).text, '## Problem');
  });
});

describe('numbers beyond a double', () => {
  test('a label of 1e400 is reported as written, not as "null"', async () => {
    const big = record('big', { label: 1 }).replace('"label":1', '"label":1e400');
    const lines = file('inf.jsonl', `${big}\n${record('ok')}\n`);
    const fromLines = await readAll(lines);
    assert.deepEqual(fromLines.ids, ['ok']);
    assert.equal(fromLines.issues[0].field, 'label');
    const message = '1e400 (out of range) is not an integer in [-1, 0] (1 steps); record skipped';
    assert.equal(fromLines.issues[0].message, message);

    const array = file('inf.json', `[${record('ok')}, ${record('big').replace('"label":-1', '"label":-1E+999')}]`);
    const fromArray = await readAll(array);
    assert.deepEqual(fromArray.ids, ['ok']);
    assert.deepEqual(
      fromArray.issues.map((i) => [i.index, i.field, i.message]),
      [[1, 'label', '-1E+999 (out of range) is not an integer in [-1, 0] (1 steps); record skipped']],
    );
  });

  test('strings that look like numbers and numbers in nested values keep their place', async () => {
    const raw = `{"id": "1e999", "problem": "p 2e400", "steps": ["s"], "label": -1, "meta": {"x": [1, 9e999]}}`;
    const path = file('nested.jsonl', `${raw}\n${record('x').replace('"label":-1', '"label":7e308')}\n`);
    const { ids, issues } = await readAll(path);
    assert.deepEqual(ids, ['1e999']);
    assert.match(issues[0].message, /^7e308 \(out of range\) is not an integer/);
  });
});
