import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultRecord } from '../../src/core/datasets/types';
import { computeMetrics } from '../../src/core/metrics/metrics';
import {
  buildMetricsModel,
  defaultCalibrationSubset,
  minScorePosition,
  OFFSET_CLIP,
  offsetHistogram,
  reportRows,
} from '../../src/views/metricsView';
import { scoredItems } from '../../src/core/metrics/protocol';
import { metricsCsv, metricsMarkdown } from '../../src/views/metricsTable';

const r = (
  id: string,
  subset: string,
  label: number,
  prediction: number | null,
  critic = 'c',
  scores: number[] | null = null,
): ResultRecord => ({ id, subset, label, prediction, critic, scores });

describe('metrics table rows', () => {
  test('one row per subset plus the two named averages', () => {
    const records = [r('1', 'gsm8k', 0, 0), r('2', 'gsm8k', -1, -1), r('3', 'math', 1, 0), r('4', 'math', -1, -1)];
    const rows = reportRows('c', computeMetrics(records));
    assert.deepEqual(
      rows.map((x) => [x.subset, x.kind, x.n_error, x.n_correct, x.acc_error, x.acc_correct, x.f1]),
      [
        ['gsm8k', 'subset', 1, 1, 100, 100, 100],
        ['math', 'subset', 1, 1, 0, 100, 0],
        ['mean of subset F1 (ProcessBench headline)', 'mean', null, null, null, null, 50],
        ['mean weighted by subset size', 'weighted', null, null, null, null, 50],
      ],
    );
  });
});

describe('metrics charts', () => {
  test('offset histogram: early and late detections, misses, no predictions and false alarms counted apart', () => {
    const h = offsetHistogram([
      r('a', 's', 3, 3),
      r('b', 's', 3, 1),
      r('c', 's', 1, 4),
      r('d', 's', 0, 40),
      r('e', 's', 2, -1),
      r('f', 's', 2, null),
      r('g', 's', -1, 2),
      r('h', 's', -1, -1),
    ]);
    const at = (d: number) => h.counts[d + OFFSET_CLIP];
    assert.equal(h.labels.length, 2 * OFFSET_CLIP + 1);
    assert.equal(h.labels[0], `≤-${OFFSET_CLIP}`);
    assert.equal(h.labels[OFFSET_CLIP], '0');
    assert.equal(h.labels[OFFSET_CLIP + 1], '+1');
    assert.equal(at(0), 1);
    assert.equal(at(-2), 1);
    assert.equal(at(3), 1);
    assert.equal(at(OFFSET_CLIP), 1, 'a far-off prediction falls into the end bin');
    assert.deepEqual([h.missed, h.noPrediction, h.falseAlarms, h.n], [1, 1, 1, 6]);
    assert.equal(h.counts.reduce((a, b) => a + b, 0) + h.missed + h.noPrediction, h.n);
  });

  test('minimum-score position: tenths of the solution and the share at the last step', () => {
    const m = minScorePosition([
      { subset: 's', label: -1, scores: [0.9, 0.8, 0.1] },
      { subset: 's', label: 0, scores: [0.1, 0.8, 0.9] },
      { subset: 's', label: -1, scores: [0.5] },
      { subset: 's', label: 1, scores: [0.9, 0.2, 0.2, 0.9, 0.9] },
    ]);
    assert.equal(m.n, 4);
    assert.equal(m.lastStepShare, 0.5);
    assert.equal(m.counts[9], 2, 'last steps (and one-step solutions) land in the last bin');
    assert.equal(m.counts[0], 1);
    assert.equal(m.counts[2], 1, 'the first of equal minima counts: step 1 of 0..4 is 25%');
    assert.equal(m.labels[0], '0–10%');
  });

  test('a critic is scalar only when every result has scores', () => {
    assert.equal(scoredItems([r('a', 's', 0, 0, 'c', [0.2]), r('b', 's', -1, -1, 'c', null)]), undefined);
    assert.equal(scoredItems([]), undefined);
    assert.deepEqual(scoredItems([r('a', 's', 0, 0, 'c', [0.2])]), [{ subset: 's', label: 0, scores: [0.2] }]);
  });

  test('failed items leave the sweep and the offset histogram, as they leave the accuracies', () => {
    const failed = { ...r('b', 's', -1, null, 'c', null), error: 'HTTP 500' };
    assert.deepEqual(scoredItems([r('a', 's', 0, 0, 'c', [0.2]), failed]), [{ subset: 's', label: 0, scores: [0.2] }]);
    const h = offsetHistogram([r('a', 's', 0, 0), { ...r('b', 's', 2, null), error: 'timeout' }]);
    assert.equal(h.n, 1);
    assert.equal(h.noPrediction, 0);
  });

  test('calibration subset: the requested one, else gsm8k in any case, else the first by name', () => {
    assert.equal(defaultCalibrationSubset(['math', 'GSM8K'], null), 'GSM8K');
    assert.equal(defaultCalibrationSubset(['math', 'gsm8k'], 'math'), 'math');
    assert.equal(defaultCalibrationSubset(['olympiad', 'math'], 'missing'), 'math');
    assert.equal(defaultCalibrationSubset([], null), null);
  });
});

