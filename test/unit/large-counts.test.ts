import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { segmentFile } from '../../src/core/analysis/analyze';
import { analysisReportMarkdown } from '../../src/core/analysis/describe';
import { assemble, fitToContext } from '../../src/core/critics/onnx/sequence';

// Counts that input controls (steps, tokens, backtick runs) never become call arguments: a spread of 120,000+
// values into Math.max or push overflows the stack.

const MANY = 150_000;

describe('no spread of input-sized arrays', () => {
  test('the context policy over 150,000 steps', () => {
    const reads = Array.from({ length: MANY }, (_, i) => i);
    const ranges = reads.map((r): [number, number] => [r, r + 1]);
    const seq = { ids: reads.slice(), reads, ranges, spans: [], sums: ranges, notes: [], text: '', ends: [] };
    // Step i is read at token i: 100 steps fit in 100 tokens.
    const fitted = fitToContext(seq, 'token-classification', 100);
    assert.deepEqual([fitted.scored, fitted.ids.length, fitted.fullLength], [100, 100, MANY]);
  });

  test('a piece of 150,000 token ids', () => {
    const ids = Array.from({ length: MANY }, (_, i) => i % 500);
    const seq = assemble([{ kind: 'ids', ids, text: '', step: 0, read: true }], 1, () => ({ ids: [], spans: [] }));
    assert.equal(seq.ids.length, MANY);
    assert.deepEqual(seq.reads, [MANY - 1]);
  });

  test('a markdown report of a step with 150,000 backtick runs', () => {
    const text = '`a'.repeat(MANY);
    const { document, segmentation } = segmentFile(text, { strategy: 'lines' });
    const report = analysisReportMarkdown({ document, segmentation, results: [], failures: [] }, 'ticks.md');
    assert.ok(report.includes(`\`\`\`text\n${text}\n\`\`\``));
  });
});
