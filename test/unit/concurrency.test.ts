import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mapConcurrent } from '../../src/core/util/concurrency';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function drain<T>(values: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of values) out.push(v);
  return out;
}

/** Collects unhandled rejections while `fn` runs (and a moment after, when a late one would surface). */
async function unhandledDuring(fn: () => Promise<void>): Promise<unknown[]> {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  process.on('unhandledRejection', listener);
  try {
    await fn();
    await sleep(30);
  } finally {
    process.off('unhandledRejection', listener);
  }
  return seen;
}

describe('mapConcurrent', () => {
  test('yields in input order while every worker stays busy: a slow item does not hold up the others', async () => {
    // Item 0 takes 200 ms, the other 31 take 10 ms each. With 4 workers the quick ones need ~110 ms on the 3 free
    // workers while item 0 runs, so the run takes ~200 ms; waiting for the oldest item (the old algorithm) ~280 ms.
    const t0 = performance.now();
    const out: number[] = [];
    for await (const v of mapConcurrent(
      Array.from({ length: 32 }, (_, i) => i),
      4,
      async (i) => {
        await sleep(i === 0 ? 200 : 10);
        return i;
      },
    )) {
      out.push(v);
    }
    const ms = performance.now() - t0;
    assert.deepEqual(out, [...Array(32).keys()]);
    assert.ok(ms < 250, `took ${ms.toFixed(0)} ms: the workers waited for the slow first item`);
  });

  test('never more than `limit` calls at once', async () => {
    let running = 0;
    let peak = 0;
    await drain(
      mapConcurrent(
        Array.from({ length: 40 }, (_, i) => i),
        3,
        async (i) => {
          running += 1;
          peak = Math.max(peak, running);
          await sleep(i % 5);
          running -= 1;
        },
      ),
    );
    assert.equal(peak, 3);
  });

  test('look-ahead is bounded: a stuck oldest item lets at most `lookahead` items start', async () => {
    let release: () => void = () => {};
    const stuck = new Promise<void>((r) => (release = r));
    const started: number[] = [];
    const run = (async () => {
      const out: number[] = [];
      for await (const v of mapConcurrent(
        Array.from({ length: 100 }, (_, i) => i),
        2,
        async (i) => {
          started.push(i);
          if (i === 0) await stuck;
          return i;
        },
        undefined,
        { lookahead: 10 },
      )) {
        out.push(v);
      }
      return out;
    })();
    await sleep(20);
    assert.equal(started.length, 10, 'item 0 and 9 more, then the reorder buffer is full');
    release();
    assert.deepEqual(await run, [...Array(100).keys()]);
  });

  test('the default look-ahead is 8 × limit', async () => {
    let release: () => void = () => {};
    const stuck = new Promise<void>((r) => (release = r));
    let started = 0;
    const run = drain(
      mapConcurrent(
        Array.from({ length: 100 }, (_, i) => i),
        3,
        async (i) => {
          started += 1;
          if (i === 0) await stuck;
        },
      ),
    );
    await sleep(20);
    assert.equal(started, 24);
    release();
    await run;
  });

  test('a task other than the first rejects: the caller gets it after the results before it; none unhandled', async () => {
    const unhandled = await unhandledDuring(async () => {
      const out: number[] = [];
      const started: number[] = [];
      await assert.rejects(
        (async () => {
          for await (const v of mapConcurrent(
            Array.from({ length: 50 }, (_, i) => i),
            4,
            async (i) => {
              started.push(i);
              await sleep(i === 0 ? 30 : 2);
              if (i === 3 || i === 5) throw new Error(`task ${i} failed`);
              return i;
            },
          )) {
            out.push(v);
          }
        })(),
        /task 3 failed/,
      );
      assert.deepEqual(out, [0, 1, 2]);
      assert.ok(started.length < 50, 'no new work starts after a failure');
    });
    assert.deepEqual(unhandled, []);
  });

  test('a source that throws ends the run with its error after the items before it', async () => {
    async function* source() {
      yield 1;
      yield 2;
      throw new Error('unreadable');
    }
    const out: number[] = [];
    await assert.rejects(
      (async () => {
        for await (const v of mapConcurrent(source(), 2, async (n) => n * 10)) out.push(v);
      })(),
      /unreadable/,
    );
    assert.deepEqual(out, [10, 20]);
  });

  test('abort: nothing new starts, everything started is still yielded in order', async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const out: number[] = [];
    for await (const v of mapConcurrent(
      Array.from({ length: 100 }, (_, i) => i),
      4,
      async (i) => {
        started.push(i);
        await sleep(i % 3);
        return i;
      },
      controller.signal,
    )) {
      out.push(v);
      if (v === 10) controller.abort();
    }
    assert.deepEqual(
      out,
      [...started].sort((a, b) => a - b),
    );
    assert.deepEqual(out, [...Array(out.length).keys()]);
    assert.ok(out.length < 100 && out.length > 10, `${out.length} yielded`);
  });

  test('breaking out of the loop stops pulling and leaves no unhandled rejection behind', async () => {
    let pulled = 0;
    function* source() {
      for (let i = 0; i < 1000; i++) {
        pulled += 1;
        yield i;
      }
    }
    const unhandled = await unhandledDuring(async () => {
      for await (const v of mapConcurrent(source(), 4, async (i) => {
        await sleep(1);
        if (i > 3) throw new Error('late failure');
        return i;
      })) {
        if (v === 1) break;
      }
    });
    assert.deepEqual(unhandled, []);
    assert.ok(pulled <= 33, `pulled ${pulled}`);
  });
});
