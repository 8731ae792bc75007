import { describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluate } from '../../src/cli/commands/eval';
import type { Critic, CriticConfig, CriticInput, CriticResult } from '../../src/core/critics/types';
import { readResults, writeResultsAtomic } from '../../src/core/datasets/results';
import type { DatasetItem, ResultRecord } from '../../src/core/datasets/types';
import { computeMetrics, formatMetricsTable } from '../../src/core/metrics/metrics';
import { countRecords } from '../../src/core/run/count';
import { runItems, type ItemOutcome, type RunCounts } from '../../src/core/run/engine';
import { criticIdentity } from '../../src/core/critics/identity';
import { contentKey } from '../../src/core/run/identity';
import { ResultCache } from '../../src/core/run/resultCache';
import { DatasetSession } from '../../src/views/datasetSession';

/** A scripted critic: scores per problem, a failure on problems containing `failOn`, optional delay. */
class ScriptedCritic implements Critic {
  readonly type = 'scripted';
  readonly label = 'scripted';
  calls = 0;
  constructor(
    readonly id: string,
    private readonly opts: { scores?: (problem: string, i: number) => number; failOn?: string; delayMs?: number } = {},
  ) {}
  async score(input: CriticInput): Promise<CriticResult> {
    this.calls += 1;
    if (this.opts.delayMs) {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(resolve, this.opts.delayMs);
        input.signal?.addEventListener(
          'abort',
          () => (clearTimeout(timer), reject(Object.assign(new Error('aborted'), { name: 'AbortError' }))),
          { once: true },
        );
      });
    }
    if (this.opts.failOn && input.problem.includes(this.opts.failOn))
      throw new Error(`server said 500 on "${input.problem}"`);
    const steps = input.steps.map((s, i) => {
      const score = this.opts.scores ? this.opts.scores(input.problem, i) : null;
      return { score, verdict: s.includes('wrong') ? ('incorrect' as const) : ('correct' as const) };
    });
    return {
      criticId: this.id,
      steps,
      firstError: steps.findIndex((s) => s.verdict === 'incorrect'),
      timing: { startedAt: 0, durationMs: 1 },
    };
  }
}

const line = (i: number, label: number, extra: object = {}) =>
  JSON.stringify({
    id: `q${i}`,
    subset: i % 2 ? 'odd' : 'even',
    problem: `Problem ${i}`,
    steps: ['one', label === 1 ? 'a wrong step' : 'two', 'three'],
    label,
    ...extra,
  });

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'prm-lens-run-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs the CLI's eval adapter in-process with its stdout and stderr swallowed. */
async function cliEval(
  t: TestContext,
  critics: Critic[],
  configs: CriticConfig[],
  dataset: string,
  out: string,
): Promise<number> {
  t.mock.method(process.stdout, 'write', () => true);
  t.mock.method(console, 'error', () => undefined);
  t.mock.method(console, 'log', () => undefined);
  try {
    const run = critics.map((critic, k) => ({ id: critic.id, identity: criticIdentity(configs[k]), critic }));
    return await evaluate(run, {
      datasets: [dataset],
      out,
      json: true,
      concurrency: 2,
      signal: new AbortController().signal,
      quiet: true,
    });
  } finally {
    t.mock.restoreAll();
  }
}

const items = (n: number): DatasetItem[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `q${i}`,
    subset: 's',
    problem: `Problem ${i}`,
    steps: ['one', 'two'],
    label: -1,
    source: { file: 'mem' },
  }));

async function collect(outcomes: AsyncIterable<ItemOutcome>): Promise<ItemOutcome[]> {
  const out: ItemOutcome[] = [];
  for await (const o of outcomes) out.push(o);
  return out;
}

