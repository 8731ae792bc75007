import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, type Analysis } from '../../src/core/analysis/analyze';
import { comparisonMarkdown } from '../../src/core/analysis/compareReport';
import { DEFAULT_COLOUR_BANDS } from '../../src/core/analysis/marks';
import type { Critic, CriticResult, StepJudgement } from '../../src/core/critics/types';
import { aggregateScores, buildInspectorModel } from '../../src/views/inspector';
import { nextInList, stepBy } from '../../webview/shared/navigation';
import { toStepwise } from '../../src/views/stepLabels';
import {
  isDatasetToHost,
  isInspectorState,
  isInspectorToHost,
  isMetricsState,
  isMetricsToHost,
} from '../../src/protocol/messages';

function result(
  criticId: string,
  steps: StepJudgement[],
  firstError: number | null,
  extra: Partial<CriticResult> = {},
): CriticResult {
  return { criticId, steps, firstError, timing: { startedAt: 0, durationMs: 12.4 }, ...extra };
}

const verdict = (v: 'correct' | 'incorrect' | 'unknown', reason?: string): StepJudgement => ({
  score: null,
  verdict: v,
  ...(reason ? { reason } : {}),
});
const scored = (score: number): StepJudgement => ({ score, verdict: score > 0.5 ? 'correct' : 'incorrect' });

function analysis(steps: string[], results: CriticResult[]): Analysis {
  let at = 20;
  return {
    document: {
      problem: 'What is 2 + 2?',
      problemStart: 0,
      problemEnd: 14,
      solutionStart: 20,
      solution: steps.join('\n\n'),
    },
    segmentation: {
      strategy: 'paragraphs',
      requested: 'auto',
      reason: 'blank lines',
      steps: steps.map((text, index) => {
        const s = { index, text, start: at, end: at + text.length };
        at += text.length + 2;
        return s;
      }),
    },
    results,
    failures: [{ criticId: 'llm', message: 'HTTP 500' }],
  };
}

