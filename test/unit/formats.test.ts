import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectFormat, normalizeRecord, type DatasetFormat } from '../../src/core/datasets/formats';
import { readDataset } from '../../src/core/datasets/read';
import type { DatasetItem, InputIssue } from '../../src/core/datasets/types';

const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'webview', 'formats');

async function read(file: string): Promise<{ items: DatasetItem[]; issues: InputIssue[]; formats: DatasetFormat[] }> {
  const issues: InputIssue[] = [];
  const formats: DatasetFormat[] = [];
  const items: DatasetItem[] = [];
  for await (const item of readDataset(file, { onIssue: (i) => issues.push(i), onFormat: (f) => formats.push(f) }))
    items.push(item);
  return { items, issues, formats };
}

const brief = (items: DatasetItem[]) =>
  items.map((i) => ({
    id: i.id,
    subset: i.subset,
    problem: i.problem,
    steps: i.steps,
    label: i.label,
    ...(i.finalAnswerCorrect !== undefined ? { fac: i.finalAnswerCorrect } : {}),
  }));
const where = (issues: InputIssue[]) => issues.map((i) => `L${i.line} ${i.field ?? '-'}`);

describe('dataset layouts: detection', () => {
  test('each layout is told by its keys', () => {
    assert.equal(detectFormat({ problem: 'p', steps: ['a'], label: 0 }), 'processbench');
    assert.equal(detectFormat({ question: { problem: 'p' }, label: { steps: [] } }), 'prm800k');
    assert.equal(detectFormat({ input: 'x ки', label: 'x +', task: 'GSM8K' }), 'math-shepherd');
    assert.equal(detectFormat({ prompt: 'p', completions: ['a'], labels: [true] }), 'trl-stepwise');
    assert.equal(detectFormat({ input: 'x', steps: ['a'], mistake_index: null }), 'big-bench-mistake');
    assert.equal(detectFormat({ something: 'else' }), 'processbench', 'unknown objects are checked as ProcessBench');
    assert.equal(detectFormat([1, 2]), undefined);
    assert.equal(detectFormat('text'), undefined);
  });
});

describe('dataset layouts: PRM800K', () => {
  test('the labelled path, first step rated -1 as the label, neutral is not an error; unfinished records skipped', async () => {
    const file = join(FIXTURES, 'prm800k.jsonl');
    const { items, issues, formats } = await read(file);
    assert.deepEqual(formats, ['prm800k']);
    assert.deepEqual(brief(items), [
      {
        id: 'prm800k.jsonl:1',
        subset: 'prm800k',
        problem: 'What is 3 × 4 + 2?',
        steps: ['3 × 4 = 12.', '12 + 2 = 15.'],
        label: 1,
      },
      {
        id: 'prm800k.jsonl:2',
        subset: 'prm800k',
        problem: 'Add 5 and 6.',
        steps: ['Let me add them.', '5 + 6 = 11.', '# Answer\n\n11'],
        label: -1,
      },
    ]);
    assert.deepEqual(where(issues), [
      'L3 label.finish_reason',
      'L4 label.steps[0].chosen_completion',
      'L5 label.steps',
    ]);
    assert.match(issues[0].message, /"give_up": the labeller did not finish.*record skipped$/);
    assert.match(issues[1].message, /3 is not an index into its 1 completions/);
    assert.match(issues[2].message, /found_error.*no step.*rated -1/);
  });
});

describe('dataset layouts: Math-Shepherd', () => {
  test('steps split at the tag, problem before "Step 1:", label at the first "-", subset from task', async () => {
    const { items, issues, formats } = await read(join(FIXTURES, 'math_shepherd.jsonl'));
    assert.deepEqual(formats, ['math-shepherd']);
    assert.deepEqual(brief(items), [
      {
        id: 'math_shepherd.jsonl:1',
        subset: 'GSM8K',
        problem: 'Tom has 3 bags of 4 apples. How many apples?',
        steps: ['Step 1: 3 × 4 = 12', 'Step 2: The answer is 12.'],
        label: -1,
      },
      {
        id: 'math_shepherd.jsonl:2',
        subset: 'MATH',
        problem: 'What is 2 + 3 × 2?',
        steps: ['Step 1: 2 + 3 = 5', 'Step 2: 5 × 2 = 10', 'Step 3: The answer is 10.'],
        label: 0,
      },
    ]);
    assert.deepEqual(where(issues), ['L3 input', 'L4 label', 'L5 input']);
    assert.match(issues[0].message, /no step tag/);
    assert.match(issues[1].message, /does not match "input" at step 1/);
    assert.match(issues[2].message, /no "Step 1:"/);
  });
});

