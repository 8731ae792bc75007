import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyJudgement, computeStepMarks, DEFAULT_COLOUR_BANDS, stepAt } from '../../src/core/analysis/marks';
import { analysisReportMarkdown, costLabel, markdownCell, stepHoverMarkdown } from '../../src/core/analysis/describe';
import { analyzeText, judgeSteps } from '../../src/core/analysis/analyze';
import { CancelledError, Critic, CriticResult } from '../../src/core/critics/types';
import { mapConcurrent } from '../../src/core/util/concurrency';

function fixedCritic(id: string, result: Omit<CriticResult, 'criticId' | 'timing'>): Critic {
  return {
    id,
    type: 'test',
    label: id,
    score: async () => ({ ...result, criticId: id, timing: { startedAt: 0, durationMs: 1 } }),
  };
}

describe('step classes', () => {
  test('scores decide by threshold, verdicts decide without a score', () => {
    assert.equal(classifyJudgement({ score: 0.9, verdict: 'incorrect' }, DEFAULT_COLOUR_BANDS), 'good');
    assert.equal(classifyJudgement({ score: 0.7, verdict: 'unknown' }, DEFAULT_COLOUR_BANDS), 'good');
    assert.equal(classifyJudgement({ score: 0.5, verdict: 'unknown' }, DEFAULT_COLOUR_BANDS), 'uncertain');
    assert.equal(classifyJudgement({ score: 0.3, verdict: 'unknown' }, DEFAULT_COLOUR_BANDS), 'bad');
    assert.equal(classifyJudgement({ score: null, verdict: 'correct' }, DEFAULT_COLOUR_BANDS), 'good');
    assert.equal(classifyJudgement({ score: null, verdict: 'incorrect' }, DEFAULT_COLOUR_BANDS), 'bad');
    assert.equal(classifyJudgement({ score: null, verdict: 'unknown' }, DEFAULT_COLOUR_BANDS), 'none');
    assert.equal(classifyJudgement(undefined, DEFAULT_COLOUR_BANDS), 'none');
  });

  test('marks carry spans and the first error', () => {
    const steps = [
      { index: 0, text: 'a', start: 0, end: 1 },
      { index: 1, text: 'b', start: 3, end: 4 },
    ];
    const result: CriticResult = {
      criticId: 'x',
      steps: [
        { score: null, verdict: 'correct' },
        { score: null, verdict: 'incorrect', reason: 'no' },
      ],
      firstError: 1,
      timing: { startedAt: 0, durationMs: 0 },
    };
    assert.deepEqual(computeStepMarks(steps, result, DEFAULT_COLOUR_BANDS), [
      { stepIndex: 0, start: 0, end: 1, kind: 'good', firstError: false },
      { stepIndex: 1, start: 3, end: 4, kind: 'bad', firstError: true },
    ]);
  });

  test('stepAt finds the step under an offset, including its end, and -1 between steps', () => {
    const steps = [0, 10, 20].map((start, index) => ({ index, text: 'x', start, end: start + 5 }));
    assert.equal(stepAt(steps, 0), 0);
    assert.equal(stepAt(steps, 5), 0);
    assert.equal(stepAt(steps, 7), -1);
    assert.equal(stepAt(steps, 12), 1);
    assert.equal(stepAt(steps, 25), 2);
    assert.equal(stepAt(steps, 26), -1);
    assert.equal(stepAt([], 0), -1);
  });
});

describe('descriptions', () => {
  test('markdown cells escape markup and pipes so model text stays text', () => {
    assert.equal(
      markdownCell('a|b <img src=x onerror=alert(1)> *x*\nnext'),
      'a\\|b \\<img src=x onerror=alert\\(1\\)\\> \\*x\\* next',
    );
  });

  test('hover lists every critic, marks the first error and reports failures', async () => {
    const analysis = await analyzeText('## Problem\n\nP?\n\n## Solution\n\nOne.\n\nTwo.', { strategy: 'paragraphs' }, [
      fixedCritic('alpha', {
        steps: [
          { score: 0.9, verdict: 'correct' },
          { score: 0.1, verdict: 'incorrect', reason: 'bad | step' },
        ],
        firstError: 1,
      }),
      { id: 'broken', type: 'test', label: 'broken', score: async () => Promise.reject(new Error('server said 500')) },
    ]);
    const hover = stepHoverMarkdown(analysis, 1);
    assert.match(hover, /step 2 of 2/);
    assert.match(hover, /\| alpha ⚑ \| 0\.100 \| ✗ incorrect \| bad \\\| step \|/);
    assert.match(hover, /\| broken \| — \| failed \| server said 500 \|/);
    assert.match(hover, /first error according to alpha/);
    const report = analysisReportMarkdown(analysis, 'demo.md');
    assert.match(report, /alpha \| first error: step 2/);
    assert.match(report, /```text\nP\?\n```/);
  });
});

describe('cost labels', () => {
  const base: CriticResult = { criticId: 'c', steps: [], firstError: -1, timing: { startedAt: 0, durationMs: 42.4 } };
  test('latency alone for local critics, tokens and requests when reported', () => {
    assert.equal(costLabel(base), '42 ms');
    assert.equal(
      costLabel({
        ...base,
        timing: { startedAt: 0, durationMs: 1530 },
        usage: { promptTokens: 350, completionTokens: 80, requests: 2 },
      }),
      '1.5 s · 350 + 80 tokens · 2 requests',
    );
    assert.equal(costLabel({ ...base, usage: { requests: 1 } }), '42 ms · 1 request');
    assert.equal(costLabel({ ...base, usage: { promptTokens: 440 } }), '42 ms · 440 tokens');
  });
});

