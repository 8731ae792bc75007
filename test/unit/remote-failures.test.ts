import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isCacheable, ResultStore, withCache } from '../../src/core/critics/cache';
import { BREAKER_COOLDOWN_MS, CircuitBreaker } from '../../src/core/critics/remote/http/breaker';
import { RemoteError, retryAfterMs } from '../../src/core/critics/remote/http/errors';
import { Critic, CriticResult } from '../../src/core/critics/types';
import { PROBLEM, scriptedServers, STEPS, testCritic } from '../fixtures/servers/critic';
import { ChatBody, fakeOpenAI } from '../fixtures/servers/openai';
import { fakeVllmPooling } from '../fixtures/servers/vllm';

const serve = scriptedServers();

/** Scores `n` items at once and returns every outcome. */
function scoreMany(c: Critic, n: number): Promise<PromiseSettledResult<CriticResult>[]> {
  return Promise.allSettled(Array.from({ length: n }, () => c.score({ problem: PROBLEM, steps: STEPS })));
}

function messages(outcomes: PromiseSettledResult<CriticResult>[]): string[] {
  return outcomes.map((o) => (o.status === 'rejected' ? String((o.reason as Error).message) : 'scored'));
}

/** A chat completion with the given first-token top log-probabilities, as raw JSON (1e999 stays 1e999). */
function rawLogprobs(top: string): string {
  const message = '"message":{"role":"assistant","content":"+"}';
  const logprobs = `"logprobs":{"content":[{"token":"+","logprob":-0.1,"top_logprobs":${top}}]}`;
  return `{"choices":[{"index":0,"finish_reason":"stop",${message},${logprobs}}]}`;
}

/** A ResultStore in memory that records what was stored. */
class MemoryStore implements ResultStore {
  readonly entries = new Map<string, CriticResult>();
  async get(key: string): Promise<CriticResult | undefined> {
    return this.entries.get(key);
  }
  async set(key: string, result: CriticResult): Promise<void> {
    this.entries.set(key, result);
  }
}

describe('malformed scores fail the item, never become verdicts, never reach the cache', () => {
  const step = (body: ChatBody) => (body.messages.length - 1) / 2;

  test('chat-prm: a log-probability above 0, overflowing to Infinity, or NaN (sent as null) at one step', async () => {
    const bad: [string, RegExp][] = [
      [
        '[{"token":"+","logprob":1000},{"token":"-","logprob":-1}]',
        /log-probability 1000 of "\+" at step 3, not a score/,
      ],
      [
        '[{"token":"+","logprob":-0.1},{"token":"-","logprob":1e999}]',
        /log-probability Infinity of "-" at step 3, not a score/,
      ],
      [
        '[{"token":"+","logprob":null},{"token":"-","logprob":-2}]',
        /log-probability null of "\+" at step 3, not a score/,
      ],
      ['[{"token":"+","logprob":-0.1},{"token":"x","logprob":0.5}]', /log-probability 0.5 at step 3, not a score/],
    ];
    for (const [top, reason] of bad) {
      const good = '[{"token":"+","logprob":-0.1},{"token":"-","logprob":-2.4}]';
      const server = await serve((req) => ({
        text: rawLogprobs(step(req.body as ChatBody) === 2 ? top : good),
        headers: { 'content-type': 'application/json' },
      }));
      const critic = await testCritic({ type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'prm' });
      assert.ok(isCacheable(critic));
      const store = new MemoryStore();
      await assert.rejects(withCache(critic, store).score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
        assert.ok(err instanceof RemoteError);
        assert.equal(err.kind, 'malformed');
        assert.equal(err.retryable, false);
        assert.match(err.message, reason);
        return true;
      });
      assert.equal(store.entries.size, 0);
      assert.equal(
        server.requests.filter((q) => step(q.body as ChatBody) === 2).length,
        1,
        'the bad step is not asked again',
      );
    }
  });

  test('vllm-pooling: Infinity or null (NaN) among the step outputs', async () => {
    for (const [outputs, reason] of [
      ['[[0.1,0.9],[1e999,0],[0.2,0.8],[0.5,0.5]]', /the model returned Infinity at step 2, not a score/],
      ['[[0.1,0.9],[0.2,0.8],[0.5,0.5],[null,null]]', /the model returned null at step 4, not a score/],
      ['[0.9,0.8,-1e999,0.5]', /the model returned -Infinity at step 3, not a score/],
    ] as const) {
      const server = await serve(() => ({ text: `{"data":[{"data":${outputs}}]}` }));
      const critic = await testCritic({ type: 'vllm-pooling', baseURL: server.origin });
      assert.ok(isCacheable(critic));
      const store = new MemoryStore();
      await assert.rejects(withCache(critic, store).score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
        assert.equal(err.kind, 'malformed');
        assert.match(err.message, reason);
        return true;
      });
      assert.equal(store.entries.size, 0);
      assert.equal(server.requests.length, 1);
    }
  });
});

