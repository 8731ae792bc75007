import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentFile } from '../../src/core/analysis/analyze';
import { CheckerCritic } from '../../src/core/critics/checker';
import type { Critic, CriticInput, CriticResult } from '../../src/core/critics/types';
import { readResults } from '../../src/core/datasets/results';
import { applyFilters, NO_FILTER, subsetCounts, type PredictionTable } from '../../webview/shared/filters';
import { itemResults, searchItems, summarizeItem } from '../../src/views/datasetList';
import { itemHash, textHash } from '../../src/views/hash';
import { EMPTY_STEP, itemDocument } from '../../src/views/itemDocument';
import { sampleIndices } from '../../src/views/sample';
import { scrollToRow, visibleRange } from '../../webview/shared/virtual';
import type { ItemSummary } from '../../src/protocol/messages';
import { ResultCache } from '../../src/core/run/resultCache';
import { DatasetSession, type SessionEvent } from '../../src/views/datasetSession';

const item = (i: number, subset: string, label: number): ItemSummary => ({
  i,
  id: `id-${i}`,
  subset,
  label,
  steps: 3,
  preview: `problem ${i}`,
});

describe('dataset view: filters', () => {
  const items = [
    item(0, 'gsm8k', -1),
    item(1, 'gsm8k', 1),
    item(2, 'math', 0),
    item(3, 'math', -1),
    item(4, 'math', 2),
  ];
  const predictions: PredictionTable = new Map([
    ['checker', [-1, 2, 0, null, undefined]],
    ['prm', [-1, 1, 1, undefined, 2]],
  ]);
  const none = new Set<number>();

  test('no filter keeps every item in order', () => {
    assert.deepEqual(applyFilters(items, predictions, none, NO_FILTER, null), [0, 1, 2, 3, 4]);
  });

  test('subset and ground-truth label', () => {
    assert.deepEqual(applyFilters(items, predictions, none, { ...NO_FILTER, subset: 'math' }, null), [2, 3, 4]);
    assert.deepEqual(applyFilters(items, predictions, none, { ...NO_FILTER, label: 'error' }, null), [1, 2, 4]);
    assert.deepEqual(
      applyFilters(items, predictions, none, { ...NO_FILTER, label: 'correct', subset: 'math' }, null),
      [3],
    );
  });

  test('first error right or wrong per critic; no prediction is wrong; not run is neither', () => {
    assert.deepEqual(
      applyFilters(items, predictions, none, { ...NO_FILTER, critic: 'checker', outcome: 'match' }, null),
      [0, 2],
    );
    assert.deepEqual(
      applyFilters(items, predictions, none, { ...NO_FILTER, critic: 'checker', outcome: 'miss' }, null),
      [1, 3],
    );
    assert.deepEqual(
      applyFilters(items, predictions, none, { ...NO_FILTER, critic: 'checker', outcome: 'unscored' }, null),
      [4],
    );
    assert.deepEqual(
      applyFilters(items, predictions, none, { ...NO_FILTER, critic: 'prm', outcome: 'match' }, null),
      [0, 1, 4],
    );
    assert.deepEqual(
      applyFilters(items, predictions, none, { ...NO_FILTER, critic: 'nobody', outcome: 'miss' }, null),
      [],
    );
  });

  test('disagreements: the items the host marks disputed by the one rule; no prediction and not run abstain', () => {
    const row = (i: number) => ({
      i,
      predictions: [...predictions].flatMap(([critic, column]) => {
        const prediction = column[i];
        return prediction === undefined ? [] : [{ critic, prediction, scores: null }];
      }),
    });
    const marked = itemResults(items.map((it) => row(it.i)));
    assert.deepEqual(
      marked.map((r) => r.disputed),
      [false, true, true, false, false],
    );
    assert.deepEqual(marked[1].predictions, row(1).predictions, 'the predictions are passed on');
    const disputed = new Set(marked.filter((r) => r.disputed).map((r) => r.i));
    assert.deepEqual(applyFilters(items, predictions, disputed, { ...NO_FILTER, disagreement: true }, null), [1, 2]);
    const noPrediction = [
      { critic: 'a', prediction: 2, scores: null },
      { critic: 'b', prediction: null, scores: null },
    ];
    assert.equal(itemResults([{ i: 0, predictions: noPrediction }])[0].disputed, false, 'a step against no prediction');
  });

  test('search hits restrict the list and combine with the other filters', () => {
    assert.deepEqual(
      applyFilters(items, predictions, none, { ...NO_FILTER, subset: 'math' }, new Set([1, 2, 4])),
      [2, 4],
    );
  });

  test('search matches every word anywhere in id, problem or steps, ignoring case', () => {
    const data = [
      { id: 'a', subset: 's', problem: 'Tom has Apples', steps: ['3 + 4 = 7'], label: -1, source: { file: 'f' } },
      { id: 'b', subset: 's', problem: 'Pears', steps: ['apples are red'], label: 0, source: { file: 'f' } },
      { id: 'c-apples', subset: 's', problem: 'x', steps: ['y'], label: 0, source: { file: 'f' } },
    ];
    assert.deepEqual(searchItems(data, 'APPLES'), [0, 1, 2]);
    assert.deepEqual(searchItems(data, 'apples red'), [1]);
    assert.deepEqual(searchItems(data, '  '), [0, 1, 2]);
  });

  test('summaries flatten and shorten the problem; subsets are counted in first-seen order', () => {
    const s = summarizeItem(
      {
        id: 'x',
        subset: 's',
        problem: `  a\n\nb ${'c'.repeat(300)}`,
        steps: ['1', '2'],
        label: 1,
        source: { file: 'f', line: 4 },
      },
      7,
    );
    assert.equal(s.i, 7);
    assert.equal(s.line, 4);
    assert.equal(s.steps, 2);
    assert.ok(s.preview.startsWith('a b ccc'));
    assert.equal(s.preview.length, 160);
    assert.ok(s.preview.endsWith('…'));
    assert.deepEqual(subsetCounts(items), [
      ['gsm8k', 2],
      ['math', 3],
    ]);
  });
});