describe('running critics', () => {
  test('one failing critic keeps the others and an abort rejects', async () => {
    const ok = fixedCritic('ok', { steps: [{ score: null, verdict: 'unknown' }], firstError: -1 });
    const bad: Critic = { id: 'bad', type: 't', label: 'bad', score: async () => Promise.reject(new Error('boom')) };
    const { results, failures } = await judgeSteps([ok, bad], '', ['s']);
    assert.deepEqual(
      results.map((r) => r.criticId),
      ['ok'],
    );
    assert.deepEqual(failures, [{ criticId: 'bad', message: 'boom' }]);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(judgeSteps([ok], '', ['s'], controller.signal), { name: 'CancelledError' });
  });

  test('cancelled with keepFinished: the critics that finished are kept, the others are cancelled failures', async () => {
    const quick = fixedCritic('quick', { steps: [{ score: null, verdict: 'correct' }], firstError: -1 });
    const broken: Critic = {
      id: 'broken',
      type: 't',
      label: 'broken',
      score: async () => Promise.reject(new Error('HTTP 500')),
    };
    const slow: Critic = {
      id: 'slow',
      type: 't',
      label: 'slow',
      score: ({ signal }) =>
        new Promise((_, reject) =>
          signal?.addEventListener('abort', () => reject(new CancelledError()), { once: true }),
        ),
    };
    const controller = new AbortController();
    const judged = judgeSteps([quick, broken, slow], '', ['s'], controller.signal, { keepFinished: true });
    setTimeout(() => controller.abort(), 20);
    const { results, failures, cancelled } = await judged;
    assert.equal(cancelled, true);
    assert.deepEqual(
      results.map((r) => r.criticId),
      ['quick'],
    );
    assert.deepEqual(failures, [
      { criticId: 'broken', message: 'HTTP 500' },
      { criticId: 'slow', message: 'cancelled before it finished', cancelled: true },
    ]);
    // Without keepFinished, or when nothing had finished, a cancelled run rejects.
    const again = new AbortController();
    const rejected = judgeSteps([quick, slow], '', ['s'], again.signal);
    again.abort();
    await assert.rejects(rejected, { name: 'CancelledError' });
    const none = new AbortController();
    const nothing = judgeSteps([slow], '', ['s'], none.signal, { keepFinished: true });
    none.abort();
    await assert.rejects(nothing, { name: 'CancelledError' });
    // Not cancelled: no flag.
    assert.equal((await judgeSteps([quick], '', ['s'], undefined, { keepFinished: true })).cancelled, undefined);
  });

  test('mapConcurrent keeps order, bounds concurrency and stops pulling after abort', async () => {
    let running = 0;
    let peak = 0;
    const out: number[] = [];
    for await (const v of mapConcurrent([5, 1, 4, 2, 3], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, n * 2));
      running -= 1;
      return n * 10;
    }))
      out.push(v);
    assert.deepEqual(out, [50, 10, 40, 20, 30]);
    assert.equal(peak, 2);

    // After an abort nothing new starts; what had started is still yielded.
    const controller = new AbortController();
    const seen: number[] = [];
    const started: number[] = [];
    for await (const v of mapConcurrent([1, 2, 3, 4, 5, 6], 1, async (n) => (started.push(n), n), controller.signal)) {
      seen.push(v);
      if (v === 2) controller.abort();
    }
    assert.deepEqual(seen, started);
    assert.ok(started.length < 6, `started ${started.join(',')}`);
  });
});

describe('trace files', () => {
  const text = [
    '## Problem',
    '',
    'What is 2 + 3?',
    '',
    '<think>',
    'First, 2 + 3 = 5.',
    '',
    'Wait, let me check: 5 - 3 = 2.',
    '</think>',
    '',
    'The answer is 5.',
  ].join('\n');

  test('critics see thinking then answer steps, never the tags; the analysis carries parts and sections', async () => {
    let seen: readonly string[] = [];
    const critic: Critic = {
      id: 'spy',
      type: 'test',
      label: 'spy',
      score: async ({ steps }) => {
        seen = steps;
        const judged = steps.map(() => ({ score: 1, verdict: 'correct' as const }));
        return { criticId: 'spy', steps: judged, firstError: -1, timing: { startedAt: 0, durationMs: 1 } };
      },
    };
    const analysis = await analyzeText(text, {}, [critic]);
    assert.deepEqual(seen, ['First, 2 + 3 = 5.', 'Wait, let me check: 5 - 3 = 2.', 'The answer is 5.']);
    assert.ok(analysis.trace);
    assert.deepEqual(
      analysis.trace.parts.map((p) => [p.kind, text.slice(p.start, p.end)]),
      [
        ['thinking', 'First, 2 + 3 = 5.\n\nWait, let me check: 5 - 3 = 2.'],
        ['answer', 'The answer is 5.'],
      ],
    );
    assert.deepEqual(
      analysis.trace.sections.map((s) => [s.kind, s.firstStep, s.lastStep]),
      [
        ['attempt', 0, 0],
        ['verification', 1, 1],
      ],
    );
    for (const s of analysis.segmentation.steps) assert.equal(text.slice(s.start, s.end), s.text);
  });

  test('a plain file has no trace', async () => {
    const analysis = await analyzeText('## Problem\n\nP?\n\n## Solution\n\nOne.\n\nTwo.', {}, []);
    assert.equal(analysis.trace, undefined);
    assert.equal(analysis.segmentation.steps.length, 2);
  });
});
