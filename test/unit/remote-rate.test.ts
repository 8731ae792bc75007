import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, RateWindow, rateWindow } from '../../src/core/critics/remote/http/rate';
import { CancelledError, Critic } from '../../src/core/critics/types';
import { PROBLEM, scriptedServers, STEPS, testCritic } from '../fixtures/servers/critic';
import { fakeOpenAI } from '../fixtures/servers/openai';

// Requests- and tokens-per-minute caps, with a clock that moves only when the window waits (or the test says).
const serve = scriptedServers();

/** Time that passes only when someone sleeps (`auto`) or when the test calls advance(). */
class FakeClock implements Clock {
  t = 0;
  readonly sleeps: number[] = [];
  private timers: { at: number; resolve: () => void }[] = [];

  constructor(private readonly auto: boolean) {}

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    this.sleeps.push(ms);
    if (this.auto) {
      return new Promise((resolve) =>
        setImmediate(() => {
          this.t += ms;
          resolve();
        }),
      );
    }
    return new Promise((resolve, reject) => {
      const timer = { at: this.t + ms, resolve };
      this.timers.push(timer);
      signal?.addEventListener('abort', () => {
        this.timers = this.timers.filter((x) => x !== timer);
        reject(new CancelledError());
      });
    });
  }

  advance(ms: number): void {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    for (const x of due) x.resolve();
  }
}

const NONE = Infinity;
const tick = () => new Promise((r) => setImmediate(r));

/** Waits until `count()` reaches `n` (or 5 s pass), then 150 ms more in case a request too many is on its way. */
async function settled(count: () => number, n: number): Promise<void> {
  for (const t0 = Date.now(); count() < n && Date.now() - t0 < 5000;) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 150));
}

/** The clock's time when each of `n` acquisitions was admitted, in order. */
async function admissionTimes(
  window: RateWindow,
  clock: FakeClock,
  n: number,
  estimate: number,
  caps: { rpm: number; tpm: number },
): Promise<number[]> {
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: n }, () => window.acquire(estimate, caps).then(() => times.push(clock.now()))),
  );
  return times;
}

describe('rate caps', () => {
  test('rpm: at most rpm requests in any trailing minute, admitted in arrival order', async () => {
    const clock = new FakeClock(true);
    assert.deepEqual(
      await admissionTimes(new RateWindow(clock), clock, 5, 1, { rpm: 2, tpm: NONE }),
      [0, 0, 60_000, 60_000, 120_000],
    );
  });

  test('tpm: estimates are booked before sending and replaced by the usage the server reports', async () => {
    const clock = new FakeClock(true);
    const window = new RateWindow(clock);
    const caps = { rpm: NONE, tpm: 100 };
    const first = await window.acquire(40, caps);
    await window.acquire(40, caps);
    // 80 booked: a third request of 40 waits for the first to leave the minute...
    first.settle(10);
    // ...unless the first turned out to cost 10 tokens.
    await window.acquire(40, caps);
    assert.equal(clock.now(), 0);
    (await window.acquire(5, caps)).settle(60);
    await window.acquire(1, caps);
    assert.equal(clock.now(), 60_000, 'the 150 tokens counted exceed the cap until the oldest request leaves');
    const alone = new RateWindow(clock);
    await alone.acquire(500, caps);
    await alone.acquire(500, caps);
    assert.equal(clock.now(), 120_000, 'a request larger than tpm goes alone, when the minute holds no tokens');
  });

  test('a waiting request is dropped at once when cancelled and does not count', async () => {
    const clock = new FakeClock(false);
    const window = new RateWindow(clock);
    const caps = { rpm: 1, tpm: NONE };
    await window.acquire(1, caps);
    const cancel = new AbortController();
    const waiting = window.acquire(1, caps, cancel.signal);
    const next = window.acquire(1, caps);
    await tick();
    cancel.abort();
    await assert.rejects(waiting, CancelledError);
    clock.advance(60_000);
    await next;
    assert.equal(clock.now(), 60_000, 'the cancelled request took no place in the minute');
  });

  test('critics of the same baseURL and model share one budget across runs; usage corrects tpm', async () => {
    const server = await serve(fakeOpenAI({ answer: () => '+' }));
    const clock = new FakeClock(false);
    const baseURL = `${server.origin}/v1`;
    rateWindow(baseURL, 'prm', clock);
    // Two critics (two runs in the editor, or two entries of a config) with the same endpoint.
    const runs: Critic[] = await Promise.all(
      ['a', 'b'].map((id) => testCritic({ id, type: 'chat-prm', baseURL, model: 'prm', logprobs: false, rpm: 3 })),
    );
    const scored = Promise.all(runs.map((c) => c.score({ problem: PROBLEM, steps: STEPS })));
    for (const expected of [3, 6, 8]) {
      await settled(() => server.requests.length, expected);
      assert.equal(server.requests.length, expected, `at ${clock.now()} ms`);
      clock.advance(60_000);
    }
    await scored;

    const costly = await serve(() => ({
      json: {
        choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: '\\boxed{-1}' } }],
        usage: { prompt_tokens: 400, completion_tokens: 100 },
      },
    }));
    const costlyClock = new FakeClock(false);
    rateWindow(`${costly.origin}/v1`, 'm', costlyClock);
    const c = await testCritic({ type: 'openai-critic', baseURL: `${costly.origin}/v1`, model: 'm', tpm: 1000 });
    const sequential = (async () => {
      for (let i = 0; i < 5; i++) await c.score({ problem: PROBLEM, steps: STEPS });
    })();
    // The prompt is estimated at about 230 tokens (four would fit a minute); each answer reports 500: two fit.
    for (const expected of [2, 4, 5]) {
      await settled(() => costly.requests.length, expected);
      assert.equal(costly.requests.length, expected, `at ${costlyClock.now()} ms`);
      costlyClock.advance(60_000);
    }
    await sequential;
  });

  test('rpm and tpm are positive integers', async () => {
    for (const [field, value] of [
      ['rpm', 0],
      ['tpm', 1.5],
      ['rpm', '60'],
    ] as const) {
      await assert.rejects(
        testCritic({ type: 'vllm-pooling', baseURL: 'http://127.0.0.1:9', [field]: value }),
        new RegExp(`"${field}" must be an integer ≥ 1`),
      );
    }
  });
});
