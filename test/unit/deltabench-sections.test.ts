import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DEFAULT_SECTIONS_TEMPLATE,
  estimateTokens,
  mergeWindows,
  numberedSections,
  parseSectionCritique,
  sectionsJudgement,
  sectionsOrSteps,
  sectionWindows,
  windowPrompt,
} from '../../src/core/critics/remote/sections';
import { createOpenAICritic } from '../../src/core/critics/remote/openai-critic';
import { sampleScore, sectionMetrics, sectionScores } from '../../src/core/metrics/deltabench';
import { normalizeRecord } from '../../src/core/datasets/formats';
import { buildRecord } from '../../src/core/run/record';
import { contentKey } from '../../src/core/run/identity';
import { cacheKey, canonicalJson } from '../../src/core/critics/cache';
import { formatResultLine } from '../../src/core/datasets/results';
import type { ResultRecord } from '../../src/core/datasets/types';
import { ScriptedServer } from '../fixtures/servers/http';
import { ChatBody, fakeOpenAI } from '../fixtures/servers/openai';

describe('section critiques parsed as DeltaBench scores them', () => {
  test('"Conclusion: no error" is a parsed answer with no sections', () => {
    assert.deepEqual(parseSectionCritique('I read it all.\nConclusion: no error'), { errors: false, entries: [] });
    assert.deepEqual(parseSectionCritique('**Conclusion:** No'), { errors: false, entries: [] });
  });

  test('"Conclusion: yes" with several entries: the first integer of each, the explanation after "Explanation:"', () => {
    const text = [
      'Conclusion: yes',
      'Error Section Number: 3',
      'Explanation: 7 * 8 is 56, not 54.',
      'Error Section Number: section 5 (and 6)',
      'Explanation: drops the negative root.',
    ].join('\n');
    assert.deepEqual(parseSectionCritique(text), {
      errors: true,
      entries: [
        { section: 3, explanation: '7 * 8 is 56, not 54.' },
        { section: 5, explanation: 'drops the negative root.' },
      ],
    });
  });

  test('an entry without an integer is skipped; garbage or "yes" without a section does not parse', () => {
    const skipped = parseSectionCritique('Conclusion: yes\nError Section Number: none\nError Section Number: 2');
    assert.deepEqual(
      skipped?.entries.map((e) => e.section),
      [2],
    );
    assert.equal(parseSectionCritique('The third section is wrong.'), undefined);
    assert.equal(parseSectionCritique('Conclusion: yes, something is off.'), undefined);
    assert.equal(parseSectionCritique(''), undefined);
  });
});

