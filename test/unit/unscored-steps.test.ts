import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aggregatedScores, lowestStep } from '../../src/core/bon/aggregate';
import { BonCollector } from '../../src/core/bon/collect';
import { firstErrorAmongScored, judgeScores, recordedScores } from '../../src/core/critics/judgement';
import { outsideScopeReason, scoreInScope } from '../../src/core/critics/scope';
import type { CriticInput, CriticResult, StepJudgement } from '../../src/core/critics/types';
import { readResults, writeResultsAtomic } from '../../src/core/datasets/results';
import type { InputIssue, ResultRecord } from '../../src/core/datasets/types';
import { computeMetrics } from '../../src/core/metrics/metrics';
import { rethreshold, scoredItems } from '../../src/core/metrics/protocol';
import { joinPrmbench } from '../../src/core/metrics/prmbenchResults';
import { sweepThresholds } from '../../src/core/metrics/thresholds';
import { answerOf, buildRecord } from '../../src/core/run/record';
import { ResultCache } from '../../src/core/run/resultCache';
import { minScorePosition } from '../../src/views/metricsView';

// Results lines keep a null score for each step a critic did not score (a scope, a cut input, a greedy stop); every
// reader of `scores` treats such a step as not judged.

async function withDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'prm-lens-unscored-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readAll(file: string): Promise<{ records: ResultRecord[]; issues: InputIssue[] }> {
  const issues: InputIssue[] = [];
  const records: ResultRecord[] = [];
  for await (const r of readResults(file, { onIssue: (i) => issues.push(i) })) records.push(r);
  return { records, issues };
}

const rec = (
  id: string,
  subset: string,
  label: number,
  scores: (number | null)[] | null,
  prediction: number | null = null,
): ResultRecord => ({ id, subset, label, prediction, critic: 'prm', scores });

/** Steps with these scores; a null one is outside the critic's scope (answer), as a scoped PRM leaves it. */
const stepsOf = (...scores: (number | null)[]): StepJudgement[] =>
  scores.map((score) =>
    score === null
      ? { score, verdict: 'unknown', reason: outsideScopeReason('answer') }
      : { score, verdict: 'correct' },
  );

describe('the unscored-step rules (judgement.ts)', () => {
  test('firstErrorAmongScored: first scored step at or below t; -1 when every scored one passes; null if none', () => {
    assert.equal(firstErrorAmongScored([null, null, 0.91, 0.12], 0.5), 3);
    assert.equal(firstErrorAmongScored([null, 0.4, null, 0.1], 0.5), 1);
    assert.equal(firstErrorAmongScored([0.9, null, 0.5], 0.5), 2, 'a tie is an error');
    assert.equal(firstErrorAmongScored([null, 0.8, null], 0.5), -1);
    assert.equal(firstErrorAmongScored([null, null], 0.5), null);
    assert.equal(firstErrorAmongScored([], 0.5), null);
    assert.equal(firstErrorAmongScored([0.9, Number.NaN], 0), 1, 'NaN is never correct');
  });

  test('recordedScores: null per unscored step; null as a whole without scores or with a non-finite one', () => {
    assert.deepEqual(recordedScores({ steps: stepsOf(null, 0.91, 0.12) }, 3), [null, 0.91, 0.12]);
    assert.deepEqual(recordedScores({ steps: stepsOf(0.9, 0.2) }, 2), [0.9, 0.2]);
    assert.equal(recordedScores({ steps: stepsOf(null, null) }, 2), null, 'verdict-only, or nothing scored');
    assert.equal(recordedScores({ steps: stepsOf(null, Number.NaN) }, 2), null, 'NaN would be written as null');
    assert.equal(recordedScores({ steps: stepsOf(0.9) }, 2), null, 'another number of steps');
    assert.equal(recordedScores({ steps: [] }, 0), null);
    // An in-scope step without a score (the input was cut at maxTokens) is unknown: the critic's prediction stands.
    const cut: StepJudgement = { score: null, verdict: 'unknown', reason: 'beyond maxTokens 512: not scored' };
    assert.equal(recordedScores({ steps: [...stepsOf(0.9, 0.8), cut] }, 3), null);
  });
});

