import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bestOfNReport } from '../../src/core/bon/curves';
import { prepareBon } from '../../src/core/bon/prepare';
import type { BonProblem, BonSample } from '../../src/core/bon/types';
import type { BonRecord } from '../../src/core/datasets/bon-samples';
import type { ResultRecord } from '../../src/core/datasets/types';
import { metricsWithCi } from '../../src/core/metrics/bootstrap';
import { seededRandom } from '../../src/core/util/random';
import { LatestOnly } from '../../src/extension/webviews/latestOnly';
import { StatsWorker } from '../../src/extension/webviews/statsJobs';
import { isMetricsState, isMetricsToHost } from '../../src/protocol/messages';
import {
  bonCurvesView,
  defaultScore,
  pickShare,
  scoreChoices,
  scoreNames,
  selectorKind,
} from '../../src/views/bonCurves';
import { collectBon, mostSamples, type BonData } from '../../src/views/bonData';
import { problemSelectors, problemView } from '../../src/views/bonProblem';
import { withSolutionTexts } from '../../src/views/bonProblemText';
import { metricsIntervals } from '../../src/views/metricsIntervals';
import { metricsCsv, metricsMarkdown } from '../../src/views/metricsTable';
import { buildMetricsModel } from '../../src/views/metricsView';

const sample = (answer: string | null, correct: boolean, scores: Record<string, number> = {}): BonSample => ({
  answer,
  correct,
  scores,
});

/** Random problems: answers 0..3 (0 is right), a score that favours the right answer a little. */
function randomProblems(count: number, size: (i: number) => number, seed = 1): BonProblem[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `p${i}`,
    subset: i % 3 === 0 ? 'hard' : 'easy',
    samples: Array.from({ length: size(i) }, () => {
      const a = Math.floor(random() * 4);
      const none = random() < 0.1;
      return sample(none ? null : String(a), !none && a === 0, {
        prm_score: Math.round((random() + (a === 0 ? 0.3 : 0)) * 8) / 8,
      });
    }),
  }));
}

const dataOf = (problems: BonProblem[]): BonData => ({
  problems,
  ids: problems.map((p) => p.samples.map((_, k) => `${p.id}#${k}`)),
});

describe('best-of-n curves and picks', () => {
  test("the view's curves are the CLI's report for the same seed, in its order", () => {
    const problems = randomProblems(150, (i) => 3 + (i % 6)); // uneven sizes: padding to N = 8
    const view = bonCurvesView(dataOf(problems), { resamples: 50 });
    const report = bestOfNReport(problems, { scores: ['prm_score'], seed: 0 });
    assert.deepEqual(view.n, report.n);
    assert.equal(view.samplesPerProblem, 8);
    assert.deepEqual(
      view.series.map((s) => s.selector),
      Object.keys(report.curves),
    );
    for (const s of view.series) assert.deepEqual(s.values, report.curves[s.selector], s.selector);
  });

  test("a problem's pick share is its best-of-N expectation with every sample in the subset", () => {
    const problems = randomProblems(40, (i) => 2 + (i % 5));
    for (const p of problems) {
      const n = p.samples.length;
      const alone = bestOfNReport([p], { scores: ['prm_score'], n: [n] });
      const share = pickShare(p, 'prm_score');
      const answered = p.samples.some((s) => s.answer !== null);
      if (!answered) assert.equal(share, null);
      else assert.ok(Math.abs(share! * 100 - alone.curves['best:prm_score'][0]) < 1e-9, p.id);
    }
    const tie: BonProblem = {
      id: 't',
      subset: 's',
      samples: [sample('1', true, { x: 1 }), sample('2', false, { x: 1 })],
    };
    assert.equal(pickShare(tie, 'x'), 0.5);
    assert.equal(pickShare(tie, 'missing'), null);
  });
});