/** A scalar critic whose scores drop at the true first error: perfectly separable at thresholds in [0.3, 0.7). */
function scalarRecords(): ResultRecord[] {
  const out: ResultRecord[] = [];
  for (const subset of ['gsm8k', 'math']) {
    for (let k = 0; k < 6; k++) {
      const label = k % 3 === 0 ? -1 : k % 3;
      const scores = [0.9, 0.8, 0.75, 0.8].map((s, i) => (label >= 0 && i >= label ? 0.3 : s));
      out.push(r(`${subset}-${k}`, subset, label, null, 'prm', scores));
      out.push(r(`${subset}-${k}`, subset, label, label === 1 ? 1 : -1, 'checker'));
    }
  }
  return out;
}

describe('metrics model', () => {
  test('tables for every critic; sweep, calibrated threshold and upper bound for the scalar one', () => {
    const model = buildMetricsModel({ dataset: 'demo.jsonl', records: scalarRecords(), calibrationSubset: null });
    assert.deepEqual(model.critics, ['prm', 'checker']);
    assert.deepEqual(model.scalarCritics, ['prm']);
    assert.deepEqual(model.subsets, ['gsm8k', 'math']);
    assert.equal(model.calibrationSubset, 'gsm8k');
    assert.equal(model.items, 12);
    assert.equal(model.datasetItems, null, 'unknown when only results are given');
    assert.equal(
      buildMetricsModel({ dataset: 'demo.jsonl', records: scalarRecords(), calibrationSubset: null, datasetItems: 40 })
        .datasetItems,
      40,
    );
    assert.equal(model.rows.filter((x) => x.critic === 'checker').length, 4);
    const checkerMath = model.rows.find((x) => x.critic === 'checker' && x.subset === 'math')!;
    assert.deepEqual([checkerMath.acc_error, checkerMath.acc_correct], [50, 100]);

    assert.equal(model.calibrations.length, 1);
    const c = model.calibrations[0];
    assert.equal(c.threshold, 0.3, 'the smallest F1-optimal threshold: a score of 0.3 is not above it');
    assert.deepEqual(
      c.rows.filter((x) => x.kind === 'subset').map((x) => [x.subset, x.f1]),
      [
        ['gsm8k', 100],
        ['math', 100],
      ],
    );
    assert.equal(c.sweep.thresholds.length, 101);
    const at = (t: number) => c.sweep.thresholds.indexOf(t);
    assert.equal(c.sweep.f1[at(0.3)], 100);
    assert.equal(
      c.sweep.f1[at(0.9)],
      0,
      'every score is at or below 0.9: step 1 is predicted for every item, which matches no label',
    );
    assert.deepEqual(Object.keys(c.sweep.subsetF1), ['gsm8k', 'math']);
    assert.equal(c.perSubsetThreshold.math, 0.3);

    const prmCharts = model.charts.find((x) => x.critic === 'prm')!;
    assert.ok(prmCharts.minPosition, 'the scalar critic has a minimum-score chart');
    assert.equal(model.charts.find((x) => x.critic === 'checker')!.minPosition, undefined);
    assert.ok(model.computeMs >= 0);
  });

  test('a calibration subset without all-correct cases is reported, not thrown', () => {
    const records = [r('1', 'only-errors', 0, null, 'prm', [0.1, 0.9]), r('2', 'other', -1, null, 'prm', [0.9])];
    const model = buildMetricsModel({ dataset: 'd', records, calibrationSubset: 'only-errors' });
    assert.equal(model.calibrations.length, 0);
    assert.match(model.calibrationErrors[0].message, /Cannot calibrate on "only-errors"/);
  });

  test('CSV: every table, unrounded numbers, quoted text, no spreadsheet formulas from dataset text', () => {
    const records = [
      ...scalarRecords(),
      r('x', '=HYPERLINK("http://evil")', 0, 0, 'checker'),
      r('y', '=HYPERLINK("http://evil")', -1, 0, 'checker'),
    ];
    const csv = metricsCsv(buildMetricsModel({ dataset: 'd', records, calibrationSubset: 'gsm8k' }));
    const lines = csv.trim().split('\n');
    assert.equal(lines[0], 'critic,table,subset,n_error,n_correct,acc_error,acc_correct,f1,threshold');
    assert.ok(lines.includes('checker,processbench,math,4,2,50,100,66.66666666666667,'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('prm,calibrated on gsm8k,math,4,2,100,100,100,0.3')));
    assert.ok(lines.some((l) => l.startsWith('prm,per-subset optimum (upper bound),gsm8k,')));
    assert.ok(
      lines.some((l) => l.includes(`"'=HYPERLINK(""http://evil"")"`)),
      'formula neutralised and quoted',
    );
    assert.ok(!lines.some((l) => /(^|,)=/.test(l)));
  });

  test('Markdown: a table per critic with one-decimal percentages and escaped names', () => {
    const md = metricsMarkdown(
      buildMetricsModel({ dataset: 'demo|set', records: scalarRecords(), calibrationSubset: null }),
    );
    assert.match(md, /^# ProcessBench metrics: demo\\\|set$/m);
    assert.match(md, /^## checker$/m);
    assert.match(md, /^\| math \| 4 \| 2 \| 50\.0 \| 100\.0 \| 66\.7 \|$/m);
    assert.match(md, /^### Threshold 0\.3 \(F1-optimal on gsm8k, applied to every subset\)$/m);
    assert.match(md, /upper bound/);
    assert.match(md, /mean of subset F1 \\\(ProcessBench headline\\\)/);
  });
});

describe('metrics panel with data-named subsets', () => {
  test('a subset named "__proto__" keeps its sweep series and its per-subset threshold', () => {
    const records = [
      r('1', '__proto__', 0, 0, 'prm', [0.2, 0.9]),
      r('2', '__proto__', -1, -1, 'prm', [0.9, 0.8]),
      r('3', 'gsm8k', 1, 1, 'prm', [0.9, 0.1]),
      r('4', 'gsm8k', -1, -1, 'prm', [0.9, 0.9]),
    ];
    const model = buildMetricsModel({ dataset: 'd', records, calibrationSubset: 'gsm8k' });
    const [calibration] = model.calibrations;
    assert.ok(Object.keys(calibration.perSubsetThreshold).includes('__proto__'));
    assert.ok(Object.keys(calibration.sweep.subsetF1).includes('__proto__'));
  });
});
