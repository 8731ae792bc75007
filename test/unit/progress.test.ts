import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatProgress, ProgressReporter } from '../../src/cli/progress';

/** Back to the line's start and clear it: how a terminal line is rewritten in place. */
const CLEAR = '\r\x1b[K';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => writes.push(text) }, writes };
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('eval progress', () => {
  test('one line: done/total, %, rate of judged items, ETA, cached, failures, tokens', () => {
    assert.equal(
      formatProgress({ done: 50, total: 200, cached: 10, failed: 2, tokens: 123_456 }, 8000),
      'eval: 50/200 (25%) · 5.0 items/s · ETA 0:30 · 10 cached · 2 failed · 123.5k tokens',
    );
    assert.equal(
      formatProgress({ done: 0, total: 10, cached: 0, failed: 0 }, 0),
      'eval: 0/10 (0%) · 0.0 items/s · ETA —',
    );
    assert.equal(
      formatProgress({ done: 7, total: undefined, cached: 0, failed: 0 }, 1000),
      'eval: 7 items · 7.0 items/s',
    );
    assert.equal(
      formatProgress({ done: 10, total: 10, cached: 0, failed: 0, tokens: 2_500_000 }, 4000),
      'eval: 10/10 (100%) · 2.5 items/s · 2.5M tokens',
    );
    assert.match(formatProgress({ done: 1, total: 7201, cached: 0, failed: 0 }, 1000), /ETA 2:00:00/);
  });

  test('on a terminal the line is rewritten in place, at most every 100 ms, and messages do not tear it', () => {
    const { stream, writes } = fakeStream(true);
    const c = clock();
    const p = new ProgressReporter({ stream, now: c.now });
    p.update({ done: 1, total: 4, cached: 0, failed: 0 });
    c.advance(50);
    p.update({ done: 2, total: 4, cached: 0, failed: 0 });
    assert.equal(writes.length, 1, 'the second update came too soon');
    assert.ok(writes[0].startsWith(`${CLEAR}eval: 1/4 (25%)`), writes[0]);
    assert.ok(!writes[0].includes('\n'));
    c.advance(100);
    p.update({ done: 3, total: 4, cached: 0, failed: 1 });
    assert.ok(writes[1].startsWith(`${CLEAR}eval: 3/4 (75%)`) && writes[1].endsWith('1 failed'), writes[1]);
    p.log('data.jsonl:line 9: label: bad');
    assert.deepEqual(writes.slice(2, 4), [CLEAR, 'data.jsonl:line 9: label: bad\n']);
    assert.ok(writes[4].startsWith(`${CLEAR}eval: 3/4`), 'the line is drawn again under the message');
    c.advance(1000);
    p.update({ done: 4, total: 4, cached: 0, failed: 1 });
    p.finish();
    assert.ok(
      writes.at(-1)!.startsWith(`${CLEAR}eval: 4/4 (100%)`) && writes.at(-1)!.endsWith(' · 0:01 elapsed\n'),
      writes.at(-1),
    );
  });

  test('not a terminal: plain lines every 10 s or every 10% of the total, never escape codes', () => {
    const { stream, writes } = fakeStream(false);
    const c = clock();
    const p = new ProgressReporter({ stream, now: c.now });
    for (let done = 1; done <= 9; done++) {
      c.advance(100);
      p.update({ done, total: 1000, cached: 0, failed: 0 });
    }
    assert.equal(writes.length, 0, 'under 10% and under 10 s: quiet');
    c.advance(10_000);
    p.update({ done: 10, total: 1000, cached: 0, failed: 0 });
    assert.equal(writes.length, 1, '10 s passed');
    c.advance(100);
    p.update({ done: 100, total: 1000, cached: 0, failed: 0 });
    assert.equal(writes.length, 2, '10% reached');
    c.advance(100);
    p.update({ done: 101, total: 1000, cached: 0, failed: 0 });
    assert.equal(writes.length, 2);
    p.log('a message');
    p.finish();
    assert.equal(writes.length, 4);
    assert.ok(writes.every((w) => !w.includes('\x1b') && !w.includes('\r') && w.endsWith('\n')));
    assert.match(writes[1], /^eval: 100\/1000 \(10%\)/);
  });
});