describe('one run engine: the CLI and the dataset view write the same lines', () => {
  test('the same inputs give byte-identical JSONL through prm-lens eval and the dataset session', async (t) => {
    await withDir(async (dir) => {
      const dataset = join(dir, 'data.jsonl');
      await writeFile(dataset, `${[line(0, -1), line(1, 1), line(2, -1), line(3, 1)].join('\n')}\n`);
      // A PRM that returns NaN for one step of Problem 2 (no scalar scores there), a critic that fails on Problem 3.
      const prm = (id: string) =>
        new ScriptedCritic(id, { scores: (p, i) => (p === 'Problem 2' && i === 1 ? NaN : 0.9 - i / 10) });
      const flaky = (id: string) => new ScriptedCritic(id, { failOn: 'Problem 3' });
      const prmConfig: CriticConfig = { id: 'prm', type: 'vllm-pooling', model: 'm', label: 'PRM', concurrency: 2 };
      const flakyConfig: CriticConfig = { id: 'flaky', type: 'openai-critic', model: 'x' };

      const cliOut = join(dir, 'cli.jsonl');
      const code = await cliEval(t, [prm('prm'), flaky('flaky')], [prmConfig, flakyConfig], dataset, cliOut);
      assert.equal(code, 1, 'a critic failed on an item: exit 1');

      const session = new DatasetSession(dataset, new ResultCache(join(dir, 'cache.jsonl')));
      const run = [
        { id: 'prm', config: criticIdentity(prmConfig), critic: prm('prm') },
        { id: 'flaky', config: criticIdentity(flakyConfig), critic: flaky('flaky') },
      ];
      const progress = await session.run(run, [0, 1, 2, 3]);
      assert.equal(progress.failed, 1);
      // The view asks with the configuration as it is now: a new label and concurrency are not new answers.
      const keys = [
        { id: 'prm', config: criticIdentity({ ...prmConfig, label: 'Renamed', concurrency: 16, timeoutMs: 5 }) },
        { id: 'flaky', config: criticIdentity(flakyConfig) },
      ];
      const viewOut = join(dir, 'view.jsonl');
      await writeResultsAtomic(viewOut, session.records(keys));

      const cliText = await readFile(cliOut, 'utf8');
      assert.equal(await readFile(viewOut, 'utf8'), cliText);
      const lines = cliText
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ResultRecord);
      assert.equal(lines.length, 8);
      assert.deepEqual(
        lines.find((r) => r.id === 'q2' && r.critic === 'prm')?.scores,
        null,
        'a NaN score means no scalar scores',
      );
      assert.deepEqual(lines.find((r) => r.id === 'q0' && r.critic === 'prm')?.scores, [0.9, 0.8, 0.7]);
      assert.deepEqual(
        lines.find((r) => r.id === 'q3' && r.critic === 'flaky'),
        {
          id: 'q3',
          subset: 'odd',
          label: 1,
          prediction: null,
          critic: 'flaky',
          scores: null,
          error: 'server said 500 on "Problem 3"',
        },
      );
    });
  });
});

describe('the content key', () => {
  test('content keys depend on the problem and the steps, not on how they are split into strings', () => {
    assert.equal(contentKey('p', ['a', 'b']), contentKey('p', ['a', 'b']));
    assert.notEqual(contentKey('p', ['a', 'b']), contentKey('p', ['ab']));
    assert.notEqual(contentKey('p', ['a']), contentKey('q', ['a']));
  });
});

describe('run engine', () => {
  test('outcomes in input order with progress; a failure is a line with "error", not stored, retried', async () => {
    await withDir(async (dir) => {
      const store = new ResultCache(join(dir, 'store.jsonl'));
      const flaky = new ScriptedCritic('c', { failOn: 'Problem 3', delayMs: 1 });
      const critics = [{ id: 'c', identity: 'ident', critic: flaky }];
      const seen: RunCounts[] = [];
      const first = await collect(
        runItems(items(6), { critics, concurrency: 3, store, total: 6, onProgress: (c) => seen.push(c) }),
      );
      assert.deepEqual(
        first.map((o) => o.position),
        [0, 1, 2, 3, 4, 5],
      );
      assert.deepEqual(first[3].records, [
        {
          id: 'q3',
          subset: 's',
          label: -1,
          prediction: null,
          critic: 'c',
          scores: null,
          error: 'server said 500 on "Problem 3"',
        },
      ]);
      assert.deepEqual(first[3].failures, [{ critic: 'c', message: 'server said 500 on "Problem 3"' }]);
      assert.deepEqual({ ...seen.at(-1), elapsedMs: 0 }, { total: 6, done: 6, cached: 0, failed: 1, elapsedMs: 0 });
      assert.equal((await readFile(store.file, 'utf8')).trim().split('\n').length, 5, 'the failure is not stored');
      const again = await collect(runItems(items(6), { critics, concurrency: 3, store }));
      assert.equal(flaky.calls, 7, 'the re-run asks only about the failed item');
      assert.deepEqual(
        again.map((o) => o.cached),
        [true, true, true, false, true, true],
      );
    });
  });

  test('cancel: what finished is stored, cut-short items are neither failures nor misses; a new run resumes', async () => {
    await withDir(async (dir) => {
      const store = new ResultCache(join(dir, 'store.jsonl'));
      const slow = new ScriptedCritic('slow', { delayMs: 15 });
      const controller = new AbortController();
      const critics = [{ id: 'slow', identity: 'ident', critic: slow }];
      const outcomes: ItemOutcome[] = [];
      for await (const o of runItems(items(30), { critics, concurrency: 2, signal: controller.signal, store })) {
        outcomes.push(o);
        if (outcomes.length === 4) controller.abort();
      }
      const finished = outcomes.filter((o) => !o.cancelled);
      const cut = outcomes.filter((o) => o.cancelled);
      assert.ok(finished.length >= 4 && finished.length < 30);
      assert.ok(
        cut.every((o) => o.records.length === 0 && o.failures.length === 0),
        'cancelled work is not recorded',
      );
      const stored = (await readFile(store.file, 'utf8')).trim().split('\n').length;
      assert.equal(stored, finished.length);
      const before = slow.calls;
      const reopened = new ResultCache(store.file);
      await reopened.load();
      const resumed = await collect(runItems(items(30), { critics, concurrency: 4, store: reopened }));
      assert.equal(resumed.filter((o) => !o.cancelled && o.records.length === 1).length, 30);
      assert.equal(slow.calls - before, 30 - finished.length, 'only the items not finished before are asked');
    });
  });

  test('a loaded store resumes exactly the missing items', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'store.jsonl');
      const critic = new ScriptedCritic('c');
      const critics = [{ id: 'c', identity: 'ident', critic }];
      await collect(runItems(items(10), { critics, concurrency: 2, store: new ResultCache(file) }));
      const reopened = new ResultCache(file);
      await reopened.load();
      const outcomes = await collect(runItems(items(12), { critics, concurrency: 2, store: reopened }));
      assert.equal(critic.calls, 12);
      assert.equal(outcomes.filter((o) => o.cached).length, 10);
    });
  });
});