describe('section verdicts mapped onto steps', () => {
  const sections = [
    { firstStep: 0, lastStep: 1 },
    { firstStep: 2, lastStep: 2 },
    { firstStep: 3, lastStep: 5 },
  ];

  test("the named sections' steps are incorrect with the explanation, the others correct", () => {
    const text =
      'Conclusion: yes\nError Section Number: 3\nExplanation: wrong sign.\nError Section Number: 2\nExplanation: x.';
    const j = sectionsJudgement(text, 6, sections);
    assert.deepEqual(
      j.steps.map((s) => s.verdict),
      ['correct', 'correct', 'incorrect', 'incorrect', 'incorrect', 'incorrect'],
    );
    assert.equal(j.steps[4].reason, 'section 3: wrong sign.');
    assert.equal(j.firstError, 2, 'the first step of the first erroneous section');
    assert.deepEqual(j.sections, [2, 3]);
  });

  test('no error → -1 and sections []; unparseable → null, every step unknown, no sections', () => {
    const none = sectionsJudgement('Conclusion: no error', 6, sections);
    assert.equal(none.firstError, -1);
    assert.deepEqual(none.sections, []);
    assert.ok(none.steps.every((s) => s.verdict === 'correct'));
    const garbage = sectionsJudgement('hmm', 6, sections);
    assert.equal(garbage.firstError, null);
    assert.equal(garbage.sections, undefined);
    assert.ok(garbage.steps.every((s) => s.verdict === 'unknown'));
  });

  test('a number past the last section is recorded for the scorer but marks no step', () => {
    const j = sectionsJudgement('Conclusion: yes\nError Section Number: 9', 6, sections);
    assert.deepEqual(j.sections, [9]);
    assert.ok(j.steps.every((s) => s.verdict === 'correct'));
  });

  test("a trace's sections cover its thinking: the answer steps after them are one more section", () => {
    assert.deepEqual(sectionsOrSteps([{ firstStep: 0, lastStep: 1 }], 4), [
      { firstStep: 0, lastStep: 1 },
      { firstStep: 2, lastStep: 3 },
    ]);
    assert.deepEqual(sectionsOrSteps([{ firstStep: 0, lastStep: 3 }], 4), [{ firstStep: 0, lastStep: 3 }]);
  });

  test('sections are part of the content and cache keys; keys without sections are unchanged', () => {
    const plain = createHash('sha256')
      .update(canonicalJson({ problem: 'p', steps: ['a', 'b'] }))
      .digest('hex')
      .slice(0, 32);
    assert.equal(contentKey('p', ['a', 'b']), plain);
    const one = [{ firstStep: 0, lastStep: 1 }];
    const two = [
      { firstStep: 0, lastStep: 0 },
      { firstStep: 1, lastStep: 1 },
    ];
    assert.notEqual(contentKey('p', ['a', 'b'], one), contentKey('p', ['a', 'b'], two));
    assert.notEqual(cacheKey('c', 'p', ['a', 'b'], one), cacheKey('c', 'p', ['a', 'b'], two));
    assert.notEqual(cacheKey('c', 'p', ['a', 'b'], one), cacheKey('c', 'p', ['a', 'b']));
  });

  test('without sections each step is its own section, numbered from 1 in the prompt', () => {
    assert.deepEqual(sectionsOrSteps(undefined, 2), [
      { firstStep: 0, lastStep: 0 },
      { firstStep: 1, lastStep: 1 },
    ]);
    assert.equal(
      numberedSections(
        ['a', 'b', 'c'],
        [
          { firstStep: 0, lastStep: 1 },
          { firstStep: 2, lastStep: 2 },
        ],
      ),
      'section1:\na\n\nb\n\nsection2:\nc',
    );
  });
});

describe('DeltaBench section metrics', () => {
  test('one sample: numbers above the largest gold section dropped first', () => {
    assert.deepEqual(sampleScore([2, 3, 9], [2, 5]), { tp: 1, fp: 1, fn: 1, precision: 0.5, recall: 0.5, f1: 0.5 });
    assert.deepEqual(sampleScore(null, [1]), { tp: 0, fp: 0, fn: 1, precision: 0, recall: 0, f1: 0 });
  });

  test('macro means the per-sample values, micro pools the counts, parsed is the share that parsed', () => {
    const s = sectionScores([
      { predicted: [2, 3, 9], gold: [2, 5] },
      { predicted: null, gold: [1] },
      { predicted: [], gold: [4] },
      { predicted: [1, 2], gold: [1, 2] },
    ]);
    assert.deepEqual(s, {
      precision_macro: 37.5,
      recall_macro: 37.5,
      f1_macro: 37.5,
      precision_micro: 75,
      recall_micro: 50,
      f1_micro: 60,
      parsed: 75,
    });
  });

  test('per subset, failed lines left out, nothing for critics that are not section-level', () => {
    const line = (over: Partial<ResultRecord>): ResultRecord => ({
      id: 'x',
      subset: 'math',
      label: 0,
      prediction: 0,
      critic: 'c',
      scores: null,
      gold_sections: [1],
      ...over,
    });
    const records = [
      line({ sections: [1] }),
      line({ subset: 'code', sections: [2], gold_sections: [2, 3] }),
      line({ prediction: null, error: 'HTTP 500' }),
    ];
    const m = sectionMetrics(records);
    assert.deepEqual(Object.keys(m ?? {}).sort(), ['code', 'math']);
    assert.equal(m?.math.f1_macro, 100);
    assert.equal(m?.math.parsed, 100);
    assert.ok(Math.abs((m?.code.f1_micro ?? 0) - 200 / 3) < 1e-9);
    assert.equal(sectionMetrics([line({})]), undefined);
  });
});

