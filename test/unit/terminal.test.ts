import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { forTerminal } from '../../src/core/util/terminal';
import { formatIssue, oneLine, table } from '../../src/cli/io';
import { computeMetrics } from '../../src/core/metrics/metrics';
import { formatMetricsTable } from '../../src/core/metrics/format';

// Text from files, models and servers is printed to terminals: it must not be able to drive them.

const ESC = '\x1b';

/** Control characters a terminal would act on (all but newline and tab). */
const controls = (text: string): string[] =>
  [...text].filter((c) => {
    const code = c.charCodeAt(0);
    return (code < 0x20 && c !== '\n' && c !== '\t') || (code >= 0x7f && code <= 0x9f);
  });

describe('forTerminal', () => {
  test('C0 and C1 controls and DEL are shown as escapes; newlines, tabs and all printable text are kept', () => {
    assert.equal(
      forTerminal(`a${ESC}]0;pwned\x07b${ESC}[2J\x9b31m\x7f\r\0`),
      'a\\x1b]0;pwned\\x07b\\x1b[2J\\x9b31m\\x7f\\x0d\\x00',
    );
    const plain = 'Step 1:\t12 × 7 = 84 ✓ — 第二步 😀 \u00a0é\n';
    assert.equal(forTerminal(plain), plain);
  });

  test('bidi embeddings, overrides and isolates are escaped; right-to-left text and its marks are kept', () => {
    // "Trojan Source": an override inside a step would make the rest of the printed line read reversed.
    assert.equal(forTerminal('score \u202e0.91\u202c ok \u2066x\u2069'), 'score \\u202e0.91\\u202c ok \\u2066x\\u2069');
    for (const c of ['\u202a', '\u202b', '\u202d', '\u2067', '\u2068'])
      assert.doesNotMatch(forTerminal(`a${c}b`), /[\u202a-\u202e\u2066-\u2069]/u);
    const rtl = 'שלב 1: \u200f7 × 3 = 21 \u200eالخطوة\u061c';
    assert.equal(forTerminal(rtl), rtl);
  });

  test('the CLI printers use it: table cells and headers, one-line cells, input issues', () => {
    const printed = [
      table([`id${ESC}[2J`, 'text'], [['0', `x${ESC}]0;title\x07`]]),
      oneLine(`step ${ESC}[2J text`, 40),
      formatIssue({ file: 'd.jsonl', line: 3, message: `invalid JSON: Unexpected token ${ESC}` }),
    ].join('\n');
    assert.deepEqual(controls(printed), []);
    assert.match(printed, /x\\x1b\]0;title\\x07/);
    assert.match(printed, /^d\.jsonl:line 3: invalid JSON: Unexpected token \\x1b$/m);
  });

  test('a table of 200,000 rows is laid out (no spread of every row into Math.max)', () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), 'step']);
    const lines = table(['idx', 'text'], rows).split('\n');
    assert.equal(lines.length, 200_002);
    assert.equal(lines[2], '     0  step');
  });
});

describe('metrics tables', () => {
  test('a subset named with escape sequences prints inert', () => {
    const subset = `${ESC}]0;owned${String.fromCharCode(7)}${ESC}[2Jgsm8k`;
    const report = computeMetrics([
      { subset, label: 0, prediction: 0 },
      { subset, label: -1, prediction: -1 },
    ]);
    const text = formatMetricsTable(report);
    assert.deepEqual(controls(text), []);
    assert.match(text, /gsm8k/);
  });
});