describe('best-of-n curves view', () => {
  const data = dataOf(randomProblems(60, () => 8));

  test('pass, random, majority, then the chosen score: values inside their bands, a band for every n', () => {
    const view = bonCurvesView(data, { resamples: 200 });
    assert.equal(view.score, 'prm_score');
    assert.deepEqual(
      view.series.map((s) => [s.selector, s.kind]),
      [
        ['pass', 'pass'],
        ['random', 'random'],
        ['majority', 'majority'],
        ['best:prm_score', 'best'],
        ['weighted:prm_score', 'weighted'],
      ],
    );
    assert.deepEqual(view.n, [1, 2, 4, 8]);
    for (const s of view.series) {
      assert.equal(s.values.length, 4);
      s.values.forEach((v, j) => assert.ok(s.lo[j] <= v + 1e-9 && v <= s.hi[j] + 1e-9, `${s.selector} n=${view.n[j]}`));
      assert.ok(
        s.hi.some((hi, j) => hi - s.lo[j] > 1),
        `${s.selector} has bands wider than a point`,
      );
    }
    // pass@n grows with n
    const pass = view.series[0].values;
    assert.ok(pass.every((v, j) => j === 0 || v >= pass[j - 1]));
    // at n = 1 every selector is one random sample (votes over 8 one-subsets are enumerated: exact)
    for (const s of view.series) assert.ok(Math.abs(s.values[0] - pass[0]) < 1e-9, s.selector);
  });

  test('prepared once and kept: the same view for every score as preparing each time', () => {
    const problems = randomProblems(30, () => 6).map((p) => ({
      ...p,
      samples: p.samples.map((s, k) => ({ ...s, scores: { ...s.scores, orm_score: (k * 7) % 5 } })),
    }));
    const data = dataOf(problems);
    const prepared = prepareBon(problems);
    for (const score of ['prm_score', 'orm_score']) {
      const kept = bonCurvesView(data, { score, resamples: 40 }, prepared);
      const fresh = bonCurvesView(data, { score, resamples: 40 });
      assert.deepEqual({ ...kept, computeMs: 0 }, { ...fresh, computeMs: 0 }, score);
    }
  });

  test('without bands: the same curves and problem list at once, lo and hi at the values, the bands pending', () => {
    const data = dataOf(randomProblems(40, () => 6));
    const banded = bonCurvesView(data, { resamples: 60 });
    const lines = bonCurvesView(data, { resamples: 60, bands: false });
    assert.equal(banded.bandsPending, undefined);
    assert.equal(lines.bandsPending, true);
    assert.deepEqual(
      lines.series.map((s) => s.values),
      banded.series.map((s) => s.values),
    );
    for (const s of lines.series) assert.deepEqual([s.lo, s.hi], [s.values, s.values], s.selector);
    assert.ok(
      banded.series.some((s) => s.lo.some((lo, j) => lo < s.values[j])),
      'the banded view has real bands',
    );
    const rest = (v: typeof lines) => ({ ...v, series: [], computeMs: 0, bandsPending: undefined });
    assert.deepEqual(rest(lines), rest(banded));
  });

  test('seeded: the same seed gives the same bands, another seed other bands', () => {
    const a = bonCurvesView(data, { resamples: 100, seed: 4 });
    const b = bonCurvesView(data, { resamples: 100, seed: 4 });
    const c = bonCurvesView(data, { resamples: 100, seed: 5 });
    assert.deepEqual(a.series, b.series);
    assert.notDeepEqual(
      a.series.map((s) => s.lo),
      c.series.map((s) => s.lo),
    );
  });

  test('problems that all behave alike give a band of zero width', () => {
    const same = dataOf(
      Array.from({ length: 10 }, (_, i) => ({
        id: `q${i}`,
        subset: 's',
        samples: [sample('1', true, { prm_score: 0.9 }), sample('2', false, { prm_score: 0.1 })],
      })),
    );
    const view = bonCurvesView(same, { resamples: 50 });
    for (const s of view.series) assert.deepEqual(s.lo, s.hi);
    assert.deepEqual(view.series.find((s) => s.selector === 'best:prm_score')!.values, [50, 100]);
    assert.ok(view.problemList.every((p) => p.pickCorrect === 1 && p.samples === 2 && p.correct === 1));
  });

  test('without any score only the baselines are drawn; the problem list says nothing of a pick', () => {
    const bare = dataOf(
      randomProblems(5, () => 4).map((p) => ({ ...p, samples: p.samples.map((s) => ({ ...s, scores: {} })) })),
    );
    const view = bonCurvesView(bare, { resamples: 20 });
    assert.equal(view.score, null);
    assert.deepEqual(
      view.series.map((s) => s.selector),
      ['pass', 'random', 'majority'],
    );
    assert.ok(view.problemList.every((p) => p.pickCorrect === null));
  });

  test('score choices: per-solution fields first, then critics with their aggregations; the default', () => {
    const problems: BonProblem[] = [
      {
        id: 'a',
        subset: 's',
        samples: [sample('1', true, { 'prm/min': 0.2, 'prm/last': 0.3, orm_score: 0.5, 'a/b': 1 })],
      },
    ];
    const choices = scoreChoices(scoreNames(problems));
    assert.deepEqual(choices, [
      { name: 'a/b', source: 'a/b', aggregation: null },
      { name: 'orm_score', source: 'orm_score', aggregation: null },
      { name: 'prm/last', source: 'prm', aggregation: 'last' },
      { name: 'prm/min', source: 'prm', aggregation: 'min' },
    ]);
    assert.equal(defaultScore(choices, null), 'a/b');
    assert.equal(defaultScore(choices, 'prm/last'), 'prm/last');
    assert.equal(defaultScore(choices, 'gone'), 'a/b');
    assert.equal(defaultScore(choices.slice(2), null), 'prm/min');
    assert.equal(defaultScore([], null), null);
    assert.equal(selectorKind('weighted:prm/min'), 'weighted');
    assert.equal(selectorKind('majority'), 'majority');
  });
});