const DELTA_RECORDS = [
  {
    id: 'd1',
    question: 'What is 7 * 8 + 1?',
    sections_content:
      'section1:\n7 * 8 = 54.\n\nSo far so good.\nsection2:\n54 + 1 = 55.\nsection3:\nWait, 7 * 8 = 56, so 57.',
    reason_error_section_numbers: [1],
    reason_unuseful_section_numbers: [2],
  },
  {
    id: 'd2',
    question: 'What is 2 + 2?',
    sections_content: 'section1:\n2 + 2 = 4.\nsection2:\nThe answer is 4.',
    reason_error_section_numbers: [],
    reason_unuseful_section_numbers: [],
  },
];

describe('DeltaBench as a dataset format', () => {
  test('sections as step ranges, the gold set, and the derived first-error label', () => {
    const { value } = normalizeRecord('deltabench', DELTA_RECORDS[0], { file: 'delta.jsonl', line: 1 });
    assert.deepEqual(value?.steps, ['7 * 8 = 54.', 'So far so good.', '54 + 1 = 55.', 'Wait, 7 * 8 = 56, so 57.']);
    assert.deepEqual(value?.sections, [
      { firstStep: 0, lastStep: 1 },
      { firstStep: 2, lastStep: 2 },
      { firstStep: 3, lastStep: 3 },
    ]);
    assert.deepEqual(value?.goldSections, [1, 2]);
    assert.equal(value?.label, 0);
    assert.equal(normalizeRecord('deltabench', DELTA_RECORDS[1], { file: 'delta.jsonl', line: 2 }).value?.label, -1);
  });

  test('results lines: sections and gold_sections only where they exist, other lines unchanged', () => {
    const item = { id: 'a', subset: 's', label: 1 };
    const plain = formatResultLine(buildRecord(item, 'c', { prediction: 1, scores: null }));
    assert.equal(plain, '{"id":"a","subset":"s","label":1,"prediction":1,"critic":"c","scores":null}');
    const delta = formatResultLine(
      buildRecord({ ...item, goldSections: [2] }, 'c', { prediction: 1, scores: null, sections: [2] }),
    );
    assert.equal(
      delta,
      '{"id":"a","subset":"s","label":1,"prediction":1,"critic":"c","scores":null,"sections":[2],"gold_sections":[2]}',
    );
  });
});

const root = path.resolve(__dirname, '..', '..', '..');
const cli = path.join(root, 'dist', 'cli.js');

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, PRM_TEST_KEY: 'k' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('prm-lens eval with a section-level critic on DeltaBench records', () => {
  let dir = '';
  let server: ScriptedServer | undefined;
  before(() => {
    assert.ok(existsSync(cli), `${cli} is missing: run npm run build first`);
    dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-deltabench-'));
  });
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the critic sees numbered sections; lines carry sections and gold_sections; metrics --json scores them', async () => {
    const data = path.join(dir, 'math.jsonl');
    writeFileSync(data, DELTA_RECORDS.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const prompts: string[] = [];
    // Names section 1 (right) and 3 (wrong) on the first problem; says no error on the second.
    const answer = (body: ChatBody) => {
      const prompt = body.messages[0].content;
      prompts.push(prompt);
      return prompt.includes('7 * 8 + 1')
        ? 'Conclusion: yes\nError Section Number: 1\nExplanation: 7 * 8 is 56.\nError Section Number: 3\nExplanation: x'
        : 'Conclusion: no error';
    };
    server = await ScriptedServer.start(fakeOpenAI({ answer }));
    const cfg = path.join(dir, 'critics.json');
    const critic = {
      id: 'sec',
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      apiKeyEnv: 'PRM_TEST_KEY',
      mode: 'sections',
    };
    writeFileSync(cfg, JSON.stringify({ critics: [critic] }));
    const out = path.join(dir, 'results.jsonl');
    const args = [
      'eval',
      data,
      '--config',
      cfg,
      '--critic',
      'sec',
      '--out',
      out,
      '--cache-dir',
      path.join(dir, 'cache'),
    ];
    const r = await run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(prompts.some((p) => p.includes('section1:\n7 * 8 = 54.\n\nSo far so good.\n\nsection2:\n54 + 1 = 55.')));
    const lines = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => [l.id, l.label, l.prediction, l.sections, l.gold_sections]),
      [
        ['d1', 0, 0, [1, 3], [1, 2]],
        ['d2', -1, -1, [], []],
      ],
    );

    // Answers from the cache keep their sections: the same lines, no new request.
    const first = readFileSync(out, 'utf8');
    const asked = server.requests.length;
    assert.equal((await run(args)).code, 0);
    assert.equal(server.requests.length, asked);
    assert.equal(readFileSync(out, 'utf8'), first);

    const m = await run(['metrics', out, '--json']);
    assert.equal(m.code, 0, m.stderr);
    const report = JSON.parse(m.stdout);
    // d1: 3 is above the largest gold section (2) and dropped: tp 1, fp 0, fn 1 → P 1, R 1/2, F1 2/3.
    // d2: empty gold and no prediction → 0s (undefined counts as 0).
    const got = report.subsets.math.sections;
    const want = { precision_macro: 50, recall_macro: 25, f1_macro: 100 / 3, precision_micro: 100, recall_micro: 50 };
    for (const [k, v] of Object.entries({ ...want, f1_micro: 200 / 3, parsed: 100 })) {
      assert.ok(Math.abs(got[k] - v) < 1e-9, `${k}: ${got[k]} ≠ ${v}`);
    }
    assert.equal(report.subsets.math.n_error, 1, 'ProcessBench metrics still reported from the derived labels');
  });
});