describe('dataset view: virtualization', () => {
  test('only the visible rows plus overscan are rendered, however long the list', () => {
    const r = visibleRange(28_000, 560, 28, 10_000, 8);
    assert.deepEqual(r, { start: 992, end: 1029, offsetTop: 992 * 28, totalHeight: 280_000 });
    assert.ok(r.end - r.start < 50);
  });

  test('the top, the bottom and an empty list', () => {
    assert.deepEqual(visibleRange(0, 280, 28, 100, 5), { start: 0, end: 16, offsetTop: 0, totalHeight: 2800 });
    const bottom = visibleRange(1e9, 280, 28, 100, 5);
    assert.equal(bottom.end, 100);
    assert.equal(visibleRange(0, 280, 28, 0).end, 0);
  });

  test('scrolling a row into view moves as little as possible', () => {
    assert.equal(scrollToRow(5, 0, 280, 28), 0, 'already visible');
    assert.equal(scrollToRow(20, 0, 280, 28), 21 * 28 - 280, 'below: align to the bottom');
    assert.equal(scrollToRow(2, 200, 280, 28), 56, 'above: align to the top');
  });
});

describe('dataset view: samples and hashes', () => {
  test('a seeded sample is distinct, sorted, in range and repeatable', () => {
    const a = sampleIndices(10_000, 100, 7);
    assert.equal(a.length, 100);
    assert.equal(new Set(a).size, 100);
    assert.deepEqual(
      a,
      [...a].sort((x, y) => x - y),
    );
    assert.ok(a.every((i) => i >= 0 && i < 10_000));
    assert.deepEqual(sampleIndices(10_000, 100, 7), a);
    assert.notDeepEqual(sampleIndices(10_000, 100, 8), a);
    assert.deepEqual(sampleIndices(3, 10), [0, 1, 2]);
  });

  test('item hashes change with the text and with step boundaries', () => {
    assert.equal(itemHash('p', ['a', 'b']), itemHash('p', ['a', 'b']));
    assert.notEqual(itemHash('p', ['a', 'b']), itemHash('p', ['ab']));
    assert.notEqual(itemHash('p', ['a', 'b']), itemHash('p', ['a', 'c']));
    assert.match(textHash('x'), /^[0-9a-f]{8}$/);
  });
});

