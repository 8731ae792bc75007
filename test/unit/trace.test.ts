import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { segmentFile } from '../../src/core/analysis/analyze';
import { boundaryAgreement, heuristicAgreement, matchBoundaries } from '../../src/core/trace/agreement';
import { parseDeltaBench } from '../../src/core/trace/deltabench';
import { findTraceParts } from '../../src/core/trace/parts';
import { markerKind } from '../../src/core/trace/sections';
import { segmentTrace, segmentTraceFile } from '../../src/core/trace/trace';
import type { TraceSegmentation } from '../../src/core/trace/types';

// Compiled tests run from out/test/unit; fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'traces');

/** The parts as `[kind, text]` pairs, sliced from the text by their offsets. */
function partTexts(text: string, from = 0): [string, string][] {
  return findTraceParts(text, from).map((p) => [p.kind, text.slice(p.start, p.end)]);
}

/** Every invariant of the contract: exact spans, parts in order, sections covering the thinking steps once. */
function assertContract(text: string, t: TraceSegmentation): void {
  for (const s of t.steps) {
    assert.equal(text.slice(s.start, s.end), s.text);
    const part = t.parts.find((p) => p.kind === s.part);
    assert.ok(part && s.start >= part.start && s.end <= part.end, `step ${s.index} lies in its ${s.part} part`);
    assert.equal(s.section === null, s.part === 'answer');
  }
  t.steps.forEach((s, i) => assert.equal(s.index, i));
  const thinking = t.steps.filter((s) => s.part === 'thinking');
  let next = thinking[0]?.index ?? 0;
  t.sections.forEach((sec, i) => {
    assert.equal(sec.index, i);
    assert.equal(sec.firstStep, next, 'sections are contiguous');
    assert.ok(sec.lastStep >= sec.firstStep);
    assert.equal(sec.start, t.steps[sec.firstStep].start);
    assert.equal(sec.end, t.steps[sec.lastStep].end);
    for (let k = sec.firstStep; k <= sec.lastStep; k++) assert.equal(t.steps[k].section, i);
    next = sec.lastStep + 1;
  });
  const end = thinking.length === 0 ? 0 : thinking[thinking.length - 1].index + 1;
  assert.equal(next, end, 'sections cover every thinking step');
}

