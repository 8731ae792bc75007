import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { boxedInteger, critiqueByParagraph, lastBoxed, parseFirstError } from '../../src/core/critics/remote/boxed';
import {
  DEFAULT_FIRST_ERROR_TEMPLATE,
  DEFAULT_PER_STEP_TEMPLATE,
  loadTemplate,
  renderPrompt,
  templateProblem,
} from '../../src/core/critics/remote/prompt';
import { parseStepVerdicts } from '../../src/core/critics/remote/per-step';
import { firstErrorJudgement, perStepJudgement } from '../../src/core/critics/remote/openai-critic';
import { poolingScores } from '../../src/core/critics/remote/vllm-pooling';
import { Conversations, stepScore } from '../../src/core/critics/remote/chat-prm';
import { retryAfterMs, statusError } from '../../src/core/critics/remote/http/errors';
import { serverMessage } from '../../src/core/critics/remote/http/classify';
import { backoffDelay, DEFAULT_RETRY_POLICY } from '../../src/core/critics/remote/http/retry';
import { Limiter } from '../../src/core/critics/remote/http/limiter';
import { readCriticFields } from '../../src/core/config/critics';
import { CancelledError } from '../../src/core/critics/types';

const sample = (text: string) => ({ text, finishReason: 'stop' });

describe('boxed answers', () => {
  test('the last balanced \\boxed{} wins, with the tolerated spellings', () => {
    assert.equal(lastBoxed('first \\boxed{1} then \\boxed{2}'), '2');
    assert.equal(lastBoxed('\\boxed{\\text{3}}'), '\\text{3}');
    assert.equal(lastBoxed('\\boxed {\\frac{1}{2}}'), '\\frac{1}{2}');
    // A truncated final box falls back to the one before it.
    assert.equal(lastBoxed('\\boxed{4} and finally \\boxed{5'), '4');
    assert.equal(lastBoxed('no box here'), undefined);
    for (const [content, n] of [
      [' 3 ', 3],
      ['-1', -1],
      ['\\text{3}', 3],
      ['\\textbf{ 2 }', 2],
      ['{3}', 3],
      ['$3$', 3],
      ['−1', -1],
      ['3.', 3],
    ] as const) {
      assert.equal(boxedInteger(content), n, content);
    }
    for (const content of ['3.5', 'paragraph 3', '', 'x', '1e3'])
      assert.equal(boxedInteger(content), undefined, content);
  });

  test('parseFirstError: index in range, else no prediction with the reason', () => {
    assert.deepEqual(parseFirstError('… so the answer is \\boxed{ 2 }', 5), { index: 2 });
    assert.deepEqual(parseFirstError('\\boxed{-1}', 5), { index: -1 });
    assert.deepEqual(parseFirstError('\\boxed{\\text{3}}', 5), { index: 3 });
    assert.match(
      String((parseFirstError('I think paragraph 2 is wrong.', 5) as { why: string }).why),
      /no \\boxed\{\} answer/,
    );
    assert.match(String((parseFirstError('\\boxed{7}', 5) as { why: string }).why), /outside -1…4/);
    assert.match(String((parseFirstError('\\boxed{two}', 5) as { why: string }).why), /not a paragraph number/);
    assert.match(String((parseFirstError('\\boxed{2', 5) as { why: string }).why), /cut off/);
  });

  test('critiques split by "Paragraph i:" markers, also bold or as headings', () => {
    const critique = [
      'Paragraph 0: fine.',
      '**Paragraph 1:** the sum is right.',
      '## Paragraph 2: 12 × 7 is 84, not 74.',
      'So the earliest error is in paragraph 2. \\boxed{2}',
    ].join('\n');
    const parts = critiqueByParagraph(critique, 4);
    assert.equal(parts[0], 'fine.');
    assert.equal(parts[1], 'the sum is right.');
    assert.equal(parts[2], '12 × 7 is 84, not 74.');
    assert.equal(parts[3], undefined);
  });
});

