import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeText, traceContext } from '../../src/core/analysis/analyze';
import { stepHoverMarkdown } from '../../src/core/analysis/describe';
import { cacheKey, isCacheable, ResultStore, withCache } from '../../src/core/critics/cache';
import { criticIdentity } from '../../src/core/critics/identity';
import { rejudgeInScope, scoreInScope, stepsInScope } from '../../src/core/critics/scope';
import type { Critic, CriticConfig, CriticInput, CriticResult } from '../../src/core/critics/types';
import { segmentTraceFile } from '../../src/core/trace/trace';
import { scriptedServers, testCritic } from '../fixtures/servers/critic';
import { ChatBody, fakeOpenAI } from '../fixtures/servers/openai';
import { fakeVllmPooling, pooledSteps } from '../fixtures/servers/vllm';

// `scope` of PRMs on long traces: which steps are sent, what the others say, the first error, the cache; and the one
// path by which a trace's sections and thinking steps reach critics (editor, re-scoring one critic, prm-lens score).

const serve = scriptedServers();

const PROBLEM = 'What is 12 × 7?';
const THINKING = ['Let me compute 12 × 7.', '12 × 7 = 74.', 'Wait, 12 × 7 = 84.'];
const ANSWER = ['12 × 7 = 84.', 'The answer is 74.'];
const STEPS = [...THINKING, ...ANSWER];

class MemoryStore implements ResultStore {
  readonly entries = new Map<string, CriticResult>();
  async get(key: string): Promise<CriticResult | undefined> {
    return this.entries.get(key);
  }
  async set(key: string, result: CriticResult): Promise<void> {
    this.entries.set(key, result);
  }
}

/** A pooling server that scores a step 0.1 when it says "74", else 0.9. */
async function poolingServer() {
  return serve(
    fakeVllmPooling({ outputs: (body) => pooledSteps(body).map((s) => (s.includes('74') ? [0.9, 0.1] : [0.1, 0.9])) }),
  );
}

describe('scope of a remote PRM (vllm-pooling)', () => {
  test('answer: only the answer steps are sent; the thinking is unknown, the first error is global', async () => {
    const server = await poolingServer();
    const critic = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, scope: 'answer' });
    const result = await critic.score({ problem: PROBLEM, steps: STEPS, thinkingSteps: THINKING.length });
    assert.deepEqual(pooledSteps(server.requests[0].body as never), ANSWER);
    assert.deepEqual(
      result.steps.map((s) => s.verdict),
      ['unknown', 'unknown', 'unknown', 'correct', 'incorrect'],
    );
    assert.equal(result.steps[0].reason, "outside the critic's scope (answer)");
    assert.equal(result.firstError, 4, 'the error in the thinking (step 2) is outside the scope');
  });

  test('thinking: only the thinking is sent; without thinking nothing is sent and nothing predicted', async () => {
    const server = await poolingServer();
    const critic = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, scope: 'thinking' });
    const result = await critic.score({ problem: PROBLEM, steps: STEPS, thinkingSteps: THINKING.length });
    assert.deepEqual(pooledSteps(server.requests[0].body as never), THINKING);
    assert.equal(result.firstError, 1);
    const none = await critic.score({ problem: PROBLEM, steps: ANSWER });
    assert.equal(server.requests.length, 1, 'no request for a solution without thinking');
    assert.equal(none.firstError, null);
    assert.ok(none.steps.every((s) => s.reason === "outside the critic's scope (thinking)"));
    assert.match(none.rationale ?? '', /^Nothing scored: .*"thinking".*has no thinking part/);
  });

  test('all (the default) sends every step, thinking or not', async () => {
    const server = await poolingServer();
    const critic = await testCritic({ type: 'vllm-pooling', baseURL: server.origin });
    const result = await critic.score({ problem: PROBLEM, steps: STEPS, thinkingSteps: THINKING.length });
    assert.deepEqual(pooledSteps(server.requests[0].body as never), STEPS);
    assert.equal(result.firstError, 1);
  });

  test('a cache hit under a new threshold keeps the scope: out-of-scope steps stay unknown', async () => {
    const server = await poolingServer();
    const store = new MemoryStore();
    const input = { problem: PROBLEM, steps: STEPS, thinkingSteps: THINKING.length };
    const first = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, scope: 'answer' });
    assert.ok(isCacheable(first));
    await withCache(first, store).score(input);
    const strict = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, scope: 'answer', threshold: 0.95 });
    assert.ok(isCacheable(strict));
    const hit = await withCache(strict, store).score(input);
    assert.equal(server.requests.length, 1, 'served from the cache');
    assert.equal(hit.firstError, 3, 'every answer step fails 0.95; the thinking is still not judged');
    assert.equal(hit.steps[0].reason, "outside the critic's scope (answer)");
  });

  test('the thinking steps are part of the cache key; a plain solution keeps its key', () => {
    assert.notEqual(cacheKey('c', 'p', STEPS, undefined, 3), cacheKey('c', 'p', STEPS, undefined, 2));
    assert.equal(cacheKey('c', 'p', STEPS, undefined, 0), cacheKey('c', 'p', STEPS));
  });
});