describe('one failed request stops the rest of its item', () => {
  test('chat-prm: when step 1 fails, the other 99 steps are not sent and those in flight are aborted', async () => {
    const server = await serve(
      fakeOpenAI({
        fault: (req) =>
          (req.body as ChatBody).messages.length === 1
            ? { status: 400, json: { error: { message: 'context too long' } } }
            : undefined,
        delayMs: 100,
        answer: () => '+',
      }),
    );
    const c = await testCritic({
      type: 'chat-prm',
      baseURL: `${server.origin}/v1`,
      model: 'prm',
      logprobs: false,
      concurrency: 4,
    });
    const steps = Array.from({ length: 100 }, (_, i) => `Step ${i}.`);
    await assert.rejects(c.score({ problem: PROBLEM, steps }), /rejected the request \(400: context too long\)/);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(server.requests.length <= 6, `${server.requests.length} requests after the first one failed`);
    assert.ok(server.abandoned >= 3, 'the requests in flight were aborted');
  });

  test('openai-critic: separate vote requests are dropped when one vote fails', async () => {
    const server = await serve(
      fakeOpenAI({
        fault: (_req, i) => (i === 0 ? { status: 400, json: { error: { message: 'bad' } } } : undefined),
        delayMs: 100,
        answer: () => '\\boxed{-1}',
      }),
    );
    const c = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      votes: 32,
      parallelSamples: false,
      concurrency: 2,
    });
    await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), /rejected the request \(400: bad\)/);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(server.requests.length <= 4, `${server.requests.length} requests for one failed call`);
  });
});

describe('circuit breaker', () => {
  test(
    'a refused port: 40 items fail at once with one clear message, not after retrying each',
    { timeout: 15_000 },
    async () => {
      const closed = http.createServer();
      await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
      const port = (closed.address() as AddressInfo).port;
      await new Promise((r) => closed.close(r));
      // The default backoff (500 ms base): without the breaker each item would retry for several seconds.
      const c = await createDefault({ type: 'openai-critic', baseURL: `http://127.0.0.1:${port}/v1`, model: 'm' });
      const t0 = Date.now();
      const outcomes = await scoreMany(c, 40);
      const elapsed = Date.now() - t0;
      assert.ok(elapsed < 3000, `40 items took ${elapsed} ms`);
      const texts = messages(outcomes);
      const head = /^critic "c": stopped after 5 consecutive failures \(one request is tried again every 60 s\); /;
      const cause = /the last: cannot reach http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions \(ECONNREFUSED\)/;
      const stopped = texts.filter((m) => head.test(m) && cause.test(m));
      assert.ok(stopped.length >= 36, texts.join('\n'));
    },
  );

  test('a server resetting connections, one never answering, one rejecting the key: few requests', async () => {
    const cases = [
      { reply: { reset: true as const }, kind: 'connection', extra: {} },
      { reply: { hang: true as const }, kind: 'timeout', extra: { timeoutMs: 100 } },
      { reply: { status: 401, json: { error: { message: 'bad key' } } }, kind: 'bad-key', extra: {} },
    ];
    for (const { reply, kind, extra } of cases) {
      const server = await serve(() => reply);
      const c = await testCritic({
        type: 'chat-prm',
        baseURL: `${server.origin}/v1`,
        model: 'prm',
        concurrency: 4,
        ...extra,
      });
      const outcomes = await scoreMany(c, 20);
      assert.ok(
        outcomes.every((o) => o.status === 'rejected' && (o.reason as RemoteError).kind === kind),
        kind,
      );
      // Without the breaker: 80 requests for the key, 400 with retries for the others.
      assert.ok(server.requests.length <= 20, `${kind}: ${server.requests.length} requests for 20 items of 4 steps`);
      assert.ok(
        messages(outcomes).some((m) => m.includes('stopped after 5 consecutive failures')),
        kind,
      );
    }
  });

  test('answers end a streak: a server failing with 500s is retried per policy, never stopped', async () => {
    const server = await serve(() => ({ status: 500, json: { error: { message: 'boom' } } }));
    const c = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      retries: 2,
      maxConsecutiveFailures: 1,
    });
    const outcomes = await scoreMany(c, 3);
    assert.deepEqual(
      messages(outcomes).map((m) => /server error 500 .*gave up after 3 attempts/.test(m)),
      [true, true, true],
    );
    assert.equal(server.requests.length, 9);
  });

  test('maxConsecutiveFailures 0 turns it off; bad values are refused', async () => {
    const server = await serve(() => ({ reset: true }));
    const c = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, retries: 0, maxConsecutiveFailures: 0 });
    await scoreMany(c, 10);
    assert.equal(server.requests.length, 10);
    await assert.rejects(
      testCritic({ type: 'vllm-pooling', baseURL: server.origin, maxConsecutiveFailures: -1 }),
      /"maxConsecutiveFailures" must be an integer between 0 and 1000/,
    );
  });

  test('open: fails fast; after the cooldown one probe goes; a success closes it, a failure reopens it', () => {
    let now = 0;
    const breaker = new CircuitBreaker('c', 2, () => now);
    const refused = new RemoteError('critic "c": cannot reach http://h (ECONNREFUSED).', 'connection', true);
    breaker.record(refused);
    breaker.admit();
    breaker.record(refused);
    assert.throws(
      () => breaker.admit(),
      (err: RemoteError) => {
        assert.equal(
          err.message,
          'critic "c": stopped after 2 consecutive failures (one request is tried again every 60 s); ' +
            'the last: cannot reach http://h (ECONNREFUSED).',
        );
        assert.equal(err.kind, 'connection');
        assert.equal(err.retryable, false);
        return true;
      },
    );
    now += BREAKER_COOLDOWN_MS;
    breaker.admit();
    assert.throws(() => breaker.admit(), /stopped after/, 'one probe at a time');
    breaker.record(refused);
    assert.throws(() => breaker.admit(), /stopped after/);
    now += BREAKER_COOLDOWN_MS;
    breaker.admit();
    breaker.cancelled();
    breaker.admit();
    breaker.record(undefined);
    breaker.admit();
    breaker.admit();
  });
});

