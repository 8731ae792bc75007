// The metrics webview: ProcessBench tables per critic and subset, and for scalar critics the threshold sweep with
// the calibrated threshold, the upper bound, and histograms of first-error offsets and minimum-score positions.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import './metrics.css';
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartConfiguration,
} from 'chart.js';
import type {
  CalibrationView,
  CriticCharts,
  HostToMetrics,
  MetricsModel,
  MetricsRow,
  MetricsState,
  MetricsToHost,
} from '../../src/protocol/messages';
import { h, percent, replace } from '../shared/dom';
import { onHostMessage, vscodeApi } from '../shared/vscode';

Chart.register(
  LineController,
  LineElement,
  PointElement,
  ScatterController,
  BarController,
  BarElement,
  LinearScale,
  CategoryScale,
  Legend,
  Tooltip,
  Title,
);

const vscode = vscodeApi<MetricsToHost, MetricsState>();
const app = document.getElementById('app') as HTMLElement;
const charts: Chart[] = [];
let current: { model: MetricsModel | null; message?: string } = { model: null };

/** Theme colours for the canvas (charts cannot use CSS variables directly). */
function theme() {
  const css = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  return {
    fg: v('--vscode-foreground', '#ccc'),
    muted: v('--vscode-descriptionForeground', '#999'),
    grid: v('--vscode-panel-border', 'rgba(128,128,128,0.35)'),
    blue: v('--vscode-charts-blue', '#3794ff'),
    red: v('--vscode-charts-red', '#f14c4c'),
    green: v('--vscode-charts-green', '#89d185'),
    yellow: v('--vscode-charts-yellow', '#cca700'),
    orange: v('--vscode-charts-orange', '#d18616'),
    purple: v('--vscode-charts-purple', '#b180d7'),
    font: v('--vscode-font-family', 'sans-serif'),
  };
}

function chart(config: ChartConfiguration, label: string): HTMLElement {
  const canvas = h('canvas', { role: 'img', 'aria-label': label });
  const box = h('div', { class: 'chart' }, canvas);
  // Created once the canvas is in the document (Chart.js measures its container).
  queueMicrotask(() => charts.push(new Chart(canvas, config)));
  return box;
}

function baseOptions(t: ReturnType<typeof theme>, x: string, y: string) {
  Chart.defaults.color = t.fg;
  Chart.defaults.font.family = t.font;
  return {
    animation: false as const,
    responsive: true,
    maintainAspectRatio: false,
    plugins: { legend: { labels: { color: t.fg, boxWidth: 12 } } },
    scales: {
      x: { title: { display: true, text: x, color: t.muted }, grid: { color: t.grid }, ticks: { color: t.muted } },
      y: { title: { display: true, text: y, color: t.muted }, grid: { color: t.grid }, ticks: { color: t.muted } },
    },
  };
}

function metricsTable(rows: MetricsRow[], thresholds?: Record<string, number | null>): HTMLElement {
  const head = [
    'subset',
    'n_error',
    'n_correct',
    'acc_error',
    'acc_correct',
    'F1',
    ...(thresholds ? ['threshold'] : []),
  ];
  const table = h(
    'table',
    { class: 'metrics' },
    h('thead', {}, h('tr', {}, ...head.map((t, i) => h('th', { scope: 'col', class: i ? 'num' : '' }, t)))),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          { class: r.kind },
          h('th', { scope: 'row' }, r.subset),
          h('td', { class: 'num' }, r.n_error === null ? '' : String(r.n_error)),
          h('td', { class: 'num' }, r.n_correct === null ? '' : String(r.n_correct)),
          h('td', { class: 'num' }, r.kind === 'subset' ? percent(r.acc_error) : ''),
          h('td', { class: 'num' }, r.kind === 'subset' ? percent(r.acc_correct) : ''),
          h('td', { class: 'num f1' }, percent(r.f1)),
          thresholds
            ? h(
                'td',
                { class: 'num' },
                r.kind === 'subset' && thresholds[r.subset] != null ? String(thresholds[r.subset]) : '',
              )
            : null,
        ),
      ),
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

function render(): void {
  for (const c of charts.splice(0)) c.destroy();
  const { model, message } = current;
  if (!model) {
    replace(
      app,
      h('header', { class: 'toolbar' }, h('h1', {}, 'Metrics')),
      h('p', { class: 'empty' }, message ?? 'No results yet.'),
    );
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
      metricsTable(model.rows.filter((r) => r.critic === critic)),
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
      'Two averages: the plain mean of the subset F1s (the paper’s headline) and the mean weighted by subset size.',
    ),
    model.scalarCritics.length ? h('p', { class: 'calibrate-row' }, 'Calibrate scalar critics on ', calibration) : null,
    ...sections,
  );
}

// Charts take their colours from the theme: rebuild them when it changes.
new MutationObserver(() => render()).observe(document.body, { attributes: true, attributeFilter: ['class'] });

onHostMessage<HostToMetrics>((msg) => {
  if (msg.type !== 'metrics/model') return;
  current = { model: msg.model, ...(msg.message ? { message: msg.message } : {}) };
  if (msg.dataset)
    vscode.setState({
      view: 'metrics',
      dataset: msg.dataset,
      ...(msg.calibrationSubset ? { calibrationSubset: msg.calibrationSubset } : {}),
    });
  render();
});

vscode.postMessage({ type: 'ready' });