describe('trace parts', () => {
  test('<think>…</think> then the answer: exact UTF-16 spans after emoji and CJK, tags in neither part', () => {
    const text = '🙂 问题：二加二？\n<think>\n2 + 2 = 4 🧮.\n\n确认。\n</think>\n\nThe answer is 4 ✅.';
    assert.deepEqual(partTexts(text), [
      ['thinking', '2 + 2 = 4 🧮.\n\n确认。'],
      ['answer', 'The answer is 4 ✅.'],
    ]);
    const t = segmentTrace(text);
    assert.deepEqual(
      t.steps.map((s) => [s.part, s.text]),
      [
        ['thinking', '2 + 2 = 4 🧮.'],
        ['thinking', '确认。'],
        ['answer', 'The answer is 4 ✅.'],
      ],
    );
    assertContract(text, t);
  });

  test('CRLF line endings keep exact spans', () => {
    const text = '<think>\r\nFirst idea.\r\n\r\nWait, check it.\r\n</think>\r\n\r\nDone.\r\n';
    const t = segmentTrace(text);
    assert.deepEqual(
      t.steps.map((s) => s.text),
      ['First idea.', 'Wait, check it.', 'Done.'],
    );
    assert.deepEqual(
      t.sections.map((s) => s.kind),
      ['attempt', 'verification'],
    );
    assertContract(text, t);
  });

  test('<thinking> and upper-case tags are thinking blocks too', () => {
    assert.deepEqual(partTexts('<thinking>a</thinking>b'), [
      ['thinking', 'a'],
      ['answer', 'b'],
    ]);
    assert.deepEqual(partTexts('<THINK>a</THINK>b'), [
      ['thinking', 'a'],
      ['answer', 'b'],
    ]);
  });

  test('only a closing tag: everything before it is thinking', () => {
    assert.deepEqual(partTexts('Let me think.\n\nYes.\n</think>\nAnswer: 3'), [
      ['thinking', 'Let me think.\n\nYes.'],
      ['answer', 'Answer: 3'],
    ]);
  });

  test('an unclosed <think> runs to the end with no answer part (a truncated generation)', () => {
    assert.deepEqual(partTexts('<think>\nStill going.\n\nAnd on.'), [['thinking', 'Still going.\n\nAnd on.']]);
  });

  test('repeated or nested tags: the thinking runs from the first opening to the last closing tag', () => {
    assert.deepEqual(partTexts('<think>a</think>b<think>c</think>d'), [
      ['thinking', 'a</think>b<think>c'],
      ['answer', 'd'],
    ]);
    assert.deepEqual(partTexts('<think>a<think>b</think>c</think>d'), [
      ['thinking', 'a<think>b</think>c'],
      ['answer', 'd'],
    ]);
  });

  test('an empty thinking block is an empty part; text before the opening tag is in no part', () => {
    const text = 'Preamble <think>\n\n</think>\n\n42';
    const parts = findTraceParts(text);
    assert.equal(parts[0].kind, 'thinking');
    assert.equal(parts[0].start, parts[0].end);
    assert.deepEqual(partTexts(text)[1], ['answer', '42']);
    const t = segmentTrace(text);
    assert.deepEqual(t.sections, []);
    assertContract(text, t);
  });

  test('gpt-oss harmony channels: analysis is the thinking, final the answer', () => {
    const text =
      '<|start|>assistant<|channel|>analysis<|message|>Compute 6 × 7.\n\nWait, that is 42.<|end|>' +
      '<|start|>assistant<|channel|>final<|message|>It is 42.<|return|>';
    assert.deepEqual(partTexts(text), [
      ['thinking', 'Compute 6 × 7.\n\nWait, that is 42.'],
      ['answer', 'It is 42.'],
    ]);
    assertContract(text, segmentTrace(text));
    assert.deepEqual(partTexts('<|channel|>final<|message|>Only the answer.'), [['answer', 'Only the answer.']]);
  });

  test('a file without thinking: one answer part, the same steps as segmentFile, no sections', () => {
    const file = join(__dirname, '..', '..', '..', 'examples', 'arithmetic-slip.md');
    const text = readFileSync(file, 'utf8');
    const { trace } = segmentTraceFile(text);
    const plain = segmentFile(text, {}).segmentation;
    assert.equal(trace.parts.length, 1);
    assert.equal(trace.parts[0].kind, 'answer');
    assert.deepEqual(
      trace.steps.map(({ index, text: t, start, end }) => ({ index, text: t, start, end })),
      plain.steps,
    );
    assert.equal(trace.reason, plain.reason);
    assert.deepEqual(trace.sections, []);
  });

  test('tags in the problem section are not the trace: parts are searched from the solution on', () => {
    const text = '## Problem\n\nWhat does <think> mean?\n\n## Solution\n\nIt opens a thinking block.';
    assert.deepEqual(
      segmentTraceFile(text).trace.parts.map((p) => p.kind),
      ['answer'],
    );
  });
});