describe('counting records for the progress total', () => {
  test('JSON lines: non-blank lines; JSON array: top-level elements, whatever strings and nesting hold', async () => {
    await withDir(async (dir) => {
      const lines = join(dir, 'a.jsonl');
      await writeFile(lines, `${line(0, -1)}\n\n  \n${line(1, 1)}\n${line(2, -1)}`);
      assert.equal(await countRecords(lines), 3);
      const array = join(dir, 'a.json');
      await writeFile(
        array,
        JSON.stringify(
          [{ id: 'a', steps: ['x, y', '[1, {2}]'], s: 'quote \\" ], [' }, { id: 'b', steps: [] }, [1, [2, 3]]],
          null,
          2,
        ),
      );
      assert.equal(await countRecords(array), 3);
      const empty = join(dir, 'empty.json');
      await writeFile(empty, ' [ ] ');
      assert.equal(await countRecords(empty), 0);
    });
  });
});

describe('failures in results files and metrics', () => {
  const rec = (id: string, subset: string, label: number, prediction: number | null, error?: string): ResultRecord => ({
    id,
    subset,
    label,
    prediction,
    critic: 'c',
    scores: null,
    ...(error ? { error } : {}),
  });

  test('failure lines round-trip; an "error" with a prediction is rejected', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'r.jsonl');
      const records = [rec('a', 's', -1, -1), rec('b', 's', 1, null, 'timeout')];
      await writeResultsAtomic(file, records);
      assert.equal(
        (await readFile(file, 'utf8')).split('\n')[1],
        '{"id":"b","subset":"s","label":1,"prediction":null,"critic":"c","scores":null,"error":"timeout"}',
      );
      const read: ResultRecord[] = [];
      for await (const r of readResults(file, { onIssue: (i) => assert.fail(i.message) })) read.push(r);
      assert.deepEqual(read, records);
      await assert.rejects(
        writeResultsAtomic(file, [{ ...rec('x', 's', 1, 2), error: 'no' }]),
        /error: a failed item has prediction and scores null/,
      );
    });
  });

  test('metrics count failures apart per subset and leave them out of the accuracies', () => {
    const report = computeMetrics([
      rec('a', 's', -1, -1),
      rec('b', 's', 1, 1),
      rec('c', 's', 1, null, 'timeout'),
      rec('d', 't', 0, 0),
      rec('e', 't', -1, null, 'x'),
    ]);
    assert.deepEqual(report.subsets.s, {
      n_error: 1,
      n_correct: 1,
      acc_error: 100,
      acc_correct: 100,
      f1: 100,
      n_failed: 1,
    });
    assert.deepEqual(report.subsets.t, {
      n_error: 1,
      n_correct: 0,
      acc_error: 100,
      acc_correct: null,
      f1: null,
      n_failed: 1,
    });
    const table = formatMetricsTable(report);
    assert.match(table, /subset\s+n_error\s+n_correct\s+n_failed\s+acc_error/);
    assert.match(table, /^s\s+1\s+1\s+1\s+100\.0\s+100\.0\s+100\.0$/m);
    assert.match(table, /left out of acc_error, acc_correct and F1 \(not misses\)/);
    assert.doesNotMatch(
      formatMetricsTable(computeMetrics([rec('a', 's', -1, -1)])),
      /n_failed/,
      'no failures, no column',
    );
    assert.equal(computeMetrics([rec('a', 's', -1, -1)]).subsets.s.n_failed, undefined);
  });
});