describe('inspector model', () => {
  test('aggregates: min, product, last and mean of the step scores', () => {
    const a = aggregateScores([0.9, 0.5, 0.8])!;
    assert.equal(a.min, 0.5);
    assert.ok(Math.abs(a.product - 0.36) < 1e-12);
    assert.equal(a.last, 0.8);
    assert.ok(Math.abs(a.mean - 2.2 / 3) < 1e-12);
    assert.equal(aggregateScores([]), undefined);
  });

  test('marks exactly the steps that the compare report (Open as Markdown) marks ⚠', () => {
    // The PRM's threshold is 0.8: 0.75 is an incorrect step that the colour bands (0.7 / 0.3) still show as good.
    const prmAt08 = (scores: number[]): StepJudgement[] =>
      scores.map((score) => ({ score, verdict: score > 0.8 ? 'correct' : 'incorrect' }));
    const a = analysis(
      ['2 + 2 = 4.', 'Then 4 × 3 = 12.', 'So 12 − 5 = 8.', 'The answer is 8.'],
      [
        result('checker', [verdict('correct'), verdict('correct'), verdict('incorrect'), verdict('incorrect')], 2),
        result('prm', prmAt08([0.9, 0.75, 0.5, 0.75]), 1),
      ],
    );
    const thresholds = DEFAULT_COLOUR_BANDS;
    const model = buildInspectorModel({ uri: 'u', title: 't', analysis: a, thresholds, labels: [], humanLabels: [] });
    const report = comparisonMarkdown(a, 't');
    const warned = Array.from(report.matchAll(/^### ⚠ Step (\d+) /gm), (m) => Number(m[1]) - 1);
    assert.deepEqual(warned, [1, 2], 'step 2: opposite verdicts; steps 2 and 3: different first errors');
    assert.deepEqual(model.disagreements, warned);
  });

  test('builds columns per critic with classes, first errors, aggregates, labels and the item context', () => {
    const a = analysis(
      ['2 + 2 = 4.', 'So the answer is 5.', 'Done.'],
      [
        result('checker', [verdict('correct'), verdict('incorrect', '4 ≠ 5'), verdict('unknown')], 1, {
          raw: 'raw text',
        }),
        result('prm', [scored(0.95), scored(0.9), scored(0.1)], 2),
      ],
    );
    const model = buildInspectorModel({
      uri: 'file:///x.md',
      title: 'x.md',
      analysis: a,
      thresholds: DEFAULT_COLOUR_BANDS,
      labels: [{ id: 'checker' }, { id: 'prm', label: 'Qwen PRM' }, { id: 'llm', label: 'GPT critic' }],
      humanLabels: ['correct', null],
      item: { dataset: 'demo.jsonl', id: 'a-1', subset: 'gsm8k', label: 1, stepCount: 3 },
    });
    assert.deepEqual(
      model.critics.map((c) => [c.id, c.label, c.scalar, c.firstError]),
      [
        ['checker', 'checker', false, 1],
        ['prm', 'Qwen PRM', true, 2],
      ],
    );
    assert.deepEqual(
      model.critics[0].steps.map((s) => s.kind),
      ['good', 'bad', 'none'],
    );
    assert.deepEqual(
      model.critics[1].steps.map((s) => s.kind),
      ['good', 'good', 'bad'],
    );
    assert.equal(model.critics[0].steps[1].reason, '4 ≠ 5');
    assert.equal(model.critics[0].aggregates, undefined);
    assert.equal(model.critics[1].aggregates?.last, 0.1);
    assert.equal(model.critics[0].raw, 'raw text');
    assert.deepEqual(model.disagreements, [1, 2], 'step 2: opposite verdicts; steps 2 and 3: different first errors');
    assert.deepEqual(model.humanLabels, ['correct', null, null], 'one label per step, padded');
    assert.equal(model.item?.label, 1);
    assert.equal(model.problem, 'What is 2 + 2?');
    assert.deepEqual(model.failures, [{ criticId: 'llm', message: 'HTTP 500' }]);
    assert.deepEqual(
      model.availableCritics.map((c) => c.label),
      ['checker', 'Qwen PRM', 'GPT critic'],
    );
    assert.equal(model.segmentation, 'paragraphs (blank lines)');
  });

  test('a critic that judged fewer steps than shown yields unjudged cells, not a crash', () => {
    const model = buildInspectorModel({
      uri: 'u',
      title: 't',
      analysis: analysis(['a', 'b'], [result('short', [verdict('correct')], null)]),
      thresholds: DEFAULT_COLOUR_BANDS,
      labels: [],
      humanLabels: [],
    });
    assert.deepEqual(model.critics[0].steps[1], { score: null, verdict: 'unknown', kind: 'none' });
  });
});

describe('inspector keyboard navigation', () => {
  test('stepBy moves and clamps; with no selection it starts at an end', () => {
    assert.equal(stepBy(null, 1, 5), 0);
    assert.equal(stepBy(null, -1, 5), 4);
    assert.equal(stepBy(2, 1, 5), 3);
    assert.equal(stepBy(4, 1, 5), 4);
    assert.equal(stepBy(0, -1, 5), 0);
    assert.equal(stepBy(null, 1, 0), null);
  });

  test('nextInList finds the next or previous disagreement and wraps around', () => {
    const list = [2, 5, 9];
    assert.equal(nextInList(null, list, 1), 2);
    assert.equal(nextInList(2, list, 1), 5);
    assert.equal(nextInList(6, list, 1), 9);
    assert.equal(nextInList(9, list, 1), 2);
    assert.equal(nextInList(5, list, -1), 2);
    assert.equal(nextInList(2, list, -1), 9);
    assert.equal(nextInList(null, list, -1), 9);
    assert.equal(nextInList(3, [], 1), null);
  });
});

describe('human step labels in TRL stepwise format', () => {
  test('the labelled prefix up to and including the first incorrect step', () => {
    const out = toStepwise(
      { problem: 'P', steps: ['a', 'b', 'c', 'd'], labels: ['correct', 'neutral', 'incorrect', 'correct'] },
      false,
    );
    assert.deepEqual(out, { record: { prompt: 'P', completions: ['a', 'b', 'c'], labels: [true, false, false] } });
  });

  test('neutral follows the chosen convention', () => {
    const out = toStepwise({ problem: 'P', steps: ['a', 'b'], labels: ['neutral', 'correct'] }, true);
    assert.deepEqual(out, { record: { prompt: 'P', completions: ['a', 'b'], labels: [true, true] } });
  });

  test('labels stop at the first unlabelled step; none from step 1 is skipped with a reason', () => {
    assert.deepEqual(
      toStepwise({ problem: 'P', steps: ['a', 'b', 'c'], labels: ['correct', null, 'incorrect'] }, false),
      {
        record: { prompt: 'P', completions: ['a'], labels: [true] },
      },
    );
    assert.deepEqual(toStepwise({ problem: 'P', steps: ['a', 'b'], labels: [null, 'correct'] }, false), {
      skipped: 'step 1 has no label',
    });
  });
});

describe('message protocol guards', () => {
  test('inspector messages', () => {
    assert.ok(isInspectorToHost({ type: 'ready' }));
    assert.ok(isInspectorToHost({ type: 'inspector/reveal', step: 3 }));
    assert.ok(isInspectorToHost({ type: 'inspector/rerun' }));
    assert.ok(isInspectorToHost({ type: 'inspector/rerun', criticId: 'prm' }));
    assert.ok(isInspectorToHost({ type: 'inspector/label', step: 0, label: 'neutral' }));
    assert.ok(isInspectorToHost({ type: 'inspector/label', step: 0, label: null }));
    assert.ok(!isInspectorToHost({ type: 'inspector/reveal', step: -1 }));
    assert.ok(!isInspectorToHost({ type: 'inspector/reveal', step: 1.5 }));
    assert.ok(!isInspectorToHost({ type: 'inspector/reveal', step: '1' }));
    assert.ok(!isInspectorToHost({ type: 'inspector/label', step: 0, label: 'maybe' }));
    assert.ok(!isInspectorToHost({ type: 'inspector/rerun', criticId: 3 }));
    assert.ok(!isInspectorToHost({ type: 'unknown' }));
    assert.ok(!isInspectorToHost(null));
    assert.ok(!isInspectorToHost([]));
  });

  test('dataset messages', () => {
    assert.ok(isDatasetToHost({ type: 'dataset/open', i: 0 }));
    assert.ok(isDatasetToHost({ type: 'dataset/run', criticIds: ['checker'], scope: 'all' }));
    assert.ok(isDatasetToHost({ type: 'dataset/run', criticIds: ['checker'], scope: 'filtered', indices: [1, 2] }));
    assert.ok(isDatasetToHost({ type: 'dataset/run', criticIds: [], scope: 'sample', sample: 100 }));
    assert.ok(!isDatasetToHost({ type: 'dataset/run', criticIds: ['checker'], scope: 'everything' }));
    assert.ok(!isDatasetToHost({ type: 'dataset/run', criticIds: [1], scope: 'all' }));
    assert.ok(!isDatasetToHost({ type: 'dataset/run', criticIds: [], scope: 'filtered', indices: [-1] }));
    assert.ok(!isDatasetToHost({ type: 'dataset/run', criticIds: [], scope: 'sample', sample: 0 }));
    assert.ok(!isDatasetToHost({ type: 'dataset/search' }));
  });

  test('metrics messages and saved states', () => {
    assert.ok(isMetricsToHost({ type: 'metrics/calibrate', subset: 'gsm8k' }));
    assert.ok(isMetricsToHost({ type: 'metrics/export', what: 'csv' }));
    assert.ok(!isMetricsToHost({ type: 'metrics/export', what: 'pdf' }));
    assert.ok(isInspectorState({ view: 'inspector', uri: 'file:///a.md' }));
    assert.ok(!isInspectorState({ view: 'inspector', uri: 5 }));
    assert.ok(!isInspectorState(undefined));
    assert.ok(isMetricsState({ view: 'metrics', dataset: 'file:///d.jsonl' }));
    assert.ok(!isMetricsState({ view: 'inspector' }));
  });
});

describe('inspector model of a trace file', () => {
  const thresholds = DEFAULT_COLOUR_BANDS;
  const text = [
    '## Problem',
    '',
    'What is 2 + 3?',
    '',
    '<think>',
    'First, 2 + 3 = 6.',
    '',
    'Wait, let me check: 6 - 3 = 3.',
    '',
    'Alternatively, count up: 2, 3, 4, 5.',
    '</think>',
    '',
    'The answer is 5.',
    '',
    'So 2 + 3 = 6.',
  ].join('\n');
  const critic = (steps: StepJudgement[]): Critic => ({
    id: 'c',
    type: 'test',
    label: 'c',
    score: async () => result('c', steps, 0),
  });

  test('sections with worst score and verdict, the answer start, first errors per part, the trajectory', async () => {
    const a = await analyzeText(text, {}, [critic([scored(0.2), scored(0.9), scored(0.8), scored(0.7), scored(0.1)])]);
    const model = buildInspectorModel({ uri: 'u', title: 't', analysis: a, thresholds, labels: [], humanLabels: [] });
    assert.ok(model.trace);
    assert.deepEqual(
      model.trace.sections.map((s) => [s.kind, s.firstStep, s.lastStep, s.worstScore, s.verdict]),
      [
        ['attempt', 0, 0, 0.2, 'incorrect'],
        ['verification', 1, 1, 0.9, 'correct'],
        ['strategy-shift', 2, 2, 0.8, 'correct'],
      ],
    );
    assert.equal(model.trace.answerFrom, 3);
    assert.equal(model.trace.firstErrorThinking, 0);
    assert.equal(model.trace.firstErrorAnswer, 4);
    assert.deepEqual(model.trace.trajectory, [0.2, 0.9, 0.8, 0.7, 0.1]);
  });

  test('a verdict-only critic plots verdicts as 1/0; a plain file has no trace', async () => {
    const a = await analyzeText(text, {}, [
      critic([verdict('correct'), verdict('unknown'), verdict('correct'), verdict('correct'), verdict('incorrect')]),
    ]);
    const model = buildInspectorModel({ uri: 'u', title: 't', analysis: a, thresholds, labels: [], humanLabels: [] });
    assert.deepEqual(model.trace?.trajectory, [1, null, 1, 1, 0]);
    assert.equal(model.trace?.firstErrorThinking, null);
    assert.equal(model.trace?.sections[1].verdict, 'unknown');
    const plain = await analyzeText('## Problem\n\nP\n\n## Solution\n\nOne.\n\nTwo.', {}, []);
    assert.equal(
      buildInspectorModel({ uri: 'u', title: 't', analysis: plain, thresholds, labels: [], humanLabels: [] }).trace,
      undefined,
    );
  });
});
