import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PROBLEM, scriptedServers, STEPS, testCritic } from '../fixtures/servers/critic';
import { Answer, ChatBody, fakeOpenAI } from '../fixtures/servers/openai';

const serve = scriptedServers();

/** The step a chat-prm request asks about: its user turns, minus one. */
const stepOf = (body: ChatBody) => body.messages.filter((m) => m.role === 'user').length - 1;
const plus = (p: number): Answer => ({
  content: p > 0.5 ? '+' : '-',
  top: [
    { token: '+', logprob: Math.log(p) },
    { token: '-', logprob: Math.log(1 - p) },
  ],
});

describe('chat-prm decision "greedy" (ProcessBench\'s RLHFlow protocol)', () => {
  test('correct while the reply starts with +, the first other reply is the error, no request after it', async () => {
    const p = [0.9, 0.55, 0.2, 0.9];
    const server = await serve(fakeOpenAI({ answer: (body) => plus(p[stepOf(body)]) }));
    const base = { type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'm', concurrency: 1, threshold: 0.6 };
    const greedy = await testCritic({ ...base, decision: 'greedy' });
    const r = await greedy.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, 2);
    assert.deepEqual(
      r.steps.map((s) => s.verdict),
      ['correct', 'correct', 'incorrect', 'unknown'],
    );
    // The score stays p(+) for the views; the threshold (0.6) does not make greedy verdicts.
    assert.deepEqual(
      r.steps.map((s) => (s.score === null ? null : Number(s.score.toFixed(2)))),
      [0.9, 0.55, 0.2, null],
    );
    assert.equal(r.steps[3].reason, "after the first error, as ProcessBench's protocol stops");
    assert.equal(server.requests.length, 3);
    const bodies = server.requests.map((q) => q.body as ChatBody);
    assert.ok(bodies.every((b) => b.max_tokens === 1 && b.temperature === 0));
    assert.equal(bodies[0].messages[0].content, `${PROBLEM}\n\n${STEPS[0]}`);
    // The same answers under the threshold: step 1 (0.55 ≤ 0.6) is the error, every step asked.
    const byThreshold = await (await testCritic(base)).score({ problem: PROBLEM, steps: STEPS });
    assert.equal(byThreshold.firstError, 1);
    assert.equal(server.requests.length, 3 + 4);
  });

  test('any reply but + is an error (as the reference checks startswith("+")); without logprobs no score', async () => {
    const server = await serve(fakeOpenAI({ answer: (body) => (stepOf(body) === 0 ? ' +' : 'The') }));
    const c = await testCritic({
      type: 'chat-prm',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      decision: 'greedy',
      logprobs: false,
    });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, 1);
    assert.deepEqual(
      r.steps.map((s) => [s.verdict, s.score]),
      [
        ['correct', null],
        ['incorrect', null],
        ['unknown', null],
        ['unknown', null],
      ],
    );
    assert.match(r.steps[1].reason ?? '', /greedy reply "The"/);
  });
});
