import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { computePrmbench, type PrmbenchScored } from '../../src/core/metrics/prmbench';
import { joinPrmbench } from '../../src/core/metrics/prmbenchResults';
import { prmbenchRecordLabels, readPrmbenchLabels, type PrmbenchLabels } from '../../src/core/datasets/prmbench';
import { detectFormat, normalizeRecord } from '../../src/core/datasets/formats';
import type { InputIssue, ResultRecord } from '../../src/core/datasets/types';

const close = (actual: number | null, expected: number): void => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `expected ${expected}, got ${actual}`);
};

const item = (category: string, correct: boolean[], scores: number[]): PrmbenchScored => ({
  category,
  correct,
  scores,
});

describe('computePrmbench (PRMScore)', () => {
  test('pools the steps of a category: F1 of correct steps, F1 of erroneous steps, their mean', () => {
    // Step by step: TP (0.9 correct), FN (0.4 correct), TN (0.2 wrong); TP (0.6 correct), FP (0.7 wrong).
    // TP 2, FP 1, TN 1, FN 1: F1 = 2·2/(2·2+1+1) = 2/3; negative F1 = 2·1/(2·1+1+1) = 1/2; PRMScore = 7/12.
    const r = computePrmbench([
      item('circular', [true, true, false], [0.9, 0.4, 0.2]),
      item('circular', [true, false], [0.6, 0.7]),
    ]);
    const m = r.categories.circular;
    assert.deepEqual([m.tp, m.fp, m.tn, m.fn, m.n_items, m.n_steps], [2, 1, 1, 1, 2, 5]);
    close(m.f1, 200 / 3);
    close(m.negative_f1, 50);
    close(m.prmscore, 700 / 12);
    assert.deepEqual(r.overall, m);
  });

  test('a score equal to the threshold predicts an error (judgement.ts: correct iff score > threshold)', () => {
    const m = computePrmbench([item('deception', [true, false], [0.5, 0.5])]).categories.deception;
    assert.deepEqual([m.tp, m.fp, m.tn, m.fn], [0, 0, 1, 1]);
    const lower = computePrmbench([item('deception', [true, false], [0.5, 0.5])], 0.4).categories.deception;
    assert.deepEqual([lower.tp, lower.fp, lower.tn, lower.fn], [1, 1, 0, 0]);
  });

  test('"correct" has its own row but is left out of the overall score, as in PRMBench', () => {
    const r = computePrmbench([
      item('correct', [true, true], [0.9, 0.1]),
      item('confidence', [true, false], [0.9, 0.1]),
    ]);
    assert.deepEqual(Object.keys(r.categories), ['confidence', 'correct']);
    close(r.categories.correct.f1, 200 / 3);
    // No erroneous step: the recall of erroneous steps is undefined, so are their F1 and the PRMScore.
    assert.equal(r.categories.correct.negative_f1, null);
    assert.equal(r.categories.correct.prmscore, null);
    assert.deepEqual([r.overall.n_items, r.overall.n_steps], [1, 2]);
    close(r.overall.prmscore, 100);
  });

  test('every step misjudged: both F1s are 0 (precision and recall defined, no hit)', () => {
    const m = computePrmbench([item('x', [true, false], [0.1, 0.9])]).overall;
    assert.deepEqual([m.f1, m.negative_f1, m.prmscore], [0, 0, 0]);
  });

  test('nothing predicted correct: precision of correct steps undefined, F1 null', () => {
    const m = computePrmbench([item('x', [true, false], [0.1, 0.1])]).overall;
    assert.deepEqual([m.f1, m.prmscore], [null, null]);
    close(m.negative_f1, 200 / 3);
  });

  test('no items: every F1 is null', () => {
    const r = computePrmbench([]);
    assert.deepEqual(r.categories, {});
    assert.deepEqual([r.overall.f1, r.overall.negative_f1, r.overall.prmscore], [null, null, null]);
  });

  test('a category named __proto__ is an own key', () => {
    const r = computePrmbench([item('__proto__', [true], [0.9])]);
    assert.deepEqual(Object.keys(r.categories), ['__proto__']);
  });

  test('scores and steps of different lengths are refused', () => {
    assert.throws(() => computePrmbench([item('x', [true, true], [0.9])]), /1 scores for 2 steps/);
  });
});

