// The metrics webview: ProcessBench tables per critic and subset, and for scalar critics the threshold sweep with
// the calibrated threshold, the upper bound, and histograms of first-error offsets and minimum-score positions.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import './metrics.css';
import { type ChartConfiguration } from 'chart.js';
import { baseOptions, chart, charts, theme } from './charts';
import type {
  BonCurvesView,
  BonProblemView,
  CalibrationView,
  Interval,
  MetricsIntervals,
  RowIntervals,
  CriticCharts,
  HostToMetrics,
  MetricsModel,
  MetricsRow,
  MetricsState,
  MetricsToHost,
} from '../../src/protocol/messages';
import { h, percent, replace } from '../shared/dom';
import { onHostMessage, vscodeApi } from '../shared/vscode';
import { bonSection, problemSection } from './bon';
import { METRICS_COLUMNS } from '../../src/protocol/messages';

const vscode = vscodeApi<MetricsToHost, MetricsState>();
const app = document.getElementById('app') as HTMLElement;
/** What the host has sent: the table's model, its intervals (for the same version), best-of-n and a problem. */
const current: {
  model: MetricsModel | null;
  message?: string;
  version?: number;
  intervals?: { intervals: MetricsIntervals; version: number };
  bon?: BonCurvesView | null;
  bonMessage?: string;
  problem?: BonProblemView;
} = { model: null };
let dataset: string | undefined;
let calibrationSubset: string | undefined;
/** Moves focus to the problem view once it is drawn (after a person opened it). */
let focusProblem = false;

/** A value with its interval: "81.2 ±2.3" and a small bar of the interval on 0–100 (its bounds in the tooltip). */
function withInterval(value: number | null, interval: Interval | null | undefined): (Node | string)[] {
  if (value === null || !interval) return [percent(value)];
  const half = (interval.hi - interval.lo) / 2;
  const text = `95% interval ${interval.lo.toFixed(1)}–${interval.hi.toFixed(1)}`;
  const clamp = (v: number) => Math.max(0, Math.min(100, v));
  const bar = h(
    'span',
    { class: 'ci-bar', 'aria-hidden': 'true' },
    h('span', {
      class: 'ci-range',
      style: `left:${clamp(interval.lo)}%;width:${clamp(interval.hi) - clamp(interval.lo)}%`,
    }),
    h('span', { class: 'ci-value', style: `left:${clamp(value)}%` }),
  );
  return [percent(value), h('span', { class: 'ci', title: text, 'aria-label': text }, ` ±${half.toFixed(1)}`), bar];
}

/** The intervals of one table row, when they have arrived for the table shown. */
type RowCi = (row: MetricsRow) => RowIntervals | undefined;

function metricsTable(rows: MetricsRow[], thresholds?: Record<string, number | null>, ci?: RowCi): HTMLElement {
  const head = [...METRICS_COLUMNS, ...(thresholds ? ['threshold'] : [])];
  const table = h(
    'table',
    { class: 'metrics' },
    h('thead', {}, h('tr', {}, ...head.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, t)))),
    h(
      'tbody',
      {},
      ...rows.map((r) => {
        const iv = ci?.(r);
        return h(
          'tr',
          { class: r.kind },
          h('th', { scope: 'row' }, r.subset),
          h('td', { class: 'num' }, r.n_error === null ? '' : String(r.n_error)),
          h('td', { class: 'num' }, r.n_correct === null ? '' : String(r.n_correct)),
          h('td', { class: 'num' }, ...(r.kind === 'subset' ? withInterval(r.acc_error, iv?.acc_error) : [''])),
          h('td', { class: 'num' }, ...(r.kind === 'subset' ? withInterval(r.acc_correct, iv?.acc_correct) : [''])),
          h('td', { class: 'num f1' }, ...withInterval(r.f1, iv?.f1)),
          thresholds
            ? h(
                'td',
                { class: 'num' },
                r.kind === 'subset' && thresholds[r.subset] != null ? String(thresholds[r.subset]) : '',
              )
            : null,
        );
      }),
    ),
  );
  return h('div', { class: 'table-scroll' }, table);
}

