import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { segmentFile, traceContext } from '../../src/core/analysis/analyze';
import type { Critic, CriticInput } from '../../src/core/critics/types';
import { normalizeRecord } from '../../src/core/datasets/formats';
import { readDataset } from '../../src/core/datasets/read';
import type { DatasetItem, InputIssue } from '../../src/core/datasets/types';
import { runItems } from '../../src/core/run/engine';
import { itemContentKey } from '../../src/core/run/identity';
import { traceItemSteps } from '../../src/core/trace/items';
import { itemDocument } from '../../src/views/itemDocument';

// Dataset items whose solution holds a thinking block: split into the trace's parts as a file is, in eval (the run
// engine) and in the dataset view (the item document the editor segments).

const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-trace-items-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const STEPS = [
  '<think>\nLet me add 17 and 25.',
  '17 + 25 = 32.',
  'Wait, 7 + 5 = 12, so 17 + 25 = 42.\n</think>\n\nThe sum is 42.',
  '**Answer:** 42',
];

describe('traceItemSteps', () => {
  test('tags removed, a step holding both parts split in two, the label moved with its step, sections', () => {
    assert.deepEqual(traceItemSteps(STEPS, 3), {
      steps: [
        'Let me add 17 and 25.',
        '17 + 25 = 32.',
        'Wait, 7 + 5 = 12, so 17 + 25 = 42.',
        'The sum is 42.',
        '**Answer:** 42',
      ],
      thinkingSteps: 3,
      label: 4,
      sections: [
        { firstStep: 0, lastStep: 1 },
        { firstStep: 2, lastStep: 2 },
      ],
    });
    assert.equal((traceItemSteps(STEPS, 1) as { label: number }).label, 1);
    assert.equal((traceItemSteps(STEPS, -1) as { label: number }).label, -1);
  });

  test('a tag alone is dropped and later labels shift; a label on it is refused', () => {
    const steps = ['<think>', 'Try 2 × 3 = 5.', '</think>', 'So 5.'];
    const split = traceItemSteps(steps, 3);
    assert.deepEqual(split, {
      steps: ['Try 2 × 3 = 5.', 'So 5.'],
      thinkingSteps: 1,
      label: 1,
      sections: [{ firstStep: 0, lastStep: 0 }],
    });
    assert.equal(traceItemSteps(steps, 2), 'step 2 (the labelled first error) has no text outside the thinking tags');
  });

  test('a closing tag only (the opening one was in the prompt) and gpt-oss channels are traces too', () => {
    const closing = traceItemSteps(['First, 2 + 2 = 4.', 'Done.</think>', 'It is 4.'], -1);
    assert.deepEqual(closing && typeof closing === 'object' ? closing.steps : closing, [
      'First, 2 + 2 = 4.',
      'Done.',
      'It is 4.',
    ]);
    const harmony = traceItemSteps(
      ['<|channel|>analysis<|message|>2 + 2 = 4.<|end|>', '<|start|>assistant<|channel|>final<|message|>4'],
      -1,
    );
    assert.deepEqual(harmony && typeof harmony === 'object' ? [harmony.steps, harmony.thinkingSteps] : harmony, [
      ['2 + 2 = 4.', '4'],
      1,
    ]);
  });

  test('no thinking block: undefined (the item is left as it is)', () => {
    assert.equal(traceItemSteps(['12 + 7 = 19.', 'The answer is 19.'], 0), undefined);
  });
});

describe('dataset items with thinking, read and shown', () => {
  const source = { file: path.join(dir, 'x.jsonl'), line: 1 };

  test('every layout but DeltaBench is split; a plain item has no thinkingSteps', () => {
    const pb = normalizeRecord('processbench', { id: 'a', problem: 'p', steps: STEPS, label: 3 }, source).value;
    assert.equal(pb?.thinkingSteps, 3);
    assert.equal(pb?.label, 4);
    assert.equal(pb?.steps.length, 5);
    const trl = normalizeRecord(
      'trl-stepwise',
      { prompt: 'p', completions: STEPS, labels: [true, true, true, false] },
      source,
    ).value;
    assert.deepEqual([trl?.thinkingSteps, trl?.label], [3, 4]);
    const plain = normalizeRecord('processbench', { id: 'b', problem: 'p', steps: ['a', 'b'], label: -1 }, source);
    assert.equal(plain.value && 'thinkingSteps' in plain.value, false);
  });

  test('a label that points at a tag alone skips the record with the reason', () => {
    const raw = { id: 'c', problem: 'p', steps: ['<think>', 'x', '</think>', 'y'], label: 0 };
    const { value, issues } = normalizeRecord('processbench', raw, source);
    assert.equal(value, undefined);
    assert.equal(issues[0].field, 'label');
    assert.match(issues[0].message, /step 0 \(the labelled first error\) has no text outside the thinking tags/);
  });

  test('DeltaBench items are all thinking', () => {
    const raw = {
      question: 'q',
      sections_content: 'section1:\nFirst.\n\nSecond.\nsection2:\nThird.',
      reason_error_section_numbers: [2],
    };
    const item = normalizeRecord('deltabench', raw, source).value;
    assert.equal(item?.thinkingSteps, 3);
  });

  test('the item document gives the editor the same steps, thinking steps and sections', async () => {
    const file = path.join(dir, 'traces.jsonl');
    writeFileSync(file, `${JSON.stringify({ id: 't1', problem: 'What is 17 + 25?', steps: STEPS, label: 1 })}\n`);
    const issues: InputIssue[] = [];
    const items: DatasetItem[] = [];
    for await (const item of readDataset(file, { onIssue: (i) => issues.push(i) })) items.push(item);
    assert.deepEqual(issues, []);
    const [item] = items;
    const doc = itemDocument(item);
    assert.match(doc, /## Solution\n\n<think>\nLet me add 17 and 25\.\n\n/);
    // The editor segments an item document by paragraphs (itemSegmentation).
    const seen = segmentFile(doc, { strategy: 'paragraphs' });
    assert.deepEqual(
      seen.segmentation.steps.map((s) => s.text),
      item.steps,
    );
    assert.deepEqual(traceContext(seen.trace, seen.segmentation.steps), {
      sections: item.sections,
      thinkingSteps: item.thinkingSteps,
    });
    // A plain item's document is as before: no tags.
    assert.doesNotMatch(itemDocument({ ...item, steps: ['a'], thinkingSteps: undefined }), /<think>/);
  });

  test('eval gives critics the thinking steps and sections; they are part of the content key', async () => {
    const item = normalizeRecord('processbench', { id: 'a', problem: 'p', steps: STEPS, label: 3 }, source)
      .value as DatasetItem;
    const seen: CriticInput[] = [];
    const critic: Critic = {
      id: 'rec',
      type: 'rec',
      label: 'rec',
      score: async (input) => {
        seen.push(input);
        return {
          criticId: 'rec',
          steps: input.steps.map(() => ({ score: 0.9, verdict: 'correct' as const })),
          firstError: -1,
          timing: { startedAt: 0, durationMs: 0 },
        };
      },
    };
    for await (const outcome of runItems([item], { critics: [{ id: 'rec', identity: 'i', critic }], concurrency: 1 })) {
      assert.equal(outcome.records[0].prediction, -1);
    }
    assert.equal(seen[0].thinkingSteps, 3);
    assert.deepEqual(seen[0].sections, item.sections);
    assert.notEqual(itemContentKey(item), itemContentKey({ ...item, thinkingSteps: 2 }));
  });
});