describe('trace steps and sections', () => {
  test('thinking steps are paragraphs even when the answer is segmented otherwise', () => {
    const text = '<think>\nStep 1: one line\nStep 2: another line\n\nHmm, fine.\n</think>\nStep 1: a\nStep 2: b';
    const t = segmentTrace(text);
    assert.deepEqual(
      t.steps.map((s) => [s.part, s.text]),
      [
        ['thinking', 'Step 1: one line\nStep 2: another line'],
        ['thinking', 'Hmm, fine.'],
        ['answer', 'Step 1: a'],
        ['answer', 'Step 2: b'],
      ],
    );
    assert.equal(t.strategy, 'numbered');
    assertContract(text, t);
  });

  test('a requested strategy applies to the thinking part too', () => {
    const t = segmentTrace('<think>\na\nb\n</think>\nc', { strategy: 'lines' });
    assert.deepEqual(
      t.steps.map((s) => s.text),
      ['a', 'b', 'c'],
    );
  });

  test('discourse markers give each section its kind', () => {
    const cases: [string, string | null][] = [
      ['Wait, that is wrong.', 'verification'],
      ['**Hmm**, but what about zero?', 'verification'],
      ['Let me double-check the sum.', 'verification'],
      ["Let's verify: 3 + 4 = 7.", 'verification'],
      ['Alternatively, factor it.', 'strategy-shift'],
      ['Another approach: draw it.', 'strategy-shift'],
      ["Let's try n = 2.", 'strategy-shift'],
      ['Instead of expanding, substitute.', 'strategy-shift'],
      ['So the answer is 5.', 'conclusion'],
      ['Therefore x = 2.', 'conclusion'],
      ['Thus, the final value is 9.', 'conclusion'],
      ['We wait for the sum.', null],
      ['Waiting is not a marker.', null],
      ['The answer is 5.', null],
    ];
    for (const [paragraph, kind] of cases) assert.equal(markerKind(paragraph), kind, paragraph);
  });

  test('the example long trace: parts, sections of every kind, covering contract', () => {
    const text = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'long-trace.md'), 'utf8');
    const { document, trace } = segmentTraceFile(text);
    assert.match(document.problem, /^A rectangular garden/);
    const thinking = trace.steps.filter((s) => s.part === 'thinking');
    assert.ok(thinking.length >= 30 && thinking.length <= 60, `${thinking.length} thinking paragraphs`);
    const kinds = new Set(trace.sections.map((s) => s.kind));
    assert.deepEqual(kinds, new Set(['attempt', 'verification', 'strategy-shift', 'conclusion']));
    assert.equal(trace.sections[0].kind, 'attempt');
    assertContract(text, trace);
  });
});