describe('PRMBench labels', () => {
  const source = { file: 'p.jsonl', line: 1 };
  const released = {
    idx: 'redundency_prm_test_p1_7',
    classification: 'redundency',
    modified_question: 'q',
    original_process: ['a', 'b'],
    modified_process: ['a', 'x', 'y', 'b'],
    error_steps: [2, 3],
  };

  test('released layout: 1-based error_steps; a redundency record also gives its original as "correct"', () => {
    const { items, issues } = prmbenchRecordLabels(released, source);
    assert.deepEqual(issues, []);
    assert.deepEqual(items, [
      { id: 'redundency_prm_test_p1_7', category: 'redundency', correct: [true, false, false, true], errorsPastEnd: 0 },
      { id: 'correct_prm_test_p1_7', category: 'correct', correct: [true, true], errorsPastEnd: 0 },
    ]);
  });

  test('the ProcessBench-style conversion: steps and error_steps_1based', () => {
    const raw = { id: 'circular_1', classification: 'circular', steps: ['a', 'b', 'c'], error_steps_1based: [3, 5] };
    const { items, issues } = prmbenchRecordLabels(raw, source);
    assert.deepEqual(issues, []);
    const expected = { id: 'circular_1', category: 'circular', correct: [true, true, false], errorsPastEnd: 1 };
    assert.deepEqual(items, [expected]);
  });

  test('multi_solutions records have no error step: every step is correct', () => {
    const raw = { ...released, idx: 'multi_solutions_1', classification: 'multi_solutions', error_steps: [] };
    assert.deepEqual(prmbenchRecordLabels(raw, source).items[0].correct, [true, true, true, true]);
  });

  test('malformed records are reported with their field and skipped', () => {
    const cases: [unknown, string][] = [
      ['text', 'expected a JSON object'],
      [{ ...released, classification: 3 }, 'classification'],
      [{ ...released, error_steps: [0] }, 'error_steps'],
      [{ ...released, modified_process: [] }, 'modified_process'],
      [{ steps: ['a'], error_steps_1based: [] }, 'classification'],
    ];
    for (const [raw, what] of cases) {
      const { items, issues } = prmbenchRecordLabels(raw, source);
      assert.deepEqual(items, []);
      assert.equal(issues.length, 1);
      assert.match(`${issues[0].field} ${issues[0].message}`, new RegExp(what));
      assert.match(issues[0].message, /record skipped/);
    }
  });

  test('readPrmbenchLabels reads a JSONL file; a repeated id keeps its first record', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-prmbench-'));
    try {
      const file = path.join(dir, 'prmbench.jsonl');
      const second = { ...released, error_steps: [1] };
      writeFileSync(file, [released, second, { bad: true }].map((r) => JSON.stringify(r)).join('\n'));
      const issues: InputIssue[] = [];
      const labels = await readPrmbenchLabels(file, { onIssue: (i) => issues.push(i) });
      assert.deepEqual([...labels.keys()], ['redundency_prm_test_p1_7', 'correct_prm_test_p1_7']);
      assert.deepEqual(labels.get('redundency_prm_test_p1_7')?.correct, [true, false, false, true]);
      assert.equal(issues.length, 1);
      assert.equal(issues[0].line, 3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('eval reads released records: id = idx, subset = classification, label = min(error_steps) - 1', () => {
    assert.equal(detectFormat(released), 'prmbench');
    const { value, issues } = normalizeRecord('prmbench', released, source);
    assert.deepEqual(issues, []);
    assert.deepEqual(
      [value?.id, value?.subset, value?.label, value?.problem, value?.steps],
      ['redundency_prm_test_p1_7', 'redundency', 1, 'q', ['a', 'x', 'y', 'b']],
    );
    assert.equal(normalizeRecord('prmbench', { ...released, error_steps: [] }, source).value?.label, -1);
    const past = normalizeRecord('prmbench', { ...released, error_steps: [9] }, source);
    assert.equal(past.value, undefined);
    assert.match(past.issues[0].message, /step 9 is past the last of 4 steps/);
  });
});

describe('joinPrmbench', () => {
  const labels = new Map<string, PrmbenchLabels>([
    ['a', { id: 'a', category: 'circular', correct: [true, false], errorsPastEnd: 0 }],
    ['b', { id: 'b', category: 'circular', correct: [true], errorsPastEnd: 0 }],
    ['c', { id: 'c', category: 'deception', correct: [true], errorsPastEnd: 0 }],
    ['d', { id: 'd', category: 'deception', correct: [true], errorsPastEnd: 0 }],
    ['e', { id: 'e', category: 'deception', correct: [true], errorsPastEnd: 0 }],
  ]);
  const result = (id: string, scores: number[] | null, error?: string): ResultRecord => ({
    id,
    subset: 's',
    label: -1,
    prediction: null,
    critic: 'x',
    scores,
    ...(error ? { error } : {}),
  });

  test('counts what is scored and why the rest is left out', () => {
    const { items, coverage } = joinPrmbench(
      [
        result('a', [0.9, 0.1]),
        result('a', [0.1, 0.1]),
        result('b', [0.9, 0.9]),
        result('c', null),
        result('d', null, 'boom'),
        result('z', [1]),
      ],
      labels,
    );
    assert.deepEqual(items, [{ id: 'a', category: 'circular', correct: [true, false], scores: [0.9, 0.1] }]);
    const one = { scored: 1, failed: 1, no_scores: 1, not_in_dataset: 1, step_mismatch: 1, not_evaluated: 1 };
    assert.deepEqual(coverage, one);
  });
});