describe('time budget of a call', () => {
  test('a timeout is retried once, not `retries` times', async () => {
    const server = await serve(() => ({ hang: true }));
    const c = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      timeoutMs: 100,
      retries: 4,
      maxConsecutiveFailures: 0,
    });
    await assert.rejects(
      c.score({ problem: PROBLEM, steps: STEPS }),
      /no answer from .* within 100 ms.*\(gave up after 2 attempts\)/,
    );
    assert.equal(server.requests.length, 2);
  });

  test('Retry-After: negative or junk values are ignored (backoff applies), huge ones are capped', async () => {
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '-5' })), undefined);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '1' })), 1000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'soon' })), undefined);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': '99999999999' })), 86_400_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Fri, 31 Dec 9999 23:59:59 GMT' })), 86_400_000);
    assert.equal(retryAfterMs(new Headers({ 'retry-after': 'Wed, 21 Oct 2015 07:28:00 GMT' })), 0);
    assert.equal(retryAfterMs(new Headers({ 'retry-after-ms': '-1', 'retry-after': '2' })), 2000);

    const server = await serve((_req, i) =>
      i === 0
        ? { status: 503, headers: { 'retry-after': '-5' }, json: {} }
        : fakeVllmPooling({ outputs: () => STEPS.map(() => 0.9) })(_req, i),
    );
    const c = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, retryDelayMs: 400 });
    assert.equal((await c.score({ problem: PROBLEM, steps: STEPS })).firstError, -1);
    const gap = server.requests[1].receivedAt - server.requests[0].receivedAt;
    assert.ok(gap >= 190, `retried after ${gap} ms: "-5" must fall back to the backoff (200–400 ms), not "now"`);

    const far = await serve(() => ({ status: 429, headers: { 'retry-after': '99999999999' }, json: {} }));
    const c2 = await testCritic({ type: 'vllm-pooling', baseURL: far.origin });
    await assert.rejects(
      c2.score({ problem: PROBLEM, steps: STEPS }),
      /asked to retry after 86400 s, longer than PRM Lens waits/,
    );
  });
});

/** A critic with every default (backoff included). */
function createDefault(config: { type: string } & Record<string, unknown>): Promise<Critic> {
  return testCritic({ ...config, retryDelayMs: undefined });
}