function sweepChart(c: CalibrationView): HTMLElement {
  const t = theme();
  const xy = (ys: (number | null)[]) => c.sweep.thresholds.map((x, i) => ({ x, y: ys[i] }));
  const best = c.sweep.thresholds.indexOf(c.threshold);
  const others = Object.entries(c.sweep.subsetF1).filter(([s]) => s !== c.calibrationSubset);
  const palette = [t.orange, t.purple, t.yellow, t.muted];
  const base = baseOptions(t, 'threshold (a step is correct when its score is above it)', '%');
  const config: ChartConfiguration<'line' | 'scatter'> = {
    type: 'line',
    data: {
      datasets: [
        {
          label: `F1 (${c.calibrationSubset})`,
          data: xy(c.sweep.f1),
          borderColor: t.blue,
          backgroundColor: t.blue,
          pointRadius: 0,
          borderWidth: 2,
        },
        {
          label: `acc_error (${c.calibrationSubset})`,
          data: xy(c.sweep.accError),
          borderColor: t.red,
          backgroundColor: t.red,
          pointRadius: 0,
          borderWidth: 1.5,
        },
        {
          label: `acc_correct (${c.calibrationSubset})`,
          data: xy(c.sweep.accCorrect),
          borderColor: t.green,
          backgroundColor: t.green,
          pointRadius: 0,
          borderWidth: 1.5,
        },
        ...others.map(([s, f1], k) => ({
          label: `F1 (${s})`,
          data: xy(f1),
          borderColor: palette[k % palette.length],
          backgroundColor: palette[k % palette.length],
          pointRadius: 0,
          borderWidth: 1,
          borderDash: [4, 3],
        })),
        {
          type: 'scatter' as const,
          label: `F1-optimal threshold ${c.threshold}`,
          data: best >= 0 ? [{ x: c.threshold, y: c.sweep.f1[best] }] : [],
          borderColor: t.fg,
          backgroundColor: t.fg,
          pointRadius: 5,
          pointStyle: 'crossRot',
        },
      ],
    },
    options: {
      ...base,
      parsing: false,
      spanGaps: true,
      scales: {
        x: {
          ...base.scales.x,
          type: 'linear',
          min: c.sweep.thresholds[0],
          max: c.sweep.thresholds[c.sweep.thresholds.length - 1],
        },
        y: { ...base.scales.y, min: 0, max: 100 },
      },
    },
  };
  return chart(config as ChartConfiguration, `Threshold sweep of ${c.critic} on ${c.calibrationSubset}`);
}

function barChart(
  labels: string[],
  counts: number[],
  label: string,
  x: string,
  color: string,
  aria: string,
): HTMLElement {
  const t = theme();
  const config: ChartConfiguration<'bar'> = {
    type: 'bar',
    data: { labels, datasets: [{ label, data: counts, backgroundColor: color }] },
    options: { ...baseOptions(t, x, 'items'), plugins: { legend: { display: false } } },
  };
  return chart(config as ChartConfiguration, aria);
}

function offsetSection(c: CriticCharts): HTMLElement {
  const t = theme();
  const o = c.offset;
  const exact = o.counts[Math.floor(o.counts.length / 2)];
  const early = o.counts.slice(0, Math.floor(o.counts.length / 2)).reduce((a, b) => a + b, 0);
  const late = o.counts.slice(Math.floor(o.counts.length / 2) + 1).reduce((a, b) => a + b, 0);
  return h(
    'div',
    { class: 'figure' },
    h('h4', {}, 'First error: predicted − true step (erroneous items)'),
    barChart(
      o.labels,
      o.counts,
      'items',
      'predicted − true first-error index (negative: flagged too early)',
      t.blue,
      `First-error offsets of ${c.critic}`,
    ),
    h(
      'p',
      { class: 'caption' },
      `${o.n} erroneous items: ${exact} exact, ${early} flagged too early, ${late} too late, ${o.missed} missed (no error found), ${o.noPrediction} without a prediction. ${c.falseAlarms} all-correct items were flagged anyway.`,
    ),
  );
}

