import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { verifierJudgement } from '../../src/core/critics/remote/verifier';
import { DEFAULT_VERDICT_PATTERN } from '../../src/core/critics/remote/verdict-pattern';
import { readCriticFields } from '../../src/core/config/critics';
import { PROBLEM, scriptedServers, STEPS, testCritic } from '../fixtures/servers/critic';
import { Answer, ChatBody, fakeOpenAI } from '../fixtures/servers/openai';

const serve = scriptedServers();
const BOXED = { pattern: DEFAULT_VERDICT_PATTERN, yes: 'correct', no: 'incorrect' };

type Alt = { token: string; logprob: number };
/** Tokens spelling `parts` in order; a part given as [text, alternatives] carries its top log-probabilities. */
function tokenized(...parts: (string | [string, Alt[]])[]): Answer {
  const tokens = parts.map((p) =>
    typeof p === 'string' ? { token: p, top: [{ token: p, logprob: 0 }] } : { token: p[0], top: p[1] },
  );
  return { content: tokens.map((t) => t.token).join(''), tokens };
}
const verdict = (word: string, pYes: number): [string, Alt[]] => [
  word,
  [
    { token: 'correct', logprob: Math.log(pYes) },
    { token: 'in', logprob: Math.log((1 - pYes) * 0.9) },
    { token: 'the', logprob: Math.log((1 - pYes) * 0.1) },
  ],
];

describe('openai-critic mode "verifier"', () => {
  test('scores each step P(yes)/(P(yes)+P(no)) at its verdict token, over a real server', async () => {
    const answer = tokenized(
      'Paragraph 0: 12 boxes. The step is \\boxed{',
      verdict('correct', 0.9),
      '}\nParagraph 1: fine. The step is \\boxed{',
      verdict('correct', 0.6),
      '}\nParagraph 2: 12 × 7 = 84. The step is \\boxed{',
      verdict('in', 0.2),
      'correct}',
    );
    const server = await serve(fakeOpenAI({ answer: () => answer }));
    const c = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', mode: 'verifier' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    // "the" is neither word: P(no) counts only "in" (0.9 of the rest).
    const expected = [0.9, 0.6, 0.2].map((p) => p / (p + (1 - p) * 0.9));
    r.steps
      .slice(0, 3)
      .forEach((s, i) => assert.ok(Math.abs((s.score ?? NaN) - expected[i]) < 1e-9, `step ${i}: ${s.score}`));
    assert.deepEqual(
      r.steps.map((s) => s.verdict),
      ['correct', 'correct', 'incorrect', 'unknown'],
    );
    assert.equal(r.firstError, 2);
    const body = server.requests[0].body as ChatBody;
    assert.deepEqual([body.logprobs, body.top_logprobs], [true, 5]);
    assert.match(body.messages[0].content, /The step is \\boxed\{correct\}" or "The step is \\boxed\{incorrect\}/);
  });

  test('without log-probabilities, 1 or 0 from the word written; Yes/No after a step marker', () => {
    const text = 'Step 1 ... Verdict: Yes\nStep 2 ... Verdict: no\n';
    const format = { pattern: 'Verdict:\\s*(\\w+)', yes: 'Yes', no: 'No' };
    const j = verifierJudgement(text, undefined, 3, format);
    assert.deepEqual(
      j.steps.map((s) => [s.score, s.verdict]),
      [
        [1, 'correct'],
        [0, 'incorrect'],
        [null, 'unknown'],
      ],
    );
    assert.equal(j.firstError, 1);
    const all = verifierJudgement('\\boxed{correct} \\boxed{ correct }', undefined, 2, BOXED);
    assert.equal(all.firstError, -1);
    // Tokens that do not spell the text (byte-split) are not trusted: the word decides.
    const off = verifierJudgement(
      '\\boxed{correct}',
      [{ token: 'x', top_logprobs: [{ token: 'in', logprob: 0 }] }],
      1,
      BOXED,
    );
    assert.equal(off.steps[0].score, 1);
  });

  test('the verdict pattern needs a capture group and stops when it runs too long; votes are refused', async () => {
    const base = { id: 'c', type: 'openai-critic', model: 'm', mode: 'verifier' };
    assert.throws(() => readCriticFields({ ...base, verdictPattern: '\\boxed' }, 'openai-critic'), /capture group/);
    assert.throws(() => readCriticFields({ ...base, verdictPattern: '(' }, 'openai-critic'), /not a valid regular/);
    assert.throws(
      () => verifierJudgement(`${'a'.repeat(40)}!`, undefined, 1, { pattern: '^((a+)+)$', yes: 'a', no: 'b' }),
      /ran for more than 1000 ms/,
    );
    await assert.rejects(testCritic({ ...base, baseURL: 'http://127.0.0.1:9/v1', votes: 3 }), /"votes" must be 1/);
  });
});