describe('a scoped critic’s results line', () => {
  const input: CriticInput = { problem: 'p', steps: ['t1', 't2', 'a1', 'a2'], thinkingSteps: 2 };
  const scorer = async (i: CriticInput): Promise<CriticResult> => ({
    criticId: 'prm',
    ...judgeScores(
      i.steps.map((s) => (s === 'a1' ? 0.91 : 0.12)),
      0.5,
    ),
    timing: { startedAt: 0, durationMs: 1 },
  });

  test('keeps null for the steps outside the scope; round-trips through a results file and the run log', async () => {
    const result = await scoreInScope('prm', input, 'answer', scorer);
    const answer = answerOf(result, 4);
    assert.deepEqual(answer, { prediction: 3, scores: [null, null, 0.91, 0.12] });
    const item = { id: 'x', subset: 's', label: 3 };
    const record = buildRecord(item, 'prm', answer);
    await withDir(async (dir) => {
      const file = join(dir, 'results.jsonl');
      await writeResultsAtomic(file, [record]);
      assert.equal(
        await readFile(file, 'utf8'),
        '{"id":"x","subset":"s","label":3,"prediction":3,"critic":"prm","scores":[null,null,0.91,0.12]}\n',
      );
      assert.deepEqual(await readAll(file), { records: [record], issues: [] });

      const log = join(dir, 'run.jsonl');
      const cache = new ResultCache(log, (m) => assert.fail(m));
      cache.put('prm@1', 'content', answer);
      await cache.flush();
      const reloaded = new ResultCache(log, (m) => assert.fail(m));
      await reloaded.load();
      assert.deepEqual(reloaded.get('prm@1', 'content', 4), answer);
    });
  });

  test('a scope with no step in it gives scores null and no prediction, as before', async () => {
    const result = await scoreInScope('prm', { ...input, thinkingSteps: 0 }, 'thinking', scorer);
    assert.deepEqual(answerOf(result, 4), { prediction: null, scores: null });
  });

  test('the run log skips entries whose scores are not step scores (all null, a string, out of range)', async () => {
    await withDir(async (dir) => {
      const log = join(dir, 'run.jsonl');
      const entry = (scores: unknown) =>
        JSON.stringify({ critic: 'c', content: String(scores), prediction: 0, scores });
      const lines = [[0.5, null], [0.5, 0.2], null, [null, null], [0.5, 'x'], [null, 2]].map(entry);
      await writeFile(log, lines.join('\n') + '\n');
      const skipped: string[] = [];
      const cache = new ResultCache(log, (m) => skipped.push(m));
      await cache.load();
      assert.equal(cache.size, 3, 'with a null step, numbers only (older logs), and no scores');
      assert.match(skipped.join(), /skipped 3 line\(s\)/);
    });
  });
});

describe('reading results files with unscored steps', () => {
  test('old files (numbers only, or null) and new ones read; bad entries are reported by line and field', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'results.jsonl');
      const lines = [
        '{"id":"old","subset":"s","label":-1,"prediction":-1,"critic":"c","scores":[0.9,0.8]}',
        '{"id":"none","subset":"s","label":-1,"prediction":-1,"critic":"c","scores":null}',
        '{"id":"new","subset":"s","label":1,"prediction":1,"critic":"c","scores":[null,0.3]}',
        '{"id":"str","subset":"s","label":1,"prediction":1,"critic":"c","scores":[null,"0.3"]}',
        '{"id":"big","subset":"s","label":1,"prediction":1,"critic":"c","scores":[1e999,0.3]}',
      ];
      await writeFile(file, lines.join('\n') + '\n');
      const { records, issues } = await readAll(file);
      assert.deepEqual(
        records.map((r) => r.scores),
        [[0.9, 0.8], null, [null, 0.3]],
      );
      assert.deepEqual(
        issues.map((i) => [i.file, i.line, i.field, i.message]),
        [
          [file, 4, 'scores[1]', 'expected a finite number or null (not scored), got "0.3"; line skipped'],
          [
            file,
            5,
            'scores[0]',
            'expected a finite number or null (not scored), got 1e999 (out of range); line skipped',
          ],
        ],
      );
    });
  });

  test('a NaN score is refused when writing, never written as null (which means not scored)', async () => {
    await withDir(async (dir) => {
      const file = join(dir, 'out.jsonl');
      await assert.rejects(writeResultsAtomic(file, [rec('n', 's', -1, [0.5, Number.NaN])]), {
        message: `Cannot write result 1 (id "n") to ${file}: scores[1]: expected a finite number or null (not scored), got NaN`,
      });
    });
  });
});