function minPositionSection(c: CriticCharts): HTMLElement | null {
  const m = c.minPosition;
  if (!m) return null;
  return h(
    'div',
    { class: 'figure' },
    h('h4', {}, 'Where the lowest step score falls'),
    barChart(
      m.labels,
      m.counts,
      'items',
      'position of the minimum score in the solution',
      theme().purple,
      `Minimum-score positions of ${c.critic}`,
    ),
    h(
      'p',
      { class: 'caption' },
      `In ${(m.lastStepShare * 100).toFixed(1)}% of ${m.n} solutions the lowest score is at the last step.`,
    ),
  );
}

/** How many items the metrics cover, and of how many when only part of the dataset has been run. */
function coverage(model: MetricsModel): string {
  const n = model.items.toLocaleString('en-US');
  if (model.datasetItems === null || model.datasetItems <= model.items) return `${n} items`;
  return `results for ${n} of ${model.datasetItems.toLocaleString('en-US')} items (the metrics cover those)`;
}

/** The best-of-n section and the open problem, when the dataset has several solutions per problem. */
function bonParts(): (HTMLElement | null)[] {
  const post = (m: MetricsToHost) => vscode.postMessage(m);
  const { bon, bonMessage, problem } = current;
  if (!bon) return [bonMessage ? h('p', { class: 'warning' }, bonMessage) : null];
  const close = () => {
    current.problem = undefined;
    render();
  };
  return [bonSection(bon, bonMessage, post, render), problem ? problemSection(problem, post, close) : null];
}

/** The intervals of the ProcessBench table rows, once they have arrived for the model shown. */
function rowIntervals(critic: string): ((row: MetricsRow) => RowIntervals | undefined) | undefined {
  const iv = current.intervals;
  if (!iv || iv.version !== current.version) return undefined;
  const c = iv.intervals.critics[critic];
  if (!c) return undefined;
  return (row) =>
    row.kind === 'subset'
      ? c.subsets[row.subset]
      : { acc_error: null, acc_correct: null, f1: row.kind === 'mean' ? c.mean : c.weighted };
}

function intervalsNote(): string {
  const iv = current.intervals;
  if (!iv || iv.version !== current.version) return 'Computing 95% bootstrap intervals…';
  const { resamples, seed, computeMs } = iv.intervals;
  return `± is half the 95% bootstrap interval (items resampled within subset and label, ${resamples.toLocaleString('en-US')} resamples, seed ${seed}; computed off the editor’s thread in ${computeMs.toFixed(0)} ms); the bar under a value shows the interval on 0–100.`;
}