describe('long traces judged in windows of whole sections', () => {
  const template = 'P: {{problem}}\n{{paragraphs}}\nAnswer.';
  // Five sections of two steps each, every step 200 characters (≈ 50 tokens).
  const steps = Array.from({ length: 10 }, (_, i) => `Step ${i}: ${'x'.repeat(190)}`.slice(0, 200));
  const sections = Array.from({ length: 5 }, (_, i) => ({ firstStep: 2 * i, lastStep: 2 * i + 1 }));

  test('windows hold whole sections, each prompt within the budget, later ones summarising the earlier sections', () => {
    const budget = 305;
    const windows = sectionWindows(template, 'Q', steps, sections, budget);
    assert.deepEqual(windows, [
      { first: 0, last: 1 },
      { first: 2, last: 3 },
      { first: 4, last: 4 },
    ]);
    for (const w of windows) assert.ok(estimateTokens(windowPrompt(template, 'Q', steps, sections, w)) <= budget);
    const second = windowPrompt(template, 'Q', steps, sections, windows[1]);
    assert.match(second, /^P: Q\n/);
    assert.match(second, /section1 \(earlier, first line\): Step 0: x+…\nsection2 \(earlier, first line\): Step 2/);
    assert.match(second, /section3:\nStep 4: x+\n\nStep 5: x+\n\nsection4:\nStep 6/);
    assert.doesNotMatch(second, /section1:|section5:/);
    assert.deepEqual(sectionWindows(template, 'Q', steps, sections, undefined), [{ first: 0, last: 4 }]);
    assert.deepEqual(
      sectionWindows(template, 'Q', steps, sections, 10).length,
      5,
      'a section too long is its own window',
    );
  });

  test('merged verdicts: each window judges its own steps and says which window it was', () => {
    const windows = [
      { first: 0, last: 1 },
      { first: 2, last: 3 },
      { first: 4, last: 4 },
    ];
    const texts = [
      'Conclusion: no error',
      'Conclusion: yes\nError Section Number: 4\nExplanation: bad sign.',
      'Conclusion: no error',
    ];
    const j = mergeWindows(texts, 10, sections, windows);
    assert.deepEqual(
      j.steps.map((s) => s.verdict).join(' '),
      'correct '.repeat(6) + 'incorrect incorrect correct correct',
    );
    assert.equal(j.steps[6].reason, 'section 4: bad sign. (window 2 of 3)');
    assert.equal(j.steps[0].reason, 'no error (window 1 of 3)');
    assert.equal(j.firstError, 6);
    assert.deepEqual(j.sections, [4]);
    assert.match(j.rationale ?? '', /----- window 3 of 3 -----\nConclusion: no error/);
  });

  test('an unparsed window leaves its steps unknown and the sample unparsed for the scorer', () => {
    const windows = [
      { first: 0, last: 1 },
      { first: 2, last: 4 },
    ];
    const j = mergeWindows(['garbage', 'Conclusion: yes\nError Section Number: 5'], 10, sections, windows);
    assert.ok(j.steps.slice(0, 4).every((s) => s.verdict === 'unknown'));
    assert.equal(j.steps[8].verdict, 'incorrect');
    assert.equal(j.firstError, null, 'an unknown step precedes the first error');
    assert.equal(j.sections, undefined);
  });

  test('the critic asks once per window when contextTokens is too small for the trace', async () => {
    const prompts: string[] = [];
    const server = await ScriptedServer.start(
      fakeOpenAI({
        answer: (body) => {
          prompts.push(body.messages[0].content);
          return body.messages[0].content.includes('section5:')
            ? 'Conclusion: yes\nError Section Number: 5\nExplanation: no.'
            : 'Conclusion: no error';
        },
      }),
    );
    try {
      const base = {
        id: 'w',
        type: 'openai-critic',
        baseURL: `${server.origin}/v1`,
        model: 'm',
        mode: 'sections',
        maxTokens: 1000,
      };
      // 1500 - maxTokens = 500 prompt tokens: three windows (the whole trace needs about 700).
      const critic = await createOpenAICritic({ ...base, contextTokens: 1500 }, { apiKey: () => 'k' });
      const result = await critic.score({ problem: 'Q', steps, sections });
      const windows = sectionWindows(DEFAULT_SECTIONS_TEMPLATE, 'Q', steps, sections, 500);
      assert.equal(windows.length, 3);
      assert.deepEqual(
        prompts,
        windows.map((w) => windowPrompt(DEFAULT_SECTIONS_TEMPLATE, 'Q', steps, sections, w)),
      );
      assert.deepEqual(result.sections, [5]);
      assert.equal(result.firstError, 8);
      assert.match(result.steps[9].reason ?? '', new RegExp(`\\(window ${prompts.length} of ${prompts.length}\\)$`));
      prompts.length = 0;
      const whole = await (
        await createOpenAICritic(base, { apiKey: () => 'k' })
      ).score({ problem: 'Q', steps, sections });
      assert.equal(prompts.length, 1);
      assert.equal(whole.steps[9].reason, 'section 5: no.');
      await assert.rejects(
        createOpenAICritic({ ...base, contextTokens: 1024, maxTokens: 1024 }, {}),
        /contextTokens \(1024\) must exceed maxTokens/,
      );
      await assert.rejects(createOpenAICritic({ ...base, votes: 3 }, {}), /mode "sections" takes one sample/);
    } finally {
      await server.close();
    }
  });
});