describe('re-thresholding results with unscored steps', () => {
  const failed: ResultRecord = { ...rec('e', 'a', 0, null), error: 'server said 500' };
  // A scoped trace, an answer with its first step unscored, a cut input (last step unscored), a trace with no step
  // in scope (no scores, no prediction) and a failure.
  const RECORDS: ResultRecord[] = [
    rec('t', 'a', 2, [null, null, 0.3, 0.9], 2),
    rec('u', 'a', -1, [null, 0.8, 0.7], -1),
    rec('v', 'a', 0, [0.4, null], 0),
    rec('w', 'a', -1, null, null),
    failed,
  ];
  const predictionsAt = (threshold: number) => rethreshold(RECORDS, { threshold })!.records.map((r) => r.prediction);

  test('hand-computed predictions at three thresholds; a failure keeps its line', () => {
    assert.deepEqual(predictionsAt(0.5), [2, -1, 0, null, null]);
    assert.deepEqual(predictionsAt(0.75), [2, 2, 0, null, null]);
    assert.deepEqual(predictionsAt(0.2), [-1, -1, -1, null, null]);
    assert.deepEqual(rethreshold(RECORDS, { threshold: 0.5 })!.records[4], failed);
  });

  test('the sweep agrees with re-thresholding at every threshold', () => {
    const thresholds = [0.2, 0.5, 0.75];
    const points = sweepThresholds(scoredItems(RECORDS)!, thresholds);
    thresholds.forEach((threshold, k) => {
      const judged = rethreshold(RECORDS, { threshold })!.records.filter((r) => r.error === undefined);
      assert.deepEqual(points[k]!.report, computeMetrics(judged), `threshold ${threshold}`);
    });
  });

  test('calibration treats a null step as not judged', () => {
    // P matches for 0.2 ≤ t (no scored step before its error); Q for t < 0.6; R (nothing scored) and S (its error
    // step unscored) never match. F1 is 50 on [0.2, 0.6) and 0 elsewhere: the smallest best threshold is 0.2.
    const cal = [
      rec('P', 'cal', 1, [null, 0.2, 0.9], 1),
      rec('Q', 'cal', -1, [0.6, null], -1),
      rec('R', 'cal', -1, null, null),
      rec('S', 'cal', 0, [null, 0.1], 1),
    ];
    const r = rethreshold(cal, { calibrateOn: 'cal' })!;
    assert.deepEqual(r.threshold, { value: 0.2, calibrated_on: 'cal' });
    assert.deepEqual(
      r.records.map((x) => x.prediction),
      [1, -1, null, 1],
    );
    assert.equal(computeMetrics(r.records).subsets.cal!.f1, 50);
  });

  test('saved predictions stand for verdict-only critics and for old scoped files (scores null, a prediction)', () => {
    assert.equal(rethreshold([rec('j', 'a', 0, null, 0)], { threshold: 0.5 }), undefined);
    assert.equal(rethreshold([rec('o', 'a', 0, [0.1], 0), rec('j', 'a', 0, null, 0)], { threshold: 0.5 }), undefined);
    assert.equal(rethreshold([rec('w', 'a', -1, null, null)], { threshold: 0.5 }), undefined, 'nothing scored');
  });

  test('the panel’s lowest-step histogram skips unscored steps and solutions without one', () => {
    const h = minScorePosition([
      { subset: 'a', label: -1, scores: [null, 0.9, 0.2] },
      { subset: 'a', label: -1, scores: [0.1, 0.5, null] },
      { subset: 'a', label: -1, scores: [null, null] },
    ]);
    assert.equal(h.n, 2);
    assert.equal(h.lastStepShare, 0.5);
    assert.equal(h.counts[0], 1);
    assert.equal(h.counts[9], 1);
  });
});

describe('best-of-N and PRMBench with unscored steps', () => {
  test('aggregations skip null steps; a solution with no scored step has no aggregate', () => {
    assert.deepEqual(aggregatedScores('c', [null, 0.5, null, 0.2]), {
      'c/min': 0.2,
      'c/product': 0.5 * 0.2,
      'c/last': 0.2,
      'c/mean': (0.5 + 0.2) / 2,
      'c/max': 0.5,
    });
    assert.deepEqual(aggregatedScores('c', [null, null]), {});
    assert.equal(lowestStep([null, 0.5, null, 0.2]), 'final');
    assert.equal(lowestStep([0.2, 0.5, null]), 'earlier', 'the final step is unscored');
  });

  test('joining results: a sample whose steps are all unscored gets only its prediction', () => {
    const collector = new BonCollector(true);
    for (const id of ['x', 'y'])
      collector.add({ problem: 'p', subset: 's', id, sample: { answer: '1', correct: true, scores: {} } });
    assert.ok(collector.addResult({ ...rec('x', 's', -1, [null, 0.6, 0.4]), prediction: 2 }));
    assert.ok(collector.addResult({ ...rec('y', 's', -1, [null, null]), prediction: -1 }));
    const [x, y] = collector.result()[0]!.samples;
    assert.equal(x!.scores['prm/min'], 0.4);
    assert.equal(x!.scores['prm/mean'], 0.5);
    assert.deepEqual(x!.lowestStep, { prm: 'final' });
    assert.deepEqual(y!.scores, {});
    assert.equal(y!.lowestStep, undefined);
    assert.deepEqual(y!.processError, { prm: false });
  });

  test('PRMBench counts a solution with an unscored step as not scored', () => {
    const labels = new Map([['a', { id: 'a', category: 'circular', correct: [true, false], errorsPastEnd: 0 }]]);
    const { items, coverage } = joinPrmbench([rec('a', 's', 1, [null, 0.1])], labels);
    assert.deepEqual(items, []);
    assert.equal(coverage.no_scores, 1);
  });
});