function render(): void {
  for (const c of charts.splice(0)) c.destroy();
  const { model, message } = current;
  if (!model) {
    replace(
      app,
      h('header', { class: 'toolbar' }, h('h1', {}, 'Metrics')),
      h('p', { class: 'empty' }, message ?? 'No results yet.'),
      ...bonParts(),
    );
    finishRender();
    return;
  }
  const exportButton = (text: string, what: 'results' | 'csv' | 'markdown', tip: string) => {
    const b = h('vscode-button', { secondary: true, title: tip }, text);
    b.addEventListener('click', () => vscode.postMessage({ type: 'metrics/export', what }));
    return b;
  };
  const calibration = h('vscode-single-select', {
    'aria-label': 'Calibration subset',
    class: 'calibration',
  }) as HTMLElement & { value: string };
  replace(
    calibration,
    ...model.subsets.map((s) =>
      h('vscode-option', { value: s, ...(s === model.calibrationSubset ? { selected: true } : {}) }, s),
    ),
  );
  calibration.value = model.calibrationSubset ?? '';
  calibration.addEventListener('change', () =>
    vscode.postMessage({ type: 'metrics/calibrate', subset: calibration.value }),
  );

  const sections = model.critics.map((critic) => {
    const cal = model.calibrations.find((c) => c.critic === critic);
    const calError = model.calibrationErrors.find((c) => c.critic === critic);
    const figs = model.charts.find((c) => c.critic === critic);
    return h(
      'section',
      { class: 'critic', 'aria-label': critic, 'data-critic': critic },
      h(
        'h2',
        {},
        critic,
        model.scalarCritics.includes(critic)
          ? h('span', { class: 'kind' }, ' · scalar scores')
          : h('span', { class: 'kind' }, ' · first-error predictions'),
      ),
      metricsTable(
        model.rows.filter((r) => r.critic === critic),
        undefined,
        rowIntervals(critic),
      ),
      cal
        ? h(
            'div',
            { class: 'calibrated' },
            h(
              'h3',
              {},
              `Threshold ${cal.threshold}: F1-optimal on ${cal.calibrationSubset}, applied to every subset (ProcessBench’s protocol)`,
            ),
            sweepChart(cal),
            metricsTable(cal.rows),
            h('h3', {}, 'Each subset at its own optimal threshold — an upper bound, not a fair score'),
            metricsTable(cal.upperBound, cal.perSubsetThreshold),
          )
        : null,
      calError ? h('p', { class: 'warning' }, `Threshold calibration: ${calError.message}`) : null,
      figs ? h('div', { class: 'figures' }, offsetSection(figs), minPositionSection(figs)) : null,
    );
  });

  replace(
    app,
    h(
      'header',
      { class: 'toolbar' },
      h('h1', {}, `Metrics: ${model.dataset}`),
      h(
        'span',
        { class: 'meta' },
        `${coverage(model)} · ${model.critics.length} critic${model.critics.length === 1 ? '' : 's'} · computed in ${model.computeMs.toFixed(1)} ms`,
      ),
      h(
        'span',
        { class: 'actions' },
        exportButton('Results JSONL…', 'results', 'The results in the CLI’s JSONL format'),
        exportButton('CSV…', 'csv', 'Every metrics table as CSV'),
        exportButton('Markdown…', 'markdown', 'The metrics as Markdown tables'),
      ),
    ),
    h(
      'p',
      { class: 'note' },
      'acc_error: % of erroneous solutions whose first error is found exactly; acc_correct: % of all-correct solutions judged all correct; F1: their harmonic mean (ProcessBench). ',
      'Two averages: the plain mean of the subset F1s (the paper’s headline) and the mean weighted by subset size. ',
      h('span', { class: 'intervals-note' }, intervalsNote()),
    ),
    ...bonParts(),
    model.scalarCritics.length ? h('p', { class: 'calibrate-row' }, 'Calibrate scalar critics on ', calibration) : null,
    ...sections,
  );
  finishRender();
}

function finishRender(): void {
  if (!focusProblem) return;
  focusProblem = false;
  const view = app.querySelector<HTMLElement>('.problem-view');
  if (!view) return;
  view.focus({ preventScroll: true });
  // Its top just below the sticky toolbar (whose height depends on the panel's width), measured once the page's
  // custom elements have rendered and settled their sizes.
  requestAnimationFrame(() => {
    const toolbar = app.querySelector('.toolbar')?.getBoundingClientRect().height ?? 0;
    window.scrollBy(0, view.getBoundingClientRect().top - toolbar - 8);
  });
}

function saveState(): void {
  if (!dataset) return;
  vscode.setState({
    view: 'metrics',
    dataset,
    ...(calibrationSubset ? { calibrationSubset } : {}),
    ...(current.bon?.score ? { bonScore: current.bon.score } : {}),
  });
}

// Charts take their colours from the theme: rebuild them when it changes.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

onHostMessage<HostToMetrics>((msg) => {
  switch (msg.type) {
    case 'metrics/model':
      current.model = msg.model;
      current.message = msg.message;
      current.version = msg.version;
      if (msg.dataset) dataset = msg.dataset;
      calibrationSubset = msg.calibrationSubset ?? undefined;
      break;
    case 'metrics/intervals':
      current.intervals = { intervals: msg.intervals, version: msg.version };
      break;
    case 'metrics/bon':
      current.bon = msg.bon;
      current.bonMessage = msg.message;
      if (!msg.bon) current.problem = undefined;
      break;
    case 'metrics/problem':
      current.problem = msg.problem;
      focusProblem = true;
      break;
  }
  saveState();
  render();
});

vscode.postMessage({ type: 'ready' });
