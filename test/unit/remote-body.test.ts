import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { RemoteError } from '../../src/core/critics/remote/http/errors';
import { CriticConfigError } from '../../src/core/critics/types';
import { bytes } from '../fixtures/servers/http';
import { PROBLEM, scriptedServers, STEPS, testCritic } from '../fixtures/servers/critic';
import { fakeOpenAI } from '../fixtures/servers/openai';
import { fakeVllmPooling } from '../fixtures/servers/vllm';

// Every answer is read under the critic's maxResponseBytes, counted after decompression, error bodies included.
// The servers send far more than the small caps used here (never more than a few tens of MB, produced lazily).
const serve = scriptedServers();
const CAP = 64 * 1024;
const BIG = 64 * 1024 * 1024;

/** A chat completion whose content is `size` bytes of "a", streamed. */
function* hugeCompletion(size: number): Generator<string | Buffer> {
  yield '{"choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"';
  yield* bytes(size);
  yield '"}}]}';
}

function assertTooLarge(err: unknown, cap: string): true {
  assert.ok(err instanceof RemoteError, String(err));
  assert.equal(err.kind, 'too-large');
  assert.equal(err.retryable, false);
  assert.match(err.message, new RegExp(`sent more than ${cap}, the limit set by "maxResponseBytes"`));
  return true;
}

describe('response size caps', () => {
  test('a 200 answer past the cap fails at once, is not retried, and the download stops', async () => {
    const server = await serve(() => ({ chunks: hugeCompletion(BIG) }));
    const c = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      maxResponseBytes: CAP,
    });
    await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err) => assertTooLarge(err, '64 KiB'));
    assert.equal(server.requests.length, 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(server.bytesStreamed < BIG / 2, `the client kept reading: ${server.bytesStreamed} bytes sent`);
  });

  test('without the field, the cap is 16 MiB: a 24 MiB answer or error body fails at once', async () => {
    const replies = [{ chunks: hugeCompletion(24 * 1024 * 1024) }, { status: 502, chunks: bytes(24 * 1024 * 1024) }];
    const server = await serve((_req, i) => replies[i]);
    const c = await testCritic({ type: 'openai-critic', baseURL: `${server.origin}/v1`, model: 'm' });
    for (let i = 0; i < replies.length; i++)
      await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err) => assertTooLarge(err, '16 MiB'));
    assert.equal(server.requests.length, 2);
  });

  test('an error body past the cap fails the same way instead of being read and retried as a 500', async () => {
    const server = await serve(() => ({ status: 500, chunks: bytes(BIG, 'x') }));
    const c = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      maxResponseBytes: CAP,
    });
    await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err) => assertTooLarge(err, '64 KiB'));
    assert.equal(server.requests.length, 1);
  });

  test('a gzip bomb is counted decompressed: 16 KB on the wire, 16 MiB inflated, over a 1 MiB cap', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, ' '));
    assert.ok(bomb.length < (1024 * 1024) / 16, `the bomb is ${bomb.length} bytes compressed`);
    const server = await serve(() => ({ headers: { 'content-encoding': 'gzip' }, chunks: [bomb] }));
    const c = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      maxResponseBytes: 1024 * 1024,
    });
    await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err) => assertTooLarge(err, '1 MiB'));
    assert.equal(server.requests.length, 1);
  });

  test('vllm-pooling reads under the same cap: a big answer, a big error body, a gzip bomb', async () => {
    const bomb = gzipSync(Buffer.alloc(16 * 1024 * 1024, ' '));
    const replies = [
      { chunks: bytes(BIG) },
      { status: 503, chunks: bytes(BIG) },
      { headers: { 'content-encoding': 'gzip' }, chunks: [bomb] },
    ];
    const server = await serve((_req, i) => replies[i]);
    const c = await testCritic({ type: 'vllm-pooling', baseURL: server.origin, maxResponseBytes: CAP });
    for (let i = 0; i < replies.length; i++)
      await assert.rejects(c.score({ problem: PROBLEM, steps: STEPS }), (err) => assertTooLarge(err, '64 KiB'));
    assert.equal(server.requests.length, replies.length, 'one request each, no retries');
  });

  test('answers under the cap are read whole, also in many small chunks', async () => {
    const critique = `Paragraph 2: wrong. ${'x'.repeat(40_000)} \\boxed{2}`;
    const body = JSON.stringify({
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: critique } }],
    });
    const pieces = Array.from({ length: Math.ceil(body.length / 1000) }, (_, i) =>
      body.slice(i * 1000, (i + 1) * 1000),
    );
    const server = await serve(() => ({ chunks: pieces }));
    const c = await testCritic({
      type: 'openai-critic',
      baseURL: `${server.origin}/v1`,
      model: 'm',
      maxResponseBytes: CAP,
    });
    const r = await c.score({ problem: PROBLEM, steps: STEPS });
    assert.equal(r.firstError, 2);
    assert.equal(r.raw, critique);
    const pooled = await serve(fakeVllmPooling({ outputs: () => STEPS.map(() => [0.1, 0.9]) }));
    const v = await testCritic({ type: 'vllm-pooling', baseURL: pooled.origin, maxResponseBytes: 1024 });
    assert.equal((await v.score({ problem: PROBLEM, steps: STEPS })).firstError, -1);
  });

  test('maxResponseBytes is checked like every field', async () => {
    const server = await serve(fakeOpenAI({ answer: () => '\\boxed{-1}' }));
    for (const bad of [100, 2 ** 31, 1.5e6 + 0.5, '16MB']) {
      await assert.rejects(
        testCritic({ type: 'chat-prm', baseURL: `${server.origin}/v1`, model: 'm', maxResponseBytes: bad }),
        (err) => {
          assert.ok(err instanceof CriticConfigError);
          assert.match(err.message, /"maxResponseBytes" must be an integer between 1024 and 1073741824/);
          return true;
        },
      );
    }
  });
});