describe('prm-lens score on a trace with a section-level critic', () => {
  test("the critic sees the heuristic's thinking sections, then the answer as the last section", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-score-sections-'));
    const prompts: string[] = [];
    const server = await ScriptedServer.start(
      fakeOpenAI({
        answer: (body) => (
          prompts.push(body.messages[0].content),
          'Conclusion: yes\nError Section Number: 2\nExplanation: re-check.'
        ),
      }),
    );
    try {
      const file = path.join(dir, 'trace.md');
      writeFileSync(
        file,
        '## Problem\n\nWhat is 3 + 4?\n\n<think>\n3 + 4 = 8.\n\nSo it is 8.\n\nWait, 3 + 4 = 7.\n</think>\n\nThe answer is 7.\n',
      );
      const cfg = path.join(dir, 'critics.json');
      const critic = {
        id: 'sec',
        type: 'openai-critic',
        baseURL: `${server.origin}/v1`,
        model: 'm',
        apiKeyEnv: 'PRM_TEST_KEY',
        mode: 'sections',
      };
      writeFileSync(cfg, JSON.stringify({ critics: [critic] }));
      const r = await run(['score', file, '--config', cfg, '--critic', 'sec', '--no-cache', '--json']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(prompts.length, 1);
      assert.match(
        prompts[0],
        /section1:\n3 \+ 4 = 8\.\n\nSo it is 8\.\n\nsection2:\nWait, 3 \+ 4 = 7\.\n\nsection3:\nThe answer is 7\./,
      );
      const out = JSON.parse(r.stdout);
      assert.deepEqual(
        out.critics[0].steps.map((s: { verdict: string }) => s.verdict),
        ['correct', 'correct', 'incorrect', 'correct'],
      );
      assert.equal(out.critics[0].firstError, 2);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