describe('scope of a chat PRM (chat-prm)', () => {
  test('answer: the conversation starts at the first answer step, as if the thinking were not there', async () => {
    const server = await serve(
      fakeOpenAI({
        answer: (body: ChatBody) => {
          const last = String(body.messages.filter((m) => m.role === 'user').pop()?.content ?? '');
          const p = last.includes('74') ? 0.1 : 0.9;
          return {
            content: p > 0.5 ? '+' : '-',
            top: [
              { token: '+', logprob: Math.log(p) },
              { token: '-', logprob: Math.log(1 - p) },
            ],
          };
        },
      }),
    );
    const config = { type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'm', scope: 'answer' };
    const result = await (await testCritic(config)).score({ problem: PROBLEM, steps: STEPS, thinkingSteps: 3 });
    const firstTurns = server.requests.map((q) => String((q.body as ChatBody).messages[0].content));
    assert.ok(
      firstTurns.every((t) => t === `${PROBLEM}\n\n${ANSWER[0]}`),
      firstTurns.join(' | '),
    );
    assert.equal(server.requests.length, ANSWER.length);
    assert.equal(result.firstError, 4);
    assert.equal(result.steps[2].reason, "outside the critic's scope (answer)");
  });
});

describe('scope in the cache identity', () => {
  const id = (config: Omit<CriticConfig, 'id'>) => criticIdentity({ id: 'x', ...config } as CriticConfig);
  const pooling = { type: 'vllm-pooling', baseURL: 'http://127.0.0.1:1', model: 'm' };
  const onnx = { type: 'onnx', path: '/nonexistent/model' };

  test('the defaults ("all", window "off") keep the identity results had before the settings existed', () => {
    assert.equal(id({ ...pooling, scope: 'all' }), id(pooling));
    assert.equal(id({ ...onnx, scope: 'all', window: 'off', windowOverlap: 0.5 }), id(onnx));
    const before = criticIdentity({ id: 'x', ...pooling } as CriticConfig);
    assert.equal(id({ ...pooling, scope: 'all' }), before);
  });

  test('a scope or a window changes it', () => {
    assert.notEqual(id({ ...pooling, scope: 'answer' }), id(pooling));
    assert.notEqual(id({ ...pooling, scope: 'answer' }), id({ ...pooling, scope: 'thinking' }));
    assert.notEqual(id({ ...onnx, window: 'sliding' }), id(onnx));
    assert.notEqual(id({ ...onnx, window: 'sliding', windowOverlap: 0.2 }), id({ ...onnx, window: 'sliding' }));
  });

  test('a bad scope is refused with the field named', async () => {
    await assert.rejects(
      testCritic({ type: 'vllm-pooling', baseURL: 'http://127.0.0.1:1', scope: 'final' }),
      /"scope" must be one of/,
    );
  });
});

describe('scoreInScope and rejudgeInScope', () => {
  const judged = (scores: number[]): CriticResult => ({
    criticId: 'k',
    steps: scores.map((score) => ({ score, verdict: score > 0.5 ? 'correct' : 'incorrect' })),
    firstError: scores.findIndex((s) => s <= 0.5),
    timing: { startedAt: 0, durationMs: 0 },
  });

  test('steps in scope: the thinking is the first thinkingSteps steps', () => {
    assert.deepEqual(stepsInScope(5, 3, 'answer'), [3, 4]);
    assert.deepEqual(stepsInScope(5, 3, 'thinking'), [0, 1, 2]);
    assert.deepEqual(stepsInScope(5, 3, 'all'), [0, 1, 2, 3, 4]);
    assert.deepEqual(stepsInScope(5, undefined, 'answer'), [0, 1, 2, 3, 4]);
  });

  test('the scorer sees the problem and the in-scope steps, with their global positions', async () => {
    const seen: { input: CriticInput; positions: readonly number[] }[] = [];
    const input = { problem: 'p', steps: ['a', 'b', 'c', 'd'], thinkingSteps: 2, sections: [] };
    const result = await scoreInScope('k', input, 'answer', async (scoped, positions) => {
      seen.push({ input: scoped, positions });
      return judged([0.9, 0.9]);
    });
    assert.deepEqual(seen[0].input, { problem: 'p', steps: ['c', 'd'], signal: undefined });
    assert.deepEqual(seen[0].positions, [2, 3]);
    assert.equal(result.firstError, -1, 'no error among the answer steps');
  });

  test('rejudging sees the in-scope steps only and maps the first error back', () => {
    const stored: CriticResult = {
      ...judged([0.9, 0.9, 0.4, 0.8]),
      steps: [
        { score: null, verdict: 'unknown', reason: "outside the critic's scope (answer)" },
        { score: null, verdict: 'unknown', reason: "outside the critic's scope (answer)" },
        { score: 0.6, verdict: 'correct' },
        { score: 0.8, verdict: 'correct' },
      ],
      firstError: -1,
    };
    const input = { steps: ['a', 'b', 'c', 'd'], thinkingSteps: 2 };
    const again = rejudgeInScope(stored, input, 'answer', (r) => ({
      ...r,
      ...judged(r.steps.map((s) => (s.score as number) - 0.15)),
    }));
    assert.equal(again.firstError, 2);
    assert.equal(again.steps[0].reason, "outside the critic's scope (answer)");
  });
});