describe('best-of-n data from records and results', () => {
  const record = (problem: string, id: string, answer: string | null, correct: boolean, scores = {}): BonRecord => ({
    problem,
    subset: 'math',
    id,
    sample: sample(answer, correct, scores),
  });
  const result = (id: string, critic: string, scores: number[], prediction: number): ResultRecord => ({
    id,
    subset: 'math',
    label: -1,
    prediction,
    critic,
    scores,
  });

  test('groups by problem, keeps each solution id, joins step scores by id, and leaves the records as read', () => {
    const records = [
      record('p1', 'a', '1', true, { prm_score: 0.5 }),
      record('p2', 'b', '2', false),
      record('p1', 'c', '3', false),
    ];
    const data = collectBon(records, [result('a', 'chk', [0.9, 0.2, 0.8], 1), result('zz', 'chk', [1], -1)]);
    assert.deepEqual(
      data.problems.map((p) => p.id),
      ['p1', 'p2'],
    );
    assert.deepEqual(data.ids, [['a', 'c'], ['b']]);
    const joined = data.problems[0].samples[0];
    assert.equal(joined.scores['chk/min'], 0.2);
    assert.equal(joined.scores['chk/last'], 0.8);
    assert.equal(joined.scores.prm_score, 0.5);
    assert.deepEqual(joined.processError, { chk: true });
    assert.deepEqual(joined.lowestStep, { chk: 'earlier' });
    assert.deepEqual(records[0].sample.scores, { prm_score: 0.5 }, 'the read record is unchanged');
    assert.equal(collectBon(records, []).problems[0].samples[0].scores['chk/min'], undefined);
    assert.equal(mostSamples(data), 2);
  });
});