describe('dataset items as documents', () => {
  test('paragraph segmentation gives back exactly the item’s steps', () => {
    const steps = [
      'Step 1: 3 × 4 = 12',
      '',
      '$$\nx\n\n= 1\n$$',
      '1. a numbered line',
      '## a heading',
      '- a\n- list',
      'The answer is 12.',
    ];
    const doc = itemDocument({ id: 'gsm8k-1', subset: 'gsm8k', problem: 'What is\n\n3 × 4?', steps });
    const { document, segmentation } = segmentFile(doc, { strategy: 'paragraphs' });
    assert.equal(document.problem, 'What is\n3 × 4?');
    assert.deepEqual(
      segmentation.steps.map((s) => s.text),
      [
        'Step 1: 3 × 4 = 12',
        EMPTY_STEP,
        '$$\nx\n= 1\n$$',
        '1. a numbered line',
        '## a heading',
        '- a\n- list',
        'The answer is 12.',
      ],
    );
  });
});

/** A critic that records what it was asked, fails on demand and can be slowed down. */
class FakeCritic implements Critic {
  readonly type = 'fake';
  readonly label = 'fake';
  calls = 0;
  constructor(
    readonly id: string,
    private readonly opts: { failOn?: string; delayMs?: number; scores?: boolean } = {},
  ) {}
  async score(input: CriticInput): Promise<CriticResult> {
    this.calls += 1;
    if (this.opts.delayMs) await new Promise((r) => setTimeout(r, this.opts.delayMs));
    if (this.opts.failOn && input.problem.includes(this.opts.failOn)) throw new Error('endpoint down');
    const steps = input.steps.map((s, i) => ({
      score: this.opts.scores ? 1 - i / 10 : null,
      verdict: s.includes('wrong') ? ('incorrect' as const) : ('correct' as const),
    }));
    const first = steps.findIndex((s) => s.verdict === 'incorrect');
    return { criticId: this.id, steps, firstError: first, timing: { startedAt: 0, durationMs: 1 } };
  }
}