describe('prompts', () => {
  test('the default prompt wraps steps in indexed paragraph tags from 0 and asks for \\boxed{}', () => {
    const prompt = renderPrompt(DEFAULT_FIRST_ERROR_TEMPLATE, 'What is 2+2?', ['2+2=4', 'So 4.']);
    assert.match(prompt, /<paragraph_0>\n2\+2=4\n<\/paragraph_0>\n\n<paragraph_1>\nSo 4\.\n<\/paragraph_1>/);
    assert.match(prompt, /What is 2\+2\?/);
    assert.match(prompt, /numbered from 0 to 1/);
    assert.match(prompt, /\\boxed\{-1\}/);
    assert.equal(templateProblem(DEFAULT_FIRST_ERROR_TEMPLATE), undefined);
    assert.equal(templateProblem(DEFAULT_PER_STEP_TEMPLATE), undefined);
  });

  test('placeholders are replaced once: a problem containing {{paragraphs}} stays literal', () => {
    assert.equal(
      renderPrompt('{{problem}} | {{paragraphs}}', 'a {{paragraphs}} b', ['x']),
      'a {{paragraphs}} b | <paragraph_0>\nx\n</paragraph_0>',
    );
  });

  test('templates with unknown or missing placeholders are refused with the reason', () => {
    assert.match(String(templateProblem('{{problem}} {{paragraphs}} {{steps}}')), /unknown placeholder \{\{steps\}\}/);
    assert.match(String(templateProblem('{{problem}} only')), /missing \{\{paragraphs\}\}/);
  });

  test('a promptTemplate file is read relative to the config folder, and a bad one names the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-template-'));
    try {
      writeFileSync(path.join(dir, 'mine.txt'), 'Q: {{problem}}\n{{paragraphs}}\nAnswer in \\boxed{}.');
      writeFileSync(path.join(dir, 'bad.txt'), '{{question}} {{paragraphs}}');
      assert.equal(await loadTemplate('mine.txt', dir, 'c'), 'Q: {{problem}}\n{{paragraphs}}\nAnswer in \\boxed{}.');
      await assert.rejects(
        loadTemplate('bad.txt', dir, 'c'),
        /critic "c": promptTemplate .*bad\.txt: unknown placeholder \{\{question\}\}/,
      );
      await assert.rejects(
        loadTemplate('missing.txt', dir, 'c'),
        /critic "c": cannot read promptTemplate .*missing\.txt/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('judgements of LLM critics', () => {
  test('voting: majority of parsed answers, unparsed ones abstain, ties go to the answer seen first', () => {
    const votes = ['\\boxed{2}', 'no idea', '\\boxed{1}', '\\boxed{2}', '\\boxed{9}'].map(sample);
    const j = firstErrorJudgement(votes, 4, 'lenient');
    assert.equal(j.firstError, 2);
    assert.deepEqual(
      j.steps.map((s) => s.verdict),
      ['correct', 'correct', 'incorrect', 'unknown'],
    );
    assert.match(j.steps[2].reason ?? '', /2 of 5 votes/);
    assert.equal(firstErrorJudgement(['\\boxed{1}', '\\boxed{3}'].map(sample), 4, 'lenient').firstError, 1);
    const allCorrect = firstErrorJudgement([sample('\\boxed{-1}')], 3, 'lenient');
    assert.equal(allCorrect.firstError, -1);
    assert.ok(allCorrect.steps.every((s) => s.verdict === 'correct' && s.score === null));
  });

  test('an unparseable critique is "no prediction", said on every step, and hints at maxTokens when cut', () => {
    const cut = { text: 'Paragraph 0: looks fine. Paragraph 1: hmm', finishReason: 'length' };
    const j = firstErrorJudgement([cut], 2, 'lenient');
    assert.equal(j.firstError, null);
    assert.ok(
      j.steps.every((s) => s.verdict === 'unknown' && /^no prediction: no \\boxed\{\} answer/.test(s.reason ?? '')),
    );
    assert.match(j.steps[0].reason ?? '', /raise it/);
    assert.equal(j.rationale, 'Paragraph 0: looks fine. Paragraph 1: hmm');
  });

  test('per-step JSON: fenced or bare, placed by paragraph, majority verdicts and vote shares as scores', async () => {
    const one =
      '```json\n{"steps": [{"paragraph": 1, "explanation": "wrong sum", "correct": false}, {"paragraph": 0, "explanation": "ok", "correct": true}]}\n```';
    const verdicts = await parseStepVerdicts(one, 3);
    const expected = [{ correct: true, explanation: 'ok' }, { correct: false, explanation: 'wrong sum' }, undefined];
    assert.deepEqual(verdicts, expected);
    assert.equal(await parseStepVerdicts('not json', 3), undefined);
    const single = await perStepJudgement([sample(one)], 3);
    assert.equal(single.firstError, 1);
    assert.deepEqual(
      single.steps.map((s) => [s.verdict, s.score]),
      [
        ['correct', null],
        ['incorrect', null],
        ['unknown', null],
      ],
    );
    assert.equal(single.steps[1].reason, 'wrong sum');
    const json = (a: boolean, b: boolean) =>
      JSON.stringify({
        steps: [
          { paragraph: 0, explanation: 'e0', correct: a },
          { paragraph: 1, explanation: 'e1', correct: b },
        ],
      });
    const voted = await perStepJudgement([json(true, false), json(true, true), json(false, false)].map(sample), 2);
    assert.deepEqual(
      voted.steps.map((s) => s.verdict),
      ['correct', 'incorrect'],
    );
    assert.ok(Math.abs((voted.steps[0].score ?? 0) - 2 / 3) < 1e-12);
    assert.ok(Math.abs((voted.steps[1].score ?? 0) - 1 / 3) < 1e-12);
    assert.match(voted.steps[1].reason ?? '', /\(2 of 3 samples\)/);
    assert.equal(voted.firstError, 1);
    assert.equal((await perStepJudgement([sample('sorry')], 2)).firstError, null);
  });

  // Typical malformed per-step answers of LLMs without structured output; each says step 1 is the error.
  const ok = '{"paragraph": 0, "correct": true}';
  const wrong = '{"paragraph": 1, "explanation": "84, not 74", "correct": false}';
  const MALFORMED: Record<string, string> = {
    'a trailing comma': `{"steps": [${ok}, ${wrong},]}`,
    "Python's True/False": `{"steps": [${ok.replace('true', 'True')}, ${wrong.replace('false', 'False')}]}`,
    'a // comment': `{"steps": [\n  ${ok}, // fine\n  ${wrong}\n]}`,
    'single quotes': `Verdicts: ${`{"steps": [${ok}, ${wrong}]}`.replaceAll('"', "'")}`,
    'a code fence with a trailing comma': `Review:\n\`\`\`json\n{"steps": [${ok}, ${wrong},]}\n\`\`\`\nDone.`,
  };
  const TRUNCATED = '{"steps": [{"paragraph": 0, "correct": true}, {"paragraph": 1, "explanation": "84, not';

  test('malformed per-step JSON is read after repair, and only with repair', async () => {
    for (const [what, text] of Object.entries(MALFORMED)) {
      assert.equal(await parseStepVerdicts(text, 2), undefined, `strict: ${what}`);
      const verdicts = await parseStepVerdicts(text, 2, { repair: true });
      assert.deepEqual(verdicts, [{ correct: true }, { correct: false, explanation: '84, not 74' }], what);
      const judged = await perStepJudgement([sample(text)], 2);
      assert.equal(judged.firstError, 1, what);
    }
  });

  test('an answer cut by maxTokens is never repaired: its steps stay unjudged and say why', async () => {
    const cut = await perStepJudgement([{ text: TRUNCATED, finishReason: 'length' }], 2);
    assert.equal(cut.firstError, null);
    for (const s of cut.steps) {
      assert.equal(s.verdict, 'unknown');
      const why = 'no prediction: the answer is not the requested JSON (the output hit maxTokens: raise it)';
      assert.equal(s.reason, why);
    }
    // Only the finish reason keeps repair off: the same text, said to be complete, is read as far as it goes.
    const repaired = await perStepJudgement([sample(TRUNCATED)], 2);
    assert.deepEqual(
      repaired.steps.map((s) => s.verdict),
      ['correct', 'unknown'],
    );
  });

  test('per-step first error: a step left unjudged before any error leaves no prediction', async () => {
    const answer = (verdicts: boolean[]) =>
      JSON.stringify({ steps: verdicts.map((correct, paragraph) => ({ paragraph, correct })) });
    assert.equal((await perStepJudgement([sample(answer([true, true]))], 3)).firstError, null);
    assert.equal((await perStepJudgement([sample(answer([true, false]))], 3)).firstError, 1);
    assert.equal((await perStepJudgement([sample(answer([true, true, true]))], 3)).firstError, -1);
  });
});

describe('scores of PRMs', () => {
  test('pooling outputs: class pairs, logits, single probabilities, both response wrappers', () => {
    assert.deepEqual(
      poolingScores(
        {
          data: [
            {
              data: [
                [0.2, 0.8],
                [0.9, 0.1],
              ],
            },
          ],
        },
        1,
      ),
      [0.8, 0.1],
    );
    assert.deepEqual(poolingScores({ data: [[[0.3, 0.7]]] }, 1), [0.7]);
    assert.deepEqual(poolingScores({ data: [{ data: [0.25, [0.6]] }] }, 1), [0.25, 0.6]);
    const [fromLogits] = poolingScores({ data: [{ data: [[0, Math.log(3)]] }] }, 1);
    assert.ok(Math.abs(fromLogits - 0.75) < 1e-12);
    assert.throws(() => poolingScores({ detail: 'x' }, 1), /expected \{"data": \[\.\.\.\]\}/);
    assert.throws(() => poolingScores({ data: [{ data: [['a']] }] }, 1), /step output 0 is not a list of numbers/);
    assert.throws(() => poolingScores({ data: [{ data: [[0.5, 0.5]] }] }, 2), /positiveIndex 2 does not exist/);
  });

  test('chat PRM: RLHFlow conversation and p(+) against p(−) from top logprobs, else the reply', () => {
    const turns = new Conversations('P', ['a', 'b', 'c'], { positive: '+' });
    assert.deepEqual(turns.upTo(0), [{ role: 'user', content: 'P\n\na' }]);
    assert.deepEqual(turns.upTo(2), [
      { role: 'user', content: 'P\n\na' },
      { role: 'assistant', content: '+' },
      { role: 'user', content: 'b' },
      { role: 'assistant', content: '+' },
      { role: 'user', content: 'c' },
    ]);
    // RLHFlow's own evaluation code joins with a space: `firstUser` lays the first turn out; text is not re-read.
    const spaced = new Conversations('P {step}', ['a $&'], { positive: '+', firstUser: '{problem} {step}' });
    assert.deepEqual(spaced.upTo(0), [{ role: 'user', content: 'P {step} a $&' }]);
    const completion = (content: string, top?: { token: string; logprob: number }[]) =>
      ({
        choices: [
          {
            index: 0,
            finish_reason: 'stop',
            message: { role: 'assistant', content },
            logprobs: top ? { content: [{ token: content, logprob: 0, top_logprobs: top }] } : null,
          },
        ],
      }) as never;
    const withProbs = stepScore(
      completion('+', [
        { token: '+', logprob: Math.log(0.6) },
        { token: ' -', logprob: Math.log(0.2) },
        { token: 'x', logprob: Math.log(0.2) },
      ]),
      '+',
      '-',
    );
    assert.ok(Math.abs((withProbs.score ?? 0) - 0.75) < 1e-12);
    assert.equal(stepScore(completion('-'), '+', '-').score, 0);
    assert.equal(stepScore(completion('+', [{ token: 'x', logprob: 0 }]), '+', '-').score, 1);
    assert.equal(stepScore(completion('maybe'), '+', '-').score, null);
  });
});

describe('HTTP policy', () => {
  test('Retry-After in seconds, as a date, and retry-after-ms', () => {
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '2' })), 2000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '150' })), 150);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 4_000), 6_000);
    assert.equal(retryAfterMs(new Headers({})), undefined);
  });

  test('backoff doubles per retry, is capped, and is jittered within [half, full]', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 1000 };
    assert.equal(backoffDelay(0, { ...policy, random: () => 0 }), 50);
    assert.equal(backoffDelay(2, { ...policy, random: () => 0.999999 }), 399.9998);
    assert.equal(backoffDelay(10, { ...policy, random: () => 1 }), 1000);
  });

  test('error bodies of the common servers are read, and messages say what to fix without the key', () => {
    assert.equal(serverMessage('{"error": {"message": "bad key sk-1"}}'), 'bad key sk-1');
    assert.equal(serverMessage('{"error": "model \'x\' not found"}'), "model 'x' not found");
    assert.equal(
      serverMessage('{"object": "error", "message": "The model `x` does not exist."}'),
      'The model `x` does not exist.',
    );
    assert.equal(serverMessage('{"detail": "Not Found"}'), 'Not Found');
    const ctx = {
      criticId: 'c',
      url: 'http://h/v1/chat/completions',
      model: 'm',
      keyHint: 'the environment variable K',
      apiKey: 'sk-secret-123',
    };
    const auth = statusError(401, 'Incorrect API key provided: sk-secret-123', undefined, ctx);
    assert.equal(auth.kind, 'bad-key');
    assert.equal(auth.retryable, false);
    assert.match(auth.message, /rejected the API key .* Check the environment variable K/);
    assert.doesNotMatch(auth.message, /sk-secret-123/);
    assert.equal(statusError(404, 'The model `m` does not exist.', undefined, ctx).kind, 'unknown-model');
    assert.match(statusError(404, 'Not Found', undefined, ctx).message, /Fix "baseURL"/);
    assert.match(statusError(404, '', undefined, { ...ctx, url: 'http://h/v1/pooling' }).message, /leave "\/v1" out/);
    assert.equal(statusError(429, '', new Headers({ 'retry-after': '3' }), ctx).retryAfterMs, 3000);
    assert.equal(statusError(503, '', undefined, ctx).retryable, true);
    assert.equal(statusError(400, 'max_tokens too large', undefined, ctx).retryable, false);
  });

  test('the limiter runs at most `limit` tasks and drops waiting ones at once on cancellation', async () => {
    const limiter = new Limiter(2);
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        running += 1;
        peak = Math.max(peak, running);
        release.push(() => {
          running -= 1;
          resolve();
        });
      });
    const cancel = new AbortController();
    const runs = [limiter.run(task), limiter.run(task), limiter.run(task, cancel.signal), limiter.run(task)];
    await new Promise((r) => setImmediate(r));
    assert.equal(running, 2);
    cancel.abort();
    await assert.rejects(runs[2], CancelledError);
    while (release.length > 0 || running > 0) {
      release.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all([runs[0], runs[1], runs[3]]);
    assert.equal(peak, 2);
  });
});