describe('problem view', () => {
  // Answers: "1/2" three times (two spellings), "3" twice, one without an answer.
  const problem: BonProblem = {
    id: 'p',
    subset: 'math',
    samples: [
      sample('3', false, { s: 0.9 }),
      sample('\\frac{1}{2}', true, { s: 0.4 }),
      sample('0.5', true, { s: 0.5 }),
      sample(null, false, { s: 0.99 }),
      sample('3', false, { s: 0.8 }),
      sample('1/2', true, { s: 0.3 }),
    ],
  };
  const data: BonData = { problems: [problem], ids: [problem.samples.map((_, k) => `sol-${k}`)] };
  const text = (id: string) =>
    id === 'sol-3' ? undefined : { problem: 'What is one half?', steps: ['Think.', `Answer of ${id}.`] };

  test('best:<score> ranks by score; the highest answered one is the pick; no answer comes last, never picked', () => {
    const view = withSolutionTexts(problemView(data, 'p', 'best:s'), text);
    assert.deepEqual(
      view.solutions.map((s) => [s.sample, s.rank, s.pick]),
      [
        [0, 1, true],
        [4, 2, false],
        [2, 3, false],
        [1, 4, false],
        [5, 5, false],
        [3, 6, false],
      ],
    );
    assert.equal(view.problem, 'What is one half?');
    assert.equal(view.solutions[0].preview, 'Answer of sol-0.');
    assert.equal(view.solutions.find((s) => s.sample === 3)!.openable, false);
    assert.equal(view.solutions.find((s) => s.sample === 3)!.preview, '(no answer)', 'no dataset item: no text');
    assert.equal(view.solutions.find((s) => s.sample === 3)!.cluster, null);
    assert.deepEqual(
      view.clusters.map((c) => [c.answer, c.count, c.correct, c.pick]),
      [
        ['3', 2, false, true],
        ['\\frac{1}{2}', 3, true, false],
      ],
    );
    assert.ok(Math.abs(view.clusters[1].weight! - 1.2) < 1e-12, 'equivalent spellings are one answer; weights summed');
  });

  test('majority and weighted votes pick the top cluster and list solutions cluster by cluster', () => {
    const majority = problemView(data, 'p', 'majority');
    assert.deepEqual(
      majority.clusters.map((c) => [c.count, c.pick]),
      [
        [3, true],
        [2, false],
      ],
    );
    assert.deepEqual(
      majority.solutions.map((s) => s.sample),
      [1, 2, 5, 0, 4, 3],
    );
    assert.deepEqual(
      majority.solutions.map((s) => s.pick),
      [true, true, true, false, false, false],
    );
    const weighted = problemView(data, 'p', 'weighted:s');
    assert.deepEqual(
      weighted.clusters.map((c) => [c.answer, c.pick]),
      [
        ['3', true],
        ['\\frac{1}{2}', false],
      ],
    );
    assert.deepEqual(weighted.solutions[0].sample, 0);
  });

  test('tied best scores are all picks', () => {
    const tied: BonProblem = {
      id: 't',
      subset: 's',
      samples: [sample('1', true, { s: 1 }), sample('2', false, { s: 1 })],
    };
    const view = withSolutionTexts(
      problemView({ problems: [tied], ids: [['x', 'y']] }, 't', 'best:s'),
      () => undefined,
    );
    assert.deepEqual(
      view.solutions.map((s) => s.pick),
      [true, true],
    );
    assert.equal(view.problem, 't', 'without dataset items the problem id stands for its text');
  });

  test('selectors offered, and clear errors for an unknown problem or selector', () => {
    assert.deepEqual(problemSelectors(data), ['majority', 'best:s', 'weighted:s']);
    assert.throws(() => problemView(data, 'nope', 'majority'), /no problem "nope"/);
    assert.throws(() => problemView(data, 'p', 'best:other'), /cannot rank by "best:other".*majority, best:s/);
  });
});

describe('ProcessBench table intervals', () => {
  const records: ResultRecord[] = Array.from({ length: 80 }, (_, i) => ({
    id: String(i),
    subset: i % 2 ? 'gsm8k' : 'math',
    label: i % 3 === 0 ? -1 : i % 4,
    prediction: i % 5 === 0 ? -1 : i % 4,
    critic: i < 40 ? 'a' : 'b',
    scores: null,
  }));

  test("per critic, the CLI's --ci intervals for the same seed; seeded", () => {
    const iv = metricsIntervals(records, { resamples: 200, seed: 7 });
    assert.deepEqual(Object.keys(iv.critics), ['a', 'b']);
    const cli = metricsWithCi(
      records.filter((r) => r.critic === 'a'),
      { resamples: 200, seed: 7 },
    );
    assert.deepEqual(iv.critics.a.subsets.gsm8k, cli.subsets.gsm8k.ci);
    assert.deepEqual(iv.critics.a.mean, cli.ci.f1_mean);
    assert.deepEqual(iv.critics.a.weighted, cli.ci.f1_weighted);
    assert.deepEqual(metricsIntervals(records, { resamples: 200, seed: 7 }).critics, iv.critics);
    assert.equal(iv.resamples, 200);
    assert.equal(iv.level, 0.95);
    assert.equal(metricsIntervals(records, { resamples: 20 }).seed, 0, 'the panel seed is 0, as the CLI default');
  });
});

describe('metrics protocol additions', () => {
  test('the host accepts the new messages only when well formed', () => {
    assert.ok(isMetricsToHost({ type: 'metrics/bonScore', score: 'prm/min' }));
    assert.ok(isMetricsToHost({ type: 'metrics/problem', problem: 'p1', selector: 'majority' }));
    assert.ok(isMetricsToHost({ type: 'metrics/openSolution', problem: 'p1', sample: 0 }));
    assert.ok(!isMetricsToHost({ type: 'metrics/bonScore' }));
    assert.ok(!isMetricsToHost({ type: 'metrics/problem', problem: 'p1' }));
    assert.ok(!isMetricsToHost({ type: 'metrics/openSolution', problem: 'p1', sample: -1 }));
    assert.ok(!isMetricsToHost({ type: 'metrics/openSolution', problem: 'p1', sample: 1.5 }));
    assert.ok(!isMetricsToHost({ type: 'metrics/openSolution', problem: 3, sample: 1 }));
    assert.ok(isMetricsState({ view: 'metrics', dataset: 'file:///d.jsonl', bonScore: 'prm_score' }));
    assert.ok(!isMetricsState({ view: 'metrics', bonScore: 3 }));
  });
});