async function withDataset<T>(lines: string[], fn: (file: string, dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'prm-lens-session-'));
  try {
    const file = join(dir, 'demo.jsonl');
    await writeFile(file, `${lines.join('\n')}\n`);
    return await fn(file, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const record = (i: number, label: number, wrongAt = label) =>
  JSON.stringify({
    id: `q${i}`,
    subset: i % 2 ? 'odd' : 'even',
    problem: `Problem ${i}`,
    steps: ['first step', wrongAt === 1 ? 'a wrong step' : 'second step', 'last step'],
    label,
  });

describe('dataset session', () => {
  test('streams items in batches, reports malformed lines with their numbers and keeps going', async () => {
    await withDataset(
      [record(0, -1), '{"broken": ', record(1, 1), '{"id": "x", "problem": "p", "steps": []}', record(2, -1)],
      async (file, dir) => {
        const session = new DatasetSession(file, new ResultCache(join(dir, 'cache.jsonl')));
        const events: SessionEvent['type'][] = [];
        session.on((e) => events.push(e.type));
        await session.loaded;
        assert.equal(session.items.length, 3);
        assert.deepEqual(
          session.summaries.map((s) => s.i),
          [0, 1, 2],
        );
        assert.deepEqual(
          session.issues.map((i) => [i.line, i.field ?? '-']),
          [
            [2, '-'],
            [4, 'steps'],
            [4, 'label'],
          ],
        );
        assert.equal(session.issueCount, 3);
        assert.equal(session.skippedCount, 2, 'two problems of one record skip one record');
        assert.equal(session.formatName, 'ProcessBench');
        assert.ok(
          events.includes('items') && events.includes('issues') && events.at(-1) === 'loaded',
          events.join(','),
        );
      },
    );
  });

  test('runs the checker, caches results, resumes without re-running, and exports the CLI’s format', async () => {
    await withDataset(
      [0, 1, 2, 3].map((i) => record(i, i % 2 ? 1 : -1)),
      async (file, dir) => {
        const cacheFile = join(dir, 'cache.jsonl');
        const session = new DatasetSession(file, new ResultCache(cacheFile));
        const fake = new FakeCritic('fake');
        const checker = new CheckerCritic();
        const progress = await session.run(
          [
            { id: 'fake', config: 'c1', critic: fake },
            { id: 'checker', config: 'k1', critic: checker },
          ],
          [0, 1, 2],
        );
        assert.deepEqual(
          { ...progress, message: undefined },
          { running: false, total: 3, done: 3, cached: 0, failed: 0, message: undefined },
        );
        assert.equal(fake.calls, 3);
        const keys = [
          { id: 'fake', config: 'c1' },
          { id: 'checker', config: 'k1' },
        ];
        assert.deepEqual(
          session
            .predictions(keys)
            .map((p) => [p.i, p.predictions.map((x) => `${x.critic}:${x.prediction}`).join(' ')]),
          [
            [0, 'fake:-1 checker:-1'],
            [1, 'fake:1 checker:-1'],
            [2, 'fake:-1 checker:-1'],
          ],
        );
        // A new run over everything only does item 3; a new session (a reload) finds the cache.
        const again = await session.run([{ id: 'fake', config: 'c1', critic: fake }], [0, 1, 2, 3]);
        assert.equal(again.cached, 3);
        assert.equal(fake.calls, 4);
        const reloaded = new DatasetSession(file, new ResultCache(cacheFile));
        await reloaded.loaded;
        assert.equal(reloaded.records([{ id: 'fake', config: 'c1' }]).length, 4);
        assert.equal(
          reloaded.records([{ id: 'fake', config: 'other-config' }]).length,
          0,
          'a changed critic config does not reuse results',
        );
        // The records are the CLI's results lines: the CLI's reader accepts them.
        const out = join(dir, 'results.jsonl');
        await writeFile(
          out,
          reloaded
            .records(keys)
            .map((r) => JSON.stringify(r))
            .join('\n'),
        );
        const read = [];
        for await (const r of readResults(out, { onIssue: (i) => assert.fail(i.message) })) read.push(r);
        assert.equal(read.length, 7);
        assert.deepEqual(Object.keys(read[0]), ['id', 'subset', 'label', 'prediction', 'critic', 'scores']);
      },
    );
  });

  test('an edited item is re-run: cached results are keyed by content', async () => {
    await withDataset([record(0, -1), record(1, 1)], async (file, dir) => {
      const cacheFile = join(dir, 'cache.jsonl');
      const fake = new FakeCritic('fake');
      await new DatasetSession(file, new ResultCache(cacheFile)).run(
        [{ id: 'fake', config: 'c', critic: fake }],
        [0, 1],
      );
      await writeFile(file, `${record(0, -1)}\n${record(1, 1, 0).replace('Problem 1', 'Problem 1, edited')}\n`);
      const edited = new DatasetSession(file, new ResultCache(cacheFile));
      const p = await edited.run([{ id: 'fake', config: 'c', critic: fake }], [0, 1]);
      assert.equal(p.cached, 1);
      assert.equal(fake.calls, 3);
    });
  });

  test('a failing critic is counted, recorded as a failure line, not cached, and retried by the next run', async () => {
    await withDataset([record(0, -1), record(1, 1)], async (file, dir) => {
      const session = new DatasetSession(file, new ResultCache(join(dir, 'cache.jsonl')));
      const flaky = new FakeCritic('flaky', { failOn: 'Problem 1' });
      const p = await session.run([{ id: 'flaky', config: 'c', critic: flaky }], [0, 1]);
      assert.equal(p.failed, 1);
      assert.match(p.message ?? '', /flaky on q1: endpoint down/);
      const [ok, failed] = session.records([{ id: 'flaky', config: 'c' }]);
      assert.equal(ok.error, undefined);
      const expected = { id: 'q1', subset: 'odd', label: 1, prediction: null, critic: 'flaky', scores: null };
      assert.deepEqual(failed, { ...expected, error: 'endpoint down' });
      assert.equal(session.predictions([{ id: 'flaky', config: 'c' }]).length, 1, 'a failure is not a prediction');
      await session.run([{ id: 'flaky', config: 'c', critic: flaky }], [0, 1]);
      assert.equal(flaky.calls, 3, 'only the failed item is tried again');
    });
  });

  test('cancel stops the run, keeps what finished, and a second run resumes', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => record(i, -1));
    await withDataset(lines, async (file, dir) => {
      const session = new DatasetSession(file, new ResultCache(join(dir, 'cache.jsonl')));
      const slow = new FakeCritic('slow', { delayMs: 15 });
      const all = [...Array(40).keys()];
      const running = session.run([{ id: 'slow', config: 'c', critic: slow }], all, 2);
      while (slow.calls < 6) await new Promise((r) => setTimeout(r, 5));
      assert.equal(session.isRunning, true);
      await assert.rejects(session.run([{ id: 'slow', config: 'c', critic: slow }], all), /already in progress/);
      session.cancel();
      const stopped = await running;
      assert.ok(stopped.done > 0 && stopped.done < 40, `stopped part-way: ${stopped.done}`);
      assert.match(stopped.message ?? '', /cancelled after \d+ of 40 items; run again to resume/);
      const kept = session.records([{ id: 'slow', config: 'c' }]).length;
      assert.equal(kept, stopped.done);
      const cacheLines = (await readFile(join(dir, 'cache.jsonl'), 'utf8')).trim().split('\n').length;
      assert.equal(cacheLines, kept, 'everything finished was written to the cache');
      const resumed = await session.run([{ id: 'slow', config: 'c', critic: slow }], all);
      assert.equal(resumed.cached, kept);
      assert.equal(resumed.done, 40);
    });
  });

  test('reloading after a change on disk re-reads the items, keeps results of unchanged items and waits for a run to stop', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => record(i, -1));
    await withDataset(lines, async (file, dir) => {
      const session = new DatasetSession(file, new ResultCache(join(dir, 'cache.jsonl')));
      await session.loaded;
      const slow = new FakeCritic('slow', { delayMs: 10 });
      const running = session.run([{ id: 'slow', config: 'c', critic: slow }], [...Array(30).keys()], 2);
      while (slow.calls < 4) await new Promise((r) => setTimeout(r, 5));
      const events: SessionEvent['type'][] = [];
      session.on((e) => events.push(e.type));
      // The file is rewritten: item 0 edited, a malformed line and a new item appended.
      await writeFile(
        file,
        [record(0, 1, 1).replace('Problem 0', 'Problem 0, edited'), ...lines.slice(1), '{"oops', record(30, -1)].join(
          '\n',
        ) + '\n',
      );
      const reloading = session.reload();
      const again = session.reload(); // a second change while the first reload is pending joins the queue
      const stopped = await running;
      assert.match(stopped.message ?? '', /cancelled after/, 'the run in progress was cancelled');
      await Promise.all([reloading, again]);
      assert.equal(session.isRunning, false);
      assert.equal(session.items.length, 31);
      assert.equal(session.summaries.length, 31);
      assert.equal(session.items[0].problem, 'Problem 0, edited');
      assert.deepEqual(
        session.issues.map((i) => i.line),
        [31],
      );
      assert.equal(session.reloads, 2);
      assert.equal(events.filter((e) => e === 'reset').length, 2);
      assert.equal(events.at(-1) === 'loaded' || events.at(-1) === 'results', true, events.join(','));
      const kept = session.records([{ id: 'slow', config: 'c' }]);
      // Item 0 finished before the change; its result belongs to the old text, so only the others are kept.
      assert.ok(!kept.some((r) => r.id === 'q0'), 'the edited item has no result: its content changed');
      assert.equal(kept.length, stopped.done - 1);
      const resumed = await session.run([{ id: 'slow', config: 'c', critic: slow }], [...Array(31).keys()]);
      assert.equal(resumed.cached, kept.length);
      assert.equal(resumed.done, 31);
    });
  });

  test('scalar scores are kept only when every step has one', async () => {
    await withDataset([record(0, -1)], async (file, dir) => {
      const session = new DatasetSession(file, new ResultCache(join(dir, 'cache.jsonl')));
      await session.run(
        [
          { id: 'prm', config: 'c1', critic: new FakeCritic('prm', { scores: true }) },
          { id: 'verdicts', config: 'c2', critic: new FakeCritic('verdicts') },
        ],
        [0],
      );
      const [prm, verdicts] = session.records([
        { id: 'prm', config: 'c1' },
        { id: 'verdicts', config: 'c2' },
      ]);
      assert.deepEqual(prm.scores, [1, 0.9, 0.8]);
      assert.equal(verdicts.scores, null);
    });
  });
});

