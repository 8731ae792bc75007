import { afterEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createCritic } from '../../src/core/critics/registry';
import { CancelledError, Critic, CriticConfig } from '../../src/core/critics/types';
import { RemoteError } from '../../src/core/critics/remote/http/errors';
import { Handler, ScriptedServer } from '../fixtures/servers/http';
import { ChatBody, fakeOpenAI, promptParagraphs } from '../fixtures/servers/openai';
import { fakeVllmPooling, PoolingBody, pooledSteps } from '../fixtures/servers/vllm';

// Every critic here talks to a real HTTP server on 127.0.0.1 through the real `openai` client (or fetch).
const KEY = 'sk-test-5f0e7c1d9a';
const PROBLEM = 'A bakery sells 12 boxes of 7 muffins. How many muffins?';
const STEPS = ['There are 12 boxes.', 'Each box has 7 muffins.', '12 × 7 = 74 muffins.', 'So the answer is 74.'];

let servers: ScriptedServer[] = [];
async function serve(handler: Handler): Promise<ScriptedServer> {
  const s = await ScriptedServer.start(handler);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

/** `key` null: no key configured. */
function critic(config: Partial<CriticConfig> & { type: string }, key: string | null = KEY): Promise<Critic> {
  return createCritic({ id: 'c', retryDelayMs: 1, ...config } as CriticConfig, {
    apiKey: () => key ?? undefined,
    keyHint: () => 'the environment variable TEST_KEY',
  });
}

const critique = (index: number) =>
  `Paragraph 0: right.\nParagraph 1: right.\nParagraph 2: 12 × 7 is 84, not 74.\n\nThe earliest error is in paragraph ${index}: \\boxed{${index}}`;

describe('openai-critic against an OpenAI-compatible server', () => {
  test('one ProcessBench-style request; first error, per-step excerpts, raw critique, usage', async () => {
    const server = await serve(fakeOpenAI({ key: KEY, models: ['judge'], answer: () => critique(2) }));
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'judge' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(server.requests.length, 1);
    const body = server.requests[0].body as ChatBody;
    assert.equal(server.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.equal(body.model, 'judge');
    assert.deepEqual(promptParagraphs(body), STEPS);
    assert.equal(body.temperature, 0);
    assert.equal(body.max_tokens, 8192);
    assert.equal(body.n, undefined);
    assert.equal(r.firstError, 2);
    assert.deepEqual(
      r.steps.map((s) => s.verdict),
      ['correct', 'correct', 'incorrect', 'unknown'],
    );
    assert.equal(r.steps[2].reason, '12 × 7 is 84, not 74.');
    assert.equal(r.raw, critique(2));
    assert.equal(r.usage?.requests, 1);
    assert.ok((r.usage?.promptTokens ?? 0) > 0 && (r.usage?.completionTokens ?? 0) > 0);
    assert.ok(r.timing.durationMs > 0);
  });

  test('votes: n samples in one request at temperature 1 / top_p 0.9, majority of the parsed answers', async () => {
    const answers = ['\\boxed{2}', 'cannot tell', '\\boxed{1}', '\\boxed{2}', '\\boxed{-1}'];
    const server = await serve(fakeOpenAI({ answer: (_b, choice) => answers[choice] }));
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', votes: 5 });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(server.requests.length, 1);
    const body = server.requests[0].body as ChatBody;
    assert.deepEqual([body.n, body.temperature, (body as { top_p?: number }).top_p], [5, 1, 0.9]);
    assert.equal(r.firstError, 2);
    assert.match(r.steps[2].reason ?? '', /2 of 5 votes/);
    assert.match(r.raw ?? '', /----- sample 5 of 5 -----/);
  });

  test('a server that ignores n is topped up; parallelSamples false sends one request per vote', async () => {
    const server = await serve(fakeOpenAI({ maxChoices: 1, answer: (_b, _c, index) => `\\boxed{${index % 2}}` }));
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', votes: 3 });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(server.requests.length, 3);
    assert.deepEqual(
      server.requests.map((q) => (q.body as ChatBody).n),
      [3, 2, undefined],
    );
    assert.equal(r.firstError, 0);
    const separate = await critic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      votes: 2,
      parallelSamples: false,
    });
    await separate.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(server.requests.length, 5);
    assert.ok(server.requests.slice(3).every((q) => (q.body as ChatBody).n === undefined));
  });

  test('429 with Retry-After waits that long, then retries', async () => {
    const server = await serve(
      fakeOpenAI({
        fault: (_r, i) =>
          i === 0
            ? { status: 429, headers: { 'retry-after': '1' }, json: { error: { message: 'slow down' } } }
            : undefined,
        answer: () => '\\boxed{-1}',
      }),
    );
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, -1);
    assert.equal(server.requests.length, 2);
    const gap = server.requests[1].receivedAt - server.requests[0].receivedAt;
    assert.ok(gap >= 950, `retried after ${gap} ms, before the 1 s the server asked for`);
    assert.equal(r.usage?.requests, 2);
  });

  test('5xx, connection resets and malformed JSON are retried; giving up names the cause and the attempts', async () => {
    const faults = [
      { status: 500, json: { error: { message: 'boom' } } },
      { reset: true as const },
      { text: '{"choices": [', headers: { 'content-type': 'application/json' } },
      { status: 503, json: {} },
    ];
    const server = await serve(fakeOpenAI({ fault: (_r, i) => faults[i], answer: () => '\\boxed{1}' }));
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, 1);
    assert.equal(server.requests.length, 5);

    const broken = await serve(
      fakeOpenAI({ fault: () => ({ status: 502, json: { error: { message: 'bad gateway' } } }), answer: () => '' }),
    );
    const c2 = await critic({ type: 'openai-critic', baseURL: `${broken.origin}/v1`, model: 'm', retries: 2 });
    await assert.rejects(c2.score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
      assert.equal(err.kind, 'server');
      assert.match(err.message, /server error 502 .*bad gateway.*gave up after 3 attempts/);
      return true;
    });
    assert.equal(broken.requests.length, 3);

    const garbled = await serve(
      fakeOpenAI({
        fault: () => ({ text: 'not json', headers: { 'content-type': 'application/json' } }),
        answer: () => '',
      }),
    );
    const c3 = await critic({ type: 'openai-critic', baseURL: `${garbled.origin}/v1`, model: 'm', retries: 1 });
    await assert.rejects(c3.score({ problem: PROBLEM, steps: STEPS }), /malformed JSON.*gave up after 2 attempts/);
  });

  test('a request that hangs past timeoutMs is abandoned and retried', async () => {
    const server = await serve(
      fakeOpenAI({ fault: (_r, i) => (i === 0 ? { hang: true } : undefined), answer: () => '\\boxed{3}' }),
    );
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', timeoutMs: 200 });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, 3);
    assert.equal(server.requests.length, 2);
    assert.equal(server.abandoned, 1, 'the hung request should have been aborted by the client');
    const stuck = await serve(fakeOpenAI({ fault: () => ({ hang: true }), answer: () => '' }));
    const c2 = await critic({
      type: 'openai-critic',
      baseURL: `${stuck.origin}/v1`,
      model: 'm',
      timeoutMs: 100,
      retries: 1,
    });
    await assert.rejects(
      c2.score({ problem: PROBLEM, steps: STEPS }),
      /no answer from .* within 100 ms\. Raise "timeoutMs".*gave up after 2 attempts/,
    );
  });

  test('400, 401 and 404 are not retried, and say what to fix; the key never appears in the message', async () => {
    const server = await serve(
      fakeOpenAI({
        key: KEY,
        models: ['judge'],
        fault: (r) =>
          (r.body as ChatBody).max_tokens === 1
            ? { status: 400, json: { error: { message: 'max_tokens is too small' } } }
            : undefined,
        answer: () => '',
      }),
    );
    const badKey = await critic(
      { type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'judge' },
      'sk-wrong-key-0000',
    );
    await assert.rejects(badKey.score({ problem: PROBLEM, steps: STEPS }), (err: RemoteError) => {
      assert.equal(err.kind, 'bad-key');
      assert.match(err.message, /rejected the API key \(401.*\)\. Check the environment variable TEST_KEY/);
      assert.doesNotMatch(err.message, /sk-wrong-key-0000/, 'the server echoed the key: it must be redacted');
      return true;
    });
    const unknownModel = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'gpt-9' });
    await assert.rejects(
      unknownModel.score({ problem: PROBLEM, steps: STEPS }),
      /does not know model "gpt-9" \(404.*Fix "model"/,
    );
    const wrongUrl = await critic({ type: 'openai-critic', baseURL: server.origin, model: 'judge' });
    await assert.rejects(
      wrongUrl.score({ problem: PROBLEM, steps: STEPS }),
      /\/chat\/completions does not exist \(404: Not Found\)\. Fix "baseURL": .*\/v1/,
    );
    const badRequest = await critic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'judge',
      maxTokens: 1,
    });
    await assert.rejects(
      badRequest.score({ problem: PROBLEM, steps: STEPS }),
      /rejected the request \(400: max_tokens is too small\)/,
    );
    assert.equal(server.requests.length, 4, 'one request each, no retries');
  });

  test('the OpenAI API itself needs a key; a missing key is a configuration error before any request', async () => {
    await assert.rejects(
      critic({ type: 'openai-critic', model: 'gpt-4o' }, null),
      /talks to the OpenAI API and needs an API key: set the environment variable TEST_KEY/,
    );
  });

  test('per-step mode asks for JSON-schema output and falls back to plain JSON when the server refuses it', async () => {
    const answer = JSON.stringify({
      steps: STEPS.map((_, i) => ({ paragraph: i, explanation: i === 2 ? '84, not 74' : 'fine', correct: i !== 2 })),
    });
    const server = await serve(fakeOpenAI({ noStructuredOutput: true, answer: () => `Here you go:\n${answer}` }));
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', mode: 'per-step' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.deepEqual(
      r.steps.map((s) => s.verdict),
      ['correct', 'correct', 'incorrect', 'correct'],
    );
    assert.equal(r.firstError, 2);
    assert.equal(r.steps[2].reason, '84, not 74');
    assert.equal((server.requests[0].body as ChatBody).response_format?.type, 'json_schema');
    assert.equal((server.requests[1].body as ChatBody).response_format, undefined);
    await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(server.requests.length, 3, 'once refused, structured output is not asked for again');
  });

  test('per-step answers with typical JSON slips are repaired; one cut by max_tokens stays unjudged', async () => {
    // Each says step 2 is the error, as a model without structured output might write it.
    const entries = (quote: string, t: string, f: string) =>
      STEPS.map((_, i) => `{${quote}paragraph${quote}: ${i}, ${quote}correct${quote}: ${i === 2 ? f : t}}`);
    const answers: Record<string, string> = {
      'a trailing comma': `{"steps": [${entries('"', 'true', 'false').join(', ')},]}`,
      "Python's True/False": `{"steps": [${entries('"', 'True', 'False').join(', ')}]}`,
      'a // comment': `{"steps": [\n${entries('"', 'true', 'false').join(', // checked\n')}\n]}`,
      'single quotes': `{'steps': [${entries("'", 'true', 'false').join(', ')}]}`,
      'a markdown code fence': `Review:\n\`\`\`json\n{"steps": [${entries('"', 'true', 'false').join(', ')}]}\n\`\`\``,
    };
    const truncated = `{"steps": [${entries('"', 'true', 'false').slice(0, 2).join(', ')}, {"paragraph": 2, "corr`;
    const texts = [...Object.values(answers), truncated];
    const server = await serve(
      fakeOpenAI({
        noStructuredOutput: true,
        answer: (body) => {
          const text = texts[Number(/case (\d+)/.exec(body.messages[0].content)?.[1])];
          return text === truncated ? { content: text, finishReason: 'length' } : text;
        },
      }),
    );
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', mode: 'per-step' });
    const judge = (i: number) => c.score({ problem: `${PROBLEM} (case ${i})`, steps: STEPS });
    for (const [i, what] of Object.keys(answers).entries()) {
      const r = await judge(i);
      assert.deepEqual(
        r.steps.map((s) => s.verdict),
        ['correct', 'correct', 'incorrect', 'correct'],
        what,
      );
      assert.equal(r.firstError, 2, what);
    }
    const cut = await judge(texts.length - 1);
    assert.equal(cut.firstError, null);
    for (const s of cut.steps) assert.match(`${s.verdict}: ${s.reason}`, /^unknown: .*output hit maxTokens: raise it/);
    assert.equal(cut.raw, truncated);
  });

  test('at most `concurrency` requests are in flight', async () => {
    const server = await serve(fakeOpenAI({ delayMs: 40, answer: () => '\\boxed{-1}' }));
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', concurrency: 3 });
    await Promise.all(Array.from({ length: 10 }, () => c.score({ problem: PROBLEM, steps: STEPS })));
    assert.equal(server.requests.length, 10);
    assert.equal(server.maxInFlight, 3);
  });

  test('cancelling stops queued requests at once and aborts those in flight', async () => {
    const server = await serve(fakeOpenAI({ delayMs: 5_000, answer: () => '\\boxed{-1}' }));
    const c = await critic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm', concurrency: 2 });
    const cancel = new AbortController();
    const runs = Array.from({ length: 6 }, () => c.score({ problem: PROBLEM, steps: STEPS, signal: cancel.signal }));
    while (server.requests.length < 2) await new Promise((r) => setTimeout(r, 5));
    const t0 = Date.now();
    cancel.abort();
    for (const run of runs) await assert.rejects(run, CancelledError);
    assert.ok(Date.now() - t0 < 1000, 'cancellation should not wait for the server');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(server.requests.length, 2, 'no request may start after cancellation');
    assert.equal(server.abandoned, 2, 'both requests in flight should be aborted');
  });
});