describe('dataset layouts: TRL stepwise', () => {
  test('prompt, completions and the first false label', async () => {
    const { items, issues, formats } = await read(join(FIXTURES, 'trl_stepwise.jsonl'));
    assert.deepEqual(formats, ['trl-stepwise']);
    assert.deepEqual(
      items.map((i) => [i.problem, i.steps.length, i.label]),
      [
        ['What is 7 × 8?', 2, 0],
        ['What is 9 + 10?', 2, -1],
      ],
    );
    assert.deepEqual(where(issues), ['L3 labels', 'L4 labels[0]']);
    assert.match(issues[0].message, /1 entries for 2 completions/);
  });
});

describe('dataset layouts: BIG-Bench Mistake', () => {
  test('mistake_index as the label (null = all correct) and the final answer checked against the target', async () => {
    const { items, issues, formats } = await read(join(FIXTURES, 'bbm.jsonl'));
    assert.deepEqual(formats, ['big-bench-mistake']);
    assert.deepEqual(
      items.map((i) => [i.problem, i.label, i.finalAnswerCorrect]),
      [
        ['((2 + 3) × 4) =', 1, false],
        ['Sort: pear apple', -1, true],
      ],
    );
    assert.deepEqual(where(issues), ['L3 mistake_index']);
    assert.match(issues[0].message, /4 is out of range for 1 steps/);
  });
});

describe('dataset layouts: robustness', () => {
  test('the layout is fixed by the first valid record; a record in another layout is reported in that layout’s terms', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'prm-lens-formats-'));
    try {
      const file = join(dir, 'mixed.jsonl');
      await writeFile(
        file,
        [
          '{"prompt": "broken", "completions": [], "labels": []}',
          '{"prompt": "P", "completions": ["a"], "labels": [true]}',
          '{"problem": "P", "steps": ["a"], "label": 0}',
          'not json',
          '{"prompt": "Q", "completions": ["b"], "labels": [false], "id": 7, "subset": "mine"}',
        ].join('\n'),
      );
      const { items, issues, formats } = await read(file);
      assert.deepEqual(formats, ['trl-stepwise']);
      assert.deepEqual(
        items.map((i) => [i.id, i.subset, i.label]),
        [
          ['mixed.jsonl:2', 'mixed', -1],
          ['7', 'mine', 0],
        ],
      );
      assert.deepEqual(where(issues), [
        'L1 completions',
        'L1 labels',
        'L3 prompt',
        'L3 completions',
        'L3 labels',
        'L4 -',
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('normalizeRecord keeps ProcessBench records exactly as before', () => {
    const out = normalizeRecord(
      'processbench',
      { id: 'x', problem: 'P', steps: ['a', 'b'], label: 1, generator: 'g', final_answer_correct: false },
      { file: '/d/gsm8k.jsonl', line: 1 },
    );
    assert.deepEqual(out.issues, []);
    assert.deepEqual(out.value, {
      id: 'x',
      subset: 'gsm8k',
      problem: 'P',
      steps: ['a', 'b'],
      label: 1,
      generator: 'g',
      finalAnswerCorrect: false,
      source: { file: '/d/gsm8k.jsonl', line: 1 },
    });
  });

  test('a non-object record in a non-ProcessBench layout is reported and skipped', () => {
    const out = normalizeRecord('trl-stepwise', [1], { file: 'f.jsonl', line: 9 });
    assert.equal(out.value, undefined);
    assert.deepEqual(
      out.issues.map((i) => [i.line, i.message]),
      [[9, 'expected a JSON object, got an array; record skipped']],
    );
  });
});
