import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readBonSamples, type BonRecord } from '../../src/core/datasets/bon-samples';
import type { InputIssue } from '../../src/core/datasets/types';
import { BonCollector } from '../../src/core/bon/collect';
import { bestOfNReport, defaultN } from '../../src/core/bon/curves';
import { aggregate, aggregatedScores, AGGREGATIONS, lowestStep } from '../../src/core/bon/aggregate';

let dir = '';
before(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-bon-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, lines: unknown[] | string): Promise<{ records: BonRecord[]; issues: InputIssue[] }> {
  const file = path.join(dir, name);
  writeFileSync(file, typeof lines === 'string' ? lines : lines.map((l) => JSON.stringify(l)).join('\n'));
  const issues: InputIssue[] = [];
  const records: BonRecord[] = [];
  for await (const r of readBonSamples(file, { onIssue: (i) => issues.push(i) })) records.push(r);
  return { records, issues };
}

describe('readBonSamples', () => {
  test("PRM800K's scored samples: given_answer, is_correct, prm_score and orm_score replayed", async () => {
    const { records, issues } = await read('scored.jsonl', [
      { problem: 'P', answer: '2', given_answer: '2', is_correct: true, prm_score: 0.9, orm_score: 0.4 },
      { problem: 'P', answer: '2', given_answer: null, is_correct: false, prm_score: 0.99, orm_score: 0.1 },
    ]);
    assert.deepEqual(issues, []);
    assert.deepEqual(
      records.map((r) => r.sample),
      [
        { answer: '2', correct: true, scores: { prm_score: 0.9, orm_score: 0.4 } },
        { answer: null, correct: false, scores: { prm_score: 0.99, orm_score: 0.1 } },
      ],
    );
    assert.deepEqual(
      records.map((r) => [r.problem, r.subset, r.id]),
      [
        ['P', 'scored', 'scored.jsonl:1'],
        ['P', 'scored', 'scored.jsonl:2'],
      ],
    );
  });

  test('any solution layout: the answer from the steps, graded against the gold one; a label', async () => {
    const { records, issues } = await read(
      'pb.json',
      JSON.stringify([
        { id: 'a', problem_id: 7, problem: 'Q', steps: ['\\boxed{\\dfrac{1}{2}}'], answer: '0.5', label: 0, score: 3 },
        { id: 'b', problem: 'Q', solution: 'The answer is 3.', answer: '0.5', label: -1 },
        { id: 'c', problem: 'Q', steps: ['nothing'], final_answer_correct: true },
      ]),
    );
    assert.deepEqual(issues, []);
    const seen = records.map((r) => [r.id, r.problem, r.sample.answer, r.sample.correct, r.sample.processError]);
    assert.deepEqual(seen, [
      ['a', '7', '\\dfrac{1}{2}', true, { label: true }],
      ['b', 'Q', '3', false, { label: false }],
      ['c', 'Q', null, true, undefined],
    ]);
    assert.deepEqual(records[0].sample.scores, { score: 3 });
  });

  test('search-and-learn: completions with per-step scores, aggregated as prm/<aggregation>', async () => {
    const { records, issues } = await read('sal.jsonl', [
      {
        problem: 'Q',
        answer: '4',
        completions: ['2+2 \\boxed{4}', '\\boxed{5}', 'no answer'],
        scores: [[0.9, 0.5], [0.2, 0.8], [0.3]],
      },
    ]);
    assert.deepEqual(issues, []);
    assert.deepEqual(
      records.map((r) => [r.id, r.sample.answer, r.sample.correct]),
      [
        ['sal.jsonl:1#0', '4', true],
        ['sal.jsonl:1#1', '5', false],
        ['sal.jsonl:1#2', null, false],
      ],
    );
    assert.equal(records[0].sample.scores['prm/min'], 0.5);
    assert.equal(records[1].sample.scores['prm/last'], 0.8);
    assert.deepEqual(records[0].sample.lowestStep, { prm: 'final' });
    assert.deepEqual(records[1].sample.lowestStep, { prm: 'earlier' });
  });

  test('bad records are reported with file, line and field, and skipped', async () => {
    const { records, issues } = await read('bad.jsonl', [
      { problem: 'Q', given_answer: '1', is_correct: 'yes' },
      { answer: '1', given_answer: '1', is_correct: true },
      { problem: 'Q', given_answer: 5, is_correct: true },
      { problem: 'Q', steps: ['\\boxed{1}'] },
      { problem: 'Q', given_answer: '1', is_correct: true, prm_score: 'high', label: 1.5 },
      [1],
      { problem: 'Q', answer: '4', completions: ['\\boxed{4}', '\\boxed{4}'], scores: [[0.5], [null]] },
      { problem: 'Q', answer: '4', completions: ['\\boxed{4}'], scores: [] },
    ]);
    const fields = issues.map((i) => [i.line, i.field]);
    assert.deepEqual(fields, [
      [1, 'is_correct'],
      [2, 'problem'],
      [3, 'given_answer'],
      [4, 'answer'],
      [5, 'prm_score'],
      [5, 'label'],
      [6, undefined],
      [7, 'scores[1][0]'],
      [8, 'scores'],
    ]);
    assert.ok(issues.every((i) => i.file.endsWith('bad.jsonl')));
    assert.match(issues[0].message, /record skipped/);
    // Line 5 keeps its sample (the bad score and label are ignored); line 7 keeps its good completion.
    assert.deepEqual(
      records.map((r) => r.id),
      ['bad.jsonl:5', 'bad.jsonl:7#0'],
    );
  });
});