describe('one path for a trace’s shape: the editor, re-scoring one critic and prm-lens score', () => {
  const TRACE = [
    '## Problem',
    '',
    PROBLEM,
    '',
    '<think>',
    THINKING.join('\n\n'),
    '',
    'Alternatively, 7 × 12 = 84.',
    '</think>',
    '',
    ANSWER.join('\n\n'),
    '',
  ].join('\n');

  /** A critic that records what it is given. */
  function recorder(seen: CriticInput[]): Critic {
    return {
      id: 'rec',
      type: 'rec',
      label: 'rec',
      score: async (input) => {
        seen.push(input);
        return { ...judgedUnknown(input.steps.length), criticId: 'rec' };
      },
    };
  }
  const judgedUnknown = (n: number): CriticResult => ({
    criticId: 'rec',
    steps: Array.from({ length: n }, () => ({ score: null, verdict: 'unknown' as const })),
    firstError: null,
    timing: { startedAt: 0, durationMs: 0 },
  });

  test("analyzeText (the editor's run) gives critics the trace's sections and thinking steps", async () => {
    const seen: CriticInput[] = [];
    const analysis = await analyzeText(TRACE, {}, [recorder(seen)]);
    assert.equal(seen[0].thinkingSteps, 4);
    // An attempt, the "Wait," verification, the "Alternatively," strategy shift.
    assert.deepEqual(seen[0].sections, [
      { firstStep: 0, lastStep: 1 },
      { firstStep: 2, lastStep: 2 },
      { firstStep: 3, lastStep: 3 },
    ]);
    assert.equal(seen[0].steps.length, 6);
    // Re-scoring one critic (the extension's rescoreCritic) rebuilds the same shape from the analysis.
    assert.deepEqual(traceContext(analysis.trace, analysis.segmentation.steps), {
      sections: seen[0].sections,
      thinkingSteps: 4,
    });
    // `prm-lens score` builds it from the trace segmentation: the same again.
    const { trace } = segmentTraceFile(TRACE);
    assert.deepEqual(traceContext(trace, trace.steps), { sections: seen[0].sections, thinkingSteps: 4 });
  });

  test("the hover of a step outside a PRM's scope says so", async () => {
    const answerOnly: Critic = {
      id: 'prm',
      type: 'fake',
      label: 'prm',
      score: (input) =>
        scoreInScope('prm', input, 'answer', async (scoped) => ({
          criticId: 'prm',
          steps: scoped.steps.map(() => ({ score: 0.9, verdict: 'correct' as const })),
          firstError: -1,
          timing: { startedAt: 0, durationMs: 0 },
        })),
    };
    const analysis = await analyzeText(TRACE, {}, [answerOnly]);
    assert.match(
      stepHoverMarkdown(analysis, 0),
      /\| prm \| — \| · no verdict \| outside the critic's scope \\\(answer\\\) \|/,
    );
    assert.match(stepHoverMarkdown(analysis, 5), /\| prm \| 0\.900 \| ✓ correct \|/);
  });

  test('a plain solution gives neither', async () => {
    const seen: CriticInput[] = [];
    await analyzeText(`## Problem\n\n${PROBLEM}\n\n## Solution\n\n${ANSWER.join('\n\n')}\n`, {}, [recorder(seen)]);
    assert.equal(seen[0].thinkingSteps, undefined);
    assert.equal(seen[0].sections, undefined);
  });
});