describe('critic configuration', () => {
  test('fields are checked with the critic, the field and the bad value named; unknown fields are refused', () => {
    const read = (extra: Record<string, unknown>) => () =>
      readCriticFields({ id: 'gpt', type: 'openai-critic', model: 'm', ...extra }, 'openai-critic');
    assert.throws(
      read({ votes: 0 }),
      /critic "gpt" \(openai-critic\): "votes" must be an integer between 1 and 64, got 0/,
    );
    assert.throws(read({ baseURL: 'localhost:8000' }), /"baseURL" must be an http\(s\) URL, got "localhost:8000"/);
    assert.throws(
      read({ mode: 'all' }),
      /"mode" must be one of "first-error", "per-step", "sections", "verifier", got "all"/,
    );
    assert.throws(read({ model: undefined }), /"model" is required \(e\.g\. "gpt-4o"/);
    assert.throws(
      read({ temprature: 1 }),
      /unknown field "temprature"; known fields: id, type, label, baseURL, model, /,
    );
    // A key pasted where the variable's name belongs is not repeated in the message.
    assert.throws(read({ apiKeyEnv: 'sk-secret-0000' }), (err: Error) => {
      assert.match(err.message, /"apiKeyEnv" must be the NAME of an environment variable/);
      return !err.message.includes('sk-secret');
    });
  });
});