describe('bestOfNReport', () => {
  const sample = (answer: string | null, correct: boolean, prm: number, wrongStep?: boolean) => ({
    answer,
    correct,
    scores: { prm },
    ...(wrongStep === undefined ? {} : { processError: { label: wrongStep } }),
  });

  test('curves per selector and subset; n defaults to 1, 2, 4, … N', () => {
    assert.deepEqual(defaultN(6), [1, 2, 4, 6]);
    const p1 = [sample('1', true, 0.9), sample('2', false, 0.1)];
    const p2 = [sample('3', false, 0.9), sample('3', false, 0.8), sample('4', true, 0.1)];
    const problems = [
      { id: 'p1', subset: 'a', samples: p1 },
      { id: 'p2', subset: 'b', samples: p2 },
    ];
    const report = bestOfNReport(problems, { n: [3] });
    assert.equal(report.samples_per_problem, 3);
    assert.deepEqual(Object.keys(report.curves), ['pass', 'random', 'majority', 'best:prm', 'weighted:prm']);
    assert.deepEqual(report.curves['best:prm'], [50]);
    assert.deepEqual(report.curves.pass, [100]);
    assert.deepEqual(report.subsets.a.curves['best:prm'], [100]);
    assert.deepEqual(report.subsets.b.curves.majority, [0]);
    assert.deepEqual(report.standard_error.majority, [0]);
    const only = bestOfNReport(problems, { n: [3], baselines: false });
    assert.deepEqual(only.curves, { 'best:prm': [50], 'weighted:prm': report.curves['weighted:prm'] });
    const one = [{ id: 'p', subset: 'a', samples: [sample('1', true, 1)] }];
    assert.throws(() => bestOfNReport(one, { n: [2] }), RangeError);
  });

  test('process versus outcome: correct picks with a wrong step, and where the lowest step is', () => {
    const collector = new BonCollector(true);
    const add = (id: string, answer: string, correct: boolean, label: boolean) => {
      const sample = { answer, correct, scores: {}, processError: { label } };
      collector.add({ problem: 'p', subset: 's', id, sample });
    };
    const result = (id: string, prediction: number, scores: number[]) =>
      collector.addResult({ id, subset: 's', label: 0, prediction, critic: 'c', scores });
    add('x', '1', true, true);
    add('y', '1', true, false);
    assert.ok(result('x', 1, [0.2, 0.9]));
    assert.ok(result('y', -1, [0.8, 0.7]));
    assert.ok(!result('z', -1, [1]));
    const report = bestOfNReport(collector.result(), { n: [1, 2] });
    // best:c/min picks y (0.7 > 0.2) at n = 2: correct, no wrong step, its lowest step is the last one.
    assert.deepEqual(report.curves['best:c/min'], [100, 100]);
    assert.deepEqual(report.process['best:c/min'], {
      wrong_process: { c: [50, 0], label: [50, 0] },
      lowest_before_final: [50, 0],
    });
    // best:c/max picks x (0.9): correct answer through a step both the critic and the label mark wrong.
    assert.deepEqual(report.process['best:c/max'].wrong_process, { c: [50, 100], label: [50, 100] });
  });

  test('aggregations of step scores', () => {
    const s = [0.5, 0.2, 0.8];
    const all = AGGREGATIONS.map((how) => aggregate(s, how));
    assert.deepEqual(all, [0.2, 0.5 * 0.2 * 0.8, 0.8, 0.5, 0.8]);
    assert.equal(lowestStep([0.5, 0.2, 0.8]), 'earlier');
    assert.equal(lowestStep([0.5, 0.9, 0.1]), 'final');
    assert.deepEqual(aggregatedScores('c', [1, Infinity]), {});
  });
});
