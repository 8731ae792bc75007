import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RunScheduler } from '../../src/extension/scheduler';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('RunScheduler', () => {
  test('a debounced task runs once, after the last call of a burst', async () => {
    const s = new RunScheduler();
    const ran: number[] = [];
    for (let n = 1; n <= 5; n++) s.debounce('doc', 30, () => ran.push(n));
    await sleep(10);
    assert.deepEqual(ran, []);
    await sleep(60);
    assert.deepEqual(ran, [5]);
  });

  test('starting a run aborts the one in progress, which is no longer current', () => {
    const s = new RunScheduler();
    const first = s.start('doc');
    assert.ok(first.isCurrent());
    const second = s.start('doc');
    assert.equal(first.signal.aborted, true);
    assert.equal(first.isCurrent(), false);
    assert.equal(second.signal.aborted, false);
    assert.ok(second.isCurrent());
    assert.ok(s.start('other').isCurrent(), 'keys are independent');
    assert.equal(second.signal.aborted, false);
  });

  test('a start drops a pending debounced task', async () => {
    const s = new RunScheduler();
    let ran = false;
    s.debounce('doc', 20, () => (ran = true));
    s.start('doc');
    await sleep(50);
    assert.equal(ran, false);
  });

  test('cancel aborts the run and drops the pending task; no earlier run is current again', async () => {
    const s = new RunScheduler();
    const run = s.start('doc');
    let ran = false;
    s.debounce('doc', 20, () => (ran = true));
    s.cancel('doc');
    assert.equal(run.signal.aborted, true);
    assert.equal(run.isCurrent(), false);
    assert.equal(s.isRunning('doc'), false);
    const next = s.start('doc');
    assert.equal(run.isCurrent(), false, 'a run from before the cancel stays stale');
    assert.ok(next.isCurrent());
    await sleep(50);
    assert.equal(ran, false);
  });

  test("a run's own cancel aborts it but keeps it current (the critics that finished still show)", () => {
    const s = new RunScheduler();
    const run = s.start('doc');
    run.cancel();
    assert.equal(run.signal.aborted, true);
    assert.ok(run.isCurrent());
  });

  test('an external signal aborts the run, also when it was aborted before the start', () => {
    const s = new RunScheduler();
    const external = new AbortController();
    const run = s.start('doc', external.signal);
    external.abort();
    assert.equal(run.signal.aborted, true);
    const early = new AbortController();
    early.abort();
    assert.equal(s.start('doc2', early.signal).signal.aborted, true);
  });

  test('listeners hear every start and stop; a superseded run finishing does not stop the new one', () => {
    const s = new RunScheduler();
    const heard: string[] = [];
    const sub = s.onDidChangeRunning((key) => heard.push(`${key}:${s.isRunning(key)}`));
    const first = s.start('doc');
    const second = s.start('doc');
    first.finish();
    assert.equal(s.isRunning('doc'), true, 'the newer run is still going');
    second.finish();
    second.finish();
    assert.equal(s.isRunning('doc'), false);
    assert.deepEqual(heard, ['doc:true', 'doc:true', 'doc:false']);
    sub.dispose();
    s.start('doc');
    assert.equal(heard.length, 3, 'a disposed listener hears nothing');
  });

  test('dispose aborts every run and drops every pending task', async () => {
    const s = new RunScheduler();
    const a = s.start('a');
    let ran = false;
    s.debounce('b', 20, () => (ran = true));
    s.dispose();
    assert.equal(a.signal.aborted, true);
    await sleep(50);
    assert.equal(ran, false);
  });
});