describe('LatestOnly', () => {
  test('one job at a time; requests made meanwhile collapse to the newest', async () => {
    const latest = new LatestOnly();
    const ran: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    latest.run(async () => {
      await gate;
      ran.push(1);
    }, onError);
    latest.run(async () => void ran.push(2), onError);
    latest.run(async () => {
      ran.push(3);
      throw new Error('boom');
    }, onError);
    release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(ran, [1, 3]);
    assert.equal((errors[0] as Error).message, 'boom');
  });

  test('requests in steps: each step its own job; a newer request drops the rest and marks the stale result', async () => {
    const latest = new LatestOnly();
    const shown: string[] = [];
    const errors: unknown[] = [];
    const onError = (e: unknown) => errors.push(e);
    const gates = new Map<string, () => void>();
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
    const step = (name: string) => async (current: () => boolean) => {
      await new Promise<void>((resolve) => gates.set(name, resolve));
      if (current()) shown.push(name);
      return true;
    };
    const request = (r: string) => latest.request([step(`${r} curves`), step(`${r} bands`)], onError);
    request('a');
    await tick();
    gates.get('a curves')!();
    await tick();
    gates.get('a bands')!();
    await tick();
    assert.deepEqual(shown, ['a curves', 'a bands']);
    // b's curves are computing when c comes: b's curves are not shown and its bands never start.
    request('b');
    await tick();
    request('c');
    gates.get('b curves')!();
    await tick();
    assert.ok(!gates.has('b bands'));
    gates.get('c curves')!();
    await tick();
    // d comes while c's bands compute: c's bands are dropped; d runs next.
    request('d');
    gates.get('c bands')!();
    await tick();
    gates.get('d curves')!();
    await tick();
    gates.get('d bands')!();
    await tick();
    assert.deepEqual(shown, ['a curves', 'a bands', 'c curves', 'd curves', 'd bands']);
    // A step that returns false ends its request.
    let later = false;
    latest.request([async () => false, async () => (later = true)], onError);
    await tick();
    assert.equal(later, false);
    assert.deepEqual(errors, []);
  });
});