describe('results cache', () => {
  const answer = (prediction: number) => ({ prediction, scores: null });

  test('the last line of a key wins, unreadable lines are skipped, a missing file is an empty cache', async () => {
    await withDataset([], async (_file, dir) => {
      const cache = new ResultCache(join(dir, 'sub', 'cache.jsonl'));
      await cache.load();
      assert.equal(cache.size, 0);
      cache.put('k', 'q1', answer(0));
      cache.put('k', 'q2', answer(0));
      await cache.flush();
      cache.put('k', 'q1', answer(3));
      await cache.flush();
      await writeFile(cache.file, `${await readFile(cache.file, 'utf8')}not json\n{"id": 5}\n`);
      const loaded = new ResultCache(cache.file);
      await loaded.load();
      assert.equal(loaded.size, 2);
      const got = [loaded.get('k', 'q1', 4), loaded.get('k', 'q2', 4), loaded.get('other', 'q1', 4)];
      assert.deepEqual(got, [answer(3), answer(0), undefined]);
    });
  });

  test('appends are batched: answers put in a burst reach the disk in one write', async () => {
    await withDataset([], async (_file, dir) => {
      const cache = new ResultCache(join(dir, 'cache.jsonl'));
      for (let i = 0; i < 50; i++) cache.put('k', `q${i}`, answer(i));
      await assert.rejects(readFile(cache.file, 'utf8'), { code: 'ENOENT' }, 'nothing written before the batch is due');
      await cache.flush();
      assert.equal((await readFile(cache.file, 'utf8')).trim().split('\n').length, 50);
    });
  });

  test('a file mostly made of superseded lines is compacted on load', async () => {
    await withDataset([], async (_file, dir) => {
      const cache = new ResultCache(join(dir, 'cache.jsonl'));
      for (let round = 0; round < 12; round++) {
        for (let i = 0; i < 100; i++) cache.put('k', `q${i}`, answer(round));
        await cache.flush();
      }
      const loaded = new ResultCache(cache.file);
      await loaded.load();
      assert.equal(loaded.size, 100);
      assert.ok(Array.from({ length: 100 }, (_, i) => loaded.get('k', `q${i}`, 12)).every((r) => r?.prediction === 11));
      const lines = (await readFile(cache.file, 'utf8')).trim().split('\n');
      assert.equal(lines.length, 100, 'rewritten with one line per key');
    });
  });
});