describe('DeltaBench records', () => {
  const record = (fields: Record<string, unknown>) =>
    JSON.stringify({
      question: 'Q?',
      sections_content: 'section1:\nFirst.\n\nSecond.\nsection2: Third.\n\nsection3:\nFourth.',
      reason_error_section_numbers: [2],
      reason_unuseful_section_numbers: [3, 2],
      ...fields,
    });

  test('section headers are 1-based and not in any step; the gold set is the union of error and unuseful', () => {
    const { records, issues } = parseDeltaBench(record({ id: 7 }), 'd.jsonl');
    assert.deepEqual(issues, []);
    const [r] = records;
    assert.equal(r.id, '7');
    assert.deepEqual(
      r.trace.steps.map((s) => [s.text, s.section]),
      [
        ['First.', 0],
        ['Second.', 0],
        ['Third.', 1],
        ['Fourth.', 2],
      ],
    );
    assert.deepEqual(
      r.trace.sections.map((s) => [s.firstStep, s.lastStep, s.labels]),
      [
        [0, 1, { error: false, unuseful: false, strategyShift: false, reflection: false }],
        [2, 2, { error: true, unuseful: true, strategyShift: false, reflection: false }],
        [3, 3, { error: false, unuseful: true, strategyShift: false, reflection: false }],
      ],
    );
    assert.deepEqual(r.goldSections, [2, 3]);
    assertContract(r.text, r.trace);
  });

  test('section_content is read too; missing label lists mean no labels', () => {
    const fields = { question: 'Q', section_content: 'section1:\nOnly.', reason_error_section_numbers: [1] };
    const line = JSON.stringify(fields);
    const { records, issues } = parseDeltaBench(line, 'd.jsonl');
    assert.deepEqual(issues, []);
    assert.deepEqual(records[0].goldSections, [1]);
    const labels = { error: true, unuseful: false, strategyShift: false, reflection: false };
    assert.deepEqual(records[0].trace.sections[0].labels, labels);
  });

  test('bad records are reported with line and field and skipped', () => {
    const lines = [
      record({ id: 'good' }),
      '{not json',
      record({ question: 3 }),
      record({ sections_content: 'section1:\na\n\nsection3:\nb' }),
      record({ reason_error_section_numbers: [4] }),
      record({ reason_unuseful_section_numbers: 'two' }),
      record({ sections_content: 'no headers at all' }),
      record({ sections_content: 'section1:\n\nsection2:\nb', reason_unuseful_section_numbers: [] }),
      '',
      record({ id: 'also good' }),
    ];
    const { records, issues } = parseDeltaBench(lines.join('\n'), 'd.jsonl');
    assert.deepEqual(
      records.map((r) => [r.id, r.line]),
      [
        ['good', 1],
        ['also good', 10],
      ],
    );
    assert.deepEqual(
      issues.map((i) => [i.line, i.field]),
      [
        [2, undefined],
        [3, 'question'],
        [4, 'sections_content'],
        [5, 'reason_error_section_numbers'],
        [6, 'reason_unuseful_section_numbers'],
        [7, 'sections_content'],
        [8, 'sections_content'],
      ],
    );
    assert.match(issues[2].message, /"section3:" where section2 was expected/);
    assert.match(issues[3].message, /4 is not a section number from 1 to 3/);
    assert.match(issues[6].message, /section1 is empty/);
    assert.ok(issues.every((i) => i.file === 'd.jsonl'));
  });
});

describe('section-boundary agreement', () => {
  test('exact and within-one matching, each gold boundary matched once', () => {
    assert.deepEqual(matchBoundaries([3, 7], [3, 8], 0), { truePositives: 1, predicted: 2, gold: 2 });
    assert.deepEqual(matchBoundaries([3, 7], [3, 8], 1), { truePositives: 2, predicted: 2, gold: 2 });
    // Two predictions next to one gold boundary: only one of them matches.
    assert.deepEqual(matchBoundaries([4, 5], [5], 1), { truePositives: 1, predicted: 2, gold: 1 });
  });

  test('pooled precision, recall and F1; the first section is not a boundary', () => {
    const a = boundaryAgreement([
      { predicted: [0, 2, 5], gold: [0, 2, 6] },
      { predicted: [0], gold: [0, 3] },
    ]);
    assert.deepEqual([a.exact.truePositives, a.exact.predicted, a.exact.gold], [1, 2, 3]);
    assert.equal(a.exact.precision, 0.5);
    assert.equal(a.exact.recall, 1 / 3);
    assert.equal(a.exact.f1, 0.4);
    assert.equal(a.withinOne.truePositives, 2);
    assert.equal(boundaryAgreement([{ predicted: [0], gold: [0] }]).exact.f1, 0);
  });

  test('the heuristic on the hand-marked fixture stays at its measured agreement', () => {
    const file = join(FIXTURES, 'labelled.jsonl');
    const { records, issues } = parseDeltaBench(readFileSync(file, 'utf8'), file);
    assert.deepEqual(issues, []);
    assert.equal(records.length, 6);
    const a = heuristicAgreement(records.map((r) => r.trace));
    // Measured: exact 14 of 15 predicted and 17 human boundaries; within ±1, 15.
    assert.deepEqual([a.exact.truePositives, a.exact.predicted, a.exact.gold], [14, 15, 17]);
    assert.equal(a.withinOne.truePositives, 15);
    // The fixture's own sections are untouched by the measurement.
    assert.deepEqual(
      records[0].trace.steps.map((s) => s.section),
      [0, 0, 0, 1, 1, 1, 2],
    );
  });
});