describe('metrics exports with intervals and best-of-n', () => {
  const records: ResultRecord[] = Array.from({ length: 40 }, (_, i) => ({
    id: String(i),
    subset: i % 2 ? 'gsm8k' : 'math',
    label: i % 3 === 0 ? -1 : 1,
    prediction: i % 5 === 0 ? -1 : 1,
    critic: 'c',
    scores: null,
  }));
  const model = buildMetricsModel({ dataset: 'd', records, calibrationSubset: null });
  const intervals = metricsIntervals(records, { resamples: 100 });
  const bon = bonCurvesView(dataOf(randomProblems(10, () => 4)), { resamples: 20 });

  test('CSV: six bound columns, filled for the plain table', () => {
    const lines = metricsCsv(model, { intervals }).trim().split('\n');
    assert.equal(
      lines[0],
      'critic,table,subset,n_error,n_correct,acc_error,acc_correct,f1,threshold,acc_error_lo,acc_error_hi,acc_correct_lo,acc_correct_hi,f1_lo,f1_hi',
    );
    const math = intervals.critics.c.subsets.math;
    const row = lines.find((l) => l.startsWith('c,processbench,math,'))!.split(',');
    assert.deepEqual(row.slice(9).map(Number), [
      math.acc_error!.lo,
      math.acc_error!.hi,
      math.acc_correct!.lo,
      math.acc_correct!.hi,
      math.f1!.lo,
      math.f1!.hi,
    ]);
    const mean = lines.find((l) => l.includes('ProcessBench headline'))!.split(',');
    assert.deepEqual(mean.slice(9), [
      '',
      '',
      '',
      '',
      String(intervals.critics.c.mean!.lo),
      String(intervals.critics.c.mean!.hi),
    ]);
    assert.equal(metricsCsv(model).split('\n')[0].split(',').length, 9, 'without intervals the columns are as before');
  });

  test('Markdown: values with their [lo–hi], and the best-of-n table', () => {
    const md = metricsMarkdown(model, { intervals, bon });
    const f1 = intervals.critics.c.subsets.gsm8k.f1!;
    assert.match(md, new RegExp(`\\| gsm8k \\|.* \\[${f1.lo.toFixed(1)}–${f1.hi.toFixed(1)}\\] \\|$`, 'm'));
    assert.match(md, /^## Best-of-n$/m);
    assert.match(md, /^\| selector \| n=1 \| n=2 \| n=4 \|$/m);
    const best = bon.series.find((s) => s.selector === 'best:prm_score')!;
    assert.ok(md.includes(`| best:prm\\_score | ${best.values[0].toFixed(1)} [${best.lo[0].toFixed(1)}–`));
    assert.doesNotMatch(metricsMarkdown(model), /Best-of-n|\[\d/);
  });
});

describe('stats worker: best-of-N joined once per reading and results', () => {
  // The compiled worker (out/src/…/statsWorker.js) stands in for dist/stats-worker.js, which tests do not build.
  const compiled = path.resolve(__dirname, '..', '..', 'src', 'extension', 'webviews', 'statsWorker.js');

  test('a score change sends no results and gives the curves of sending them; a new reading or array sends them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'prm-lens-stats-'));
    mkdirSync(path.join(dir, 'dist'));
    // A worker that records whether each best-of-N job carried results, then runs the real one.
    writeFileSync(
      path.join(dir, 'dist', 'stats-worker.js'),
      `const { parentPort } = require('node:worker_threads');
const sent = [];
parentPort.on('message', ({ job }) => {
  if (job.kind === 'bon') sent.push(job.results === null ? 'none' : job.results.length);
  if (job.kind === 'problem' && job.problem === 'sent?') parentPort.postMessage({ id: -1, sent });
});
require(${JSON.stringify(compiled)});`,
    );
    const file = path.join(dir, 'samples.jsonl');
    const random = seededRandom(3);
    const lines: string[] = [];
    const results: ResultRecord[] = [];
    for (let p = 0; p < 12; p++) {
      for (let k = 0; k < 5; k++) {
        const given = String(Math.floor(random() * 3));
        const id = `p${p}-${k}`;
        lines.push(JSON.stringify({ id, problem: `P${p}`, answer: '0', given_answer: given, prm_score: random() }));
        const steps = [random(), random(), random()];
        results.push({ id, subset: 'math', label: -1, prediction: -1, critic: 'c', scores: steps });
      }
    }
    writeFileSync(file, lines.join('\n'));
    const stats = new StatsWorker(dir);
    const alive = setInterval(() => undefined, 1000); // the worker is unref'd
    try {
      const first = await stats.bon({ file, reading: 0, results, score: 'c/min', bands: true });
      const lines = await stats.bon({ file, reading: 0, results, score: 'c/last', bands: false });
      const changed = await stats.bon({ file, reading: 0, results, score: 'c/last', bands: true });
      const back = await stats.bon({ file, reading: 0, results, score: 'c/min', bands: true });
      const copy = await stats.bon({ file, reading: 0, results: [...results], score: 'c/last', bands: true });
      const reread = await stats.bon({ file, reading: 1, results, score: 'c/last', bands: true });
      const curves = (o: typeof first) => o.curves && { ...o.curves, computeMs: 0 };
      assert.equal(first.curves?.score, 'c/min');
      assert.equal(changed.curves?.score, 'c/last');
      assert.equal(lines.curves?.bandsPending, true);
      assert.deepEqual(
        lines.curves?.series.map((s) => s.values),
        changed.curves?.series.map((s) => s.values),
      );
      assert.deepEqual(curves(back), curves(first));
      assert.deepEqual(curves(copy), curves(changed));
      assert.deepEqual(curves(reread), curves(changed));
      assert.ok(
        (await stats.problem('P0', 'best:c/last')).solutions.length === 5,
        'the problem view ranks the kept data',
      );
      const sent = new Promise<unknown>((resolve) => {
        const worker = (stats as unknown as { worker: import('node:worker_threads').Worker }).worker;
        worker.on('message', (m: { id: number; sent?: unknown }) => m.id === -1 && resolve(m.sent));
      });
      await stats.problem('sent?', 'majority').catch(() => undefined);
      assert.deepEqual(await sent, [60, 'none', 'none', 'none', 60, 60]);
    } finally {
      clearInterval(alive);
      stats.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