describe('chat-prm against an OpenAI-compatible server', () => {
  const plusMinus = (p: number) => [
    { token: '+', logprob: Math.log(p) },
    { token: '-', logprob: Math.log(1 - p) },
  ];

  test('one conversation per step; p(+) from top_logprobs; threshold gives the first error', async () => {
    const probs = [0.95, 0.9, 0.2, 0.4];
    const server = await serve(
      fakeOpenAI({ answer: (body) => ({ content: '+', top: plusMinus(probs[(body.messages.length - 1) / 2]) }) }),
    );
    const c = await critic({ type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'prm' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(server.requests.length, 4);
    const last = server.requests.map((q) => q.body as ChatBody).find((b) => b.messages.length === 7);
    assert.ok(last);
    assert.equal(last.messages[0].content, `${PROBLEM}\n\n${STEPS[0]}`);
    assert.deepEqual(
      last.messages.filter((m) => m.role === 'assistant').map((m) => m.content),
      ['+', '+', '+'],
    );
    assert.deepEqual([last.logprobs, last.max_tokens, last.temperature], [true, 1, 0]);
    r.steps.forEach((s, i) => assert.ok(Math.abs((s.score ?? 0) - probs[i]) < 1e-9));
    assert.equal(r.firstError, 2);
    assert.equal(r.usage?.requests, 4);
    const strict = await critic({ type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'prm', threshold: 0.92 });
    assert.equal((await strict.score({ problem: PROBLEM, steps: STEPS })).firstError, 1);
  });

  test('without logprobs the one-token reply decides; other replies give no score', async () => {
    const server = await serve(fakeOpenAI({ answer: (body) => ['+', '+', '-', '?'][(body.messages.length - 1) / 2] }));
    const c = await critic({ type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'prm', logprobs: false });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.deepEqual(
      r.steps.map((s) => s.score),
      [1, 1, 0, null],
    );
    assert.equal(r.firstError, 2);
    assert.equal((server.requests[0].body as ChatBody).logprobs, undefined);
  });

  test('firstUser lays out the first turn (RLHFlow’s evaluation code uses a space); a template without its placeholders is refused', async () => {
    const server = await serve(fakeOpenAI({ answer: () => ({ content: '+', top: plusMinus(0.9) }) }));
    const c = await critic({
      type: 'chat-prm',
      baseURL: `${server.origin}/v1`,
      model: 'prm',
      firstUser: '{problem} {step}',
    });
    await c.score({ problem: PROBLEM, steps: STEPS.slice(0, 1) });
    assert.equal((server.requests[0].body as ChatBody).messages[0].content, `${PROBLEM} ${STEPS[0]}`);
    await assert.rejects(
      critic({ type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'prm', firstUser: '{problem}' }),
      /critic "c" \(chat-prm\): "firstUser" must be a string containing \{problem\} and \{step\}/,
    );
  });
});

describe('vllm-pooling against a /pooling server', () => {
  const pairs = (ps: number[]) => ps.map((p) => [1 - p, p]);

  test('Qwen-style chat input with <extra_0> after every step; per-step probabilities mapped to steps', async () => {
    const server = await serve(
      fakeVllmPooling({ outputs: (body) => pairs(pooledSteps(body).map((_, i) => (i === 2 ? 0.1 : 0.9))) }),
    );
    const c = await critic({ type: 'vllm-pooling', baseURL: server.origin, model: 'Qwen/Qwen2.5-Math-PRM-7B' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    const body = server.requests[0].body as PoolingBody;
    assert.equal(server.requests[0].path, '/pooling');
    assert.deepEqual(
      body.messages?.map((m) => m.role),
      ['system', 'user', 'assistant'],
    );
    assert.equal(body.messages?.[2].content, `${STEPS.join('<extra_0>')}<extra_0>`);
    assert.deepEqual(
      r.steps.map((s) => s.score),
      [0.9, 0.9, 0.1, 0.9],
    );
    assert.equal(r.firstError, 2);
    assert.deepEqual(r.usage, { promptTokens: 42, completionTokens: 0, requests: 1 });
  });

  test('text input with a custom tag, the bare response shape, and a key', async () => {
    const server = await serve(
      fakeVllmPooling({ key: KEY, shape: 'bare', outputs: (body) => pooledSteps(body, ' ки').map(() => [0.8]) }),
    );
    const c = await critic({ type: 'vllm-pooling', baseURL: server.origin, input: 'text', stepTag: ' ки' });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(
      (server.requests[0].body as PoolingBody).input,
      `${PROBLEM}\n${STEPS.map((s) => `${s} ки`).join('\n')}`,
    );
    assert.equal(server.requests[0].headers.authorization, `Bearer ${KEY}`);
    assert.equal(r.firstError, -1);
  });

  test('a wrong number of scores is a clear error; so is a step containing the tag', async () => {
    const server = await serve(fakeVllmPooling({ outputs: () => pairs([0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]) }));
    const c = await critic({ type: 'vllm-pooling', baseURL: server.origin });
    await assert.rejects(
      c.score({ problem: PROBLEM, steps: STEPS }),
      /returned 7 scores for 4 steps\. Check "stepTag"/,
    );
    await assert.rejects(c.score({ problem: PROBLEM, steps: ['a<extra_0>b'] }), /step 1 contains the step tag/);
    assert.equal(server.requests.length, 1);
  });

  test('503 with Retry-After is retried through the same policy; /v1 in baseURL is explained', async () => {
    const server = await serve(
      fakeVllmPooling({
        fault: (_r, i) =>
          i < 2 ? { status: 503, headers: { 'retry-after': '0' }, json: { message: 'loading' } } : undefined,
        outputs: () => pairs([0.9, 0.9, 0.9, 0.9]),
      }),
    );
    const c = await critic({ type: 'vllm-pooling', baseURL: server.origin });
    assert.equal((await c.score({ problem: PROBLEM, steps: STEPS })).firstError, -1);
    assert.equal(server.requests.length, 3);
    const v1 = await critic({ type: 'vllm-pooling', baseURL: `${server.origin}/v1` });
    await assert.rejects(v1.score({ problem: PROBLEM, steps: STEPS }), /vLLM serves \/pooling at the server root/);
  });
});
