// Best-of-n in the metrics panel: accuracy-vs-n curves with bootstrap bands (log-scale n), the score picker, the
// curves as a table, the problem list, and one problem's solutions ranked by a selector.
import type { Chart, ChartConfiguration } from 'chart.js';
import type {
  BonCurvesView,
  BonProblemSummary,
  BonProblemView,
  BonSeries,
  MetricsToHost,
} from '../../src/protocol/messages';
import { h, percent, replace, score as formatScore } from '../shared/dom';
import { baseOptions, chart, theme, withAlpha, type Theme } from './charts';

type Post = (message: MetricsToHost) => void;

/** Rows of the problem list shown at once (a filter narrows larger datasets). */
const MAX_PROBLEM_ROWS = 200;

function seriesColor(s: BonSeries, t: Theme): string {
  return { pass: t.green, random: t.muted, majority: t.orange, best: t.blue, weighted: t.purple }[s.kind];
}

/** Selectors hidden by the person (kept across renders: a new score keeps the baselines hidden or shown). */
const hidden = new Set<string>();

/**
 * The legend as buttons (keyboard and screen readers reach them; the canvas has no focusable parts): each shows or
 * hides its selector's line and band together.
 */
function legend(view: BonCurvesView, chartReady: Promise<Chart>): HTMLElement {
  const t = theme();
  return h(
    'ul',
    { class: 'bon-legend', 'aria-label': 'Selectors (press to show or hide)' },
    ...view.series.map((s, k) => {
      const button = h(
        'button',
        { type: 'button', 'aria-pressed': String(!hidden.has(s.selector)), 'data-selector': s.selector },
        h('span', {
          class: `swatch${s.kind === 'pass' || s.kind === 'random' ? ' dashed' : ''}`,
          style: `border-color:${seriesColor(s, t)}`,
        }),
        s.selector,
      );
      button.addEventListener('click', () => {
        const show = hidden.has(s.selector);
        if (show) hidden.delete(s.selector);
        else hidden.add(s.selector);
        button.setAttribute('aria-pressed', String(show));
        void chartReady.then((c) => {
          for (const d of [3 * k, 3 * k + 1, 3 * k + 2]) c.setDatasetVisibility(d, show);
          c.update();
        });
      });
      return h('li', {}, button);
    }),
  );
}

/** The curves: per selector a band (two datasets, the upper filled down to the lower) and its line. */
function curvesChart(view: BonCurvesView, onCreate: (c: Chart) => void): HTMLElement {
  const t = theme();
  const base = baseOptions(t, 'n (solutions sampled per problem, log scale)', 'accuracy of the pick (%)');
  const datasets = view.series.flatMap((s) => {
    const color = seriesColor(s, t);
    const xy = (ys: number[]) => view.n.map((x, i) => ({ x, y: ys[i] }));
    const band = {
      pointRadius: 0,
      borderWidth: 0,
      borderColor: 'transparent',
      band: s.selector,
      hidden: hidden.has(s.selector),
    };
    const dashed = s.kind === 'pass' || s.kind === 'random';
    return [
      { ...band, label: `${s.selector} lower`, data: xy(s.lo), fill: false, backgroundColor: 'transparent' },
      { ...band, label: `${s.selector} upper`, data: xy(s.hi), fill: '-1', backgroundColor: withAlpha(color, 0.16) },
      {
        label: s.selector,
        hidden: hidden.has(s.selector),
        data: xy(s.values),
        borderColor: color,
        backgroundColor: color,
        borderWidth: 2,
        pointRadius: 3,
        fill: false,
        ...(dashed ? { borderDash: [5, 4] } : {}),
      },
    ];
  });
  const config = {
    type: 'line',
    data: { datasets },
    options: {
      ...base,
      parsing: false,
      plugins: {
        ...base.plugins,
        legend: { display: false },
        tooltip: {
          filter: (item: { dataset: { band?: string } }) => item.dataset.band === undefined,
          callbacks: {
            label: (item: { datasetIndex: number; dataIndex: number }) => {
              const s = view.series[Math.floor(item.datasetIndex / 3)];
              const i = item.dataIndex;
              const band = view.bandsPending ? '' : ` (95% ${percent(s.lo[i])}–${percent(s.hi[i])})`;
              return `${s.selector}: ${percent(s.values[i])}%${band}`;
            },
          },
        },
      },
      scales: {
        x: {
          ...base.scales.x,
          type: 'logarithmic',
          min: view.n[0],
          max: view.n[view.n.length - 1],
          afterBuildTicks: (axis: { ticks: { value: number }[] }) => {
            axis.ticks = view.n.map((value) => ({ value }));
          },
          ticks: { ...base.scales.x.ticks, callback: (v: number | string) => String(v) },
        },
        y: { ...base.scales.y, min: 0, max: 100 },
      },
    },
  };
  const lines = view.series.map((s) => `${s.selector} ${percent(s.values[s.values.length - 1])}%`).join(', ');
  return chart(
    config as unknown as ChartConfiguration,
    `Best-of-n accuracy against n from ${view.n[0]} to ${view.n[view.n.length - 1]}; at the largest n: ${lines}. The same numbers are in the table below.`,
    onCreate,
  );
}

/** The curves as a table: the accessible reading of the chart. */
function curvesTable(view: BonCurvesView): HTMLElement {
  return h(
    'details',
    { class: 'bon-table' },
    h('summary', {}, 'Curves as a table (accuracy %, 95% interval)'),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'metrics bon-curves' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'selector'),
            ...view.n.map((n) => h('th', { scope: 'col', class: 'num' }, `n=${n}`)),
          ),
        ),
        h(
          'tbody',
          {},
          ...view.series.map((s) =>
            h(
              'tr',
              { 'data-selector': s.selector },
              h('th', { scope: 'row' }, s.selector),
              ...s.values.map((v, i) =>
                h(
                  'td',
                  { class: 'num' },
                  percent(v),
                  view.bandsPending ? null : h('span', { class: 'ci' }, ` [${percent(s.lo[i])}–${percent(s.hi[i])}]`),
                ),
              ),
            ),
          ),
        ),
      ),
    ),
  );
}

/** Score source (a field or a critic) and, for a critic, its aggregation. */
function scorePicker(view: BonCurvesView, post: Post): HTMLElement | null {
  if (view.scores.length === 0) return null;
  const chosen = view.scores.find((c) => c.name === view.score) ?? view.scores[0];
  const sources = [...new Set(view.scores.map((c) => c.source))];
  const select = (label: string, options: { value: string; text: string }[], value: string) => {
    const el = h('vscode-single-select', { 'aria-label': label, class: 'bon-pick' }) as HTMLElement & {
      value: string;
    };
    replace(
      el,
      ...options.map((o) =>
        h('vscode-option', { value: o.value, ...(o.value === value ? { selected: true } : {}) }, o.text),
      ),
    );
    el.value = value;
    return el;
  };
  const isField = (source: string) => view.scores.some((c) => c.source === source && c.aggregation === null);
  const source = select(
    'Score',
    sources.map((s) => ({ value: s, text: isField(s) ? s : `${s} (step scores)` })),
    chosen.source,
  );
  const aggregations = view.scores.filter((c) => c.source === chosen.source && c.aggregation !== null);
  const aggregation =
    aggregations.length > 0
      ? select(
          'Aggregation',
          aggregations.map((c) => ({ value: c.name, text: c.aggregation! })),
          chosen.name,
        )
      : null;
  source.addEventListener('change', () => {
    const first =
      view.scores.find(
        (c) => c.source === source.value && (c.aggregation === null || c.aggregation === chosen.aggregation),
      ) ?? view.scores.find((c) => c.source === source.value);
    if (first) post({ type: 'metrics/bonScore', score: first.name });
  });
  aggregation?.addEventListener('change', () => post({ type: 'metrics/bonScore', score: aggregation.value }));
  return h(
    'p',
    { class: 'bon-picker' },
    'Best-of-n and weighted vote by ',
    source,
    aggregation ? ' aggregated by ' : null,
    aggregation,
  );
}

type ProblemFilter = 'all' | 'missed' | 'unsolvable';
let problemFilter: ProblemFilter = 'all';

function problemList(view: BonCurvesView, onOpen: (id: string) => void, rerender: () => void): HTMLElement {
  const keep = (p: BonProblemSummary) =>
    problemFilter === 'all' ||
    (problemFilter === 'unsolvable' ? p.correct === 0 : p.correct > 0 && p.pickCorrect !== null && p.pickCorrect < 0.5);
  const shown = view.problemList.filter(keep);
  const filter = h('vscode-single-select', { 'aria-label': 'Problems', class: 'bon-filter' }) as HTMLElement & {
    value: string;
  };
  const options: [ProblemFilter, string][] = [
    ['all', 'All problems'],
    ['missed', 'Pick wrong, a solution right'],
    ['unsolvable', 'No correct solution'],
  ];
  replace(
    filter,
    ...options.map(([v, text]) =>
      h('vscode-option', { value: v, ...(v === problemFilter ? { selected: true } : {}) }, text),
    ),
  );
  filter.value = problemFilter;
  filter.addEventListener('change', () => {
    problemFilter = filter.value as ProblemFilter;
    rerender();
  });
  const pickHead = view.score === null ? null : h('th', { scope: 'col', class: 'num' }, `best:${view.score} pick`);
  const rows = shown.slice(0, MAX_PROBLEM_ROWS).map((p) => {
    const open = h('vscode-button', { secondary: true, title: `Open problem ${p.id}` }, 'Open');
    open.addEventListener('click', () => onOpen(p.id));
    const pick =
      p.pickCorrect === null
        ? null
        : h(
            'td',
            { class: `num ${p.pickCorrect >= 0.5 ? 'good' : 'bad'}` },
            p.pickCorrect === 1
              ? '✓ right'
              : p.pickCorrect === 0
                ? '✗ wrong'
                : `${Math.round(p.pickCorrect * 100)}% right (tie)`,
          );
    return h(
      'tr',
      { 'data-problem': p.id },
      h('th', { scope: 'row', class: 'problem-id' }, p.id),
      h('td', {}, p.subset),
      h('td', { class: 'num' }, String(p.samples)),
      h('td', { class: 'num' }, String(p.answered)),
      h('td', { class: 'num' }, String(p.correct)),
      pick,
      h('td', {}, open),
    );
  });
  return h(
    'div',
    { class: 'bon-problems' },
    h('h3', {}, 'Problems ', filter),
    h(
      'div',
      { class: 'table-scroll' },
      h(
        'table',
        { class: 'metrics problems' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'problem'),
            h('th', { scope: 'col' }, 'subset'),
            h('th', { scope: 'col', class: 'num' }, 'solutions'),
            h('th', { scope: 'col', class: 'num' }, 'answered'),
            h('th', { scope: 'col', class: 'num' }, 'correct'),
            pickHead,
            h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'open')),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    ),
    shown.length > MAX_PROBLEM_ROWS
      ? h('p', { class: 'caption' }, `The first ${MAX_PROBLEM_ROWS} of ${shown.length} problems.`)
      : null,
  );
}

/** The best-of-n section: picker, chart with bands, the table of the curves, the problem list. */
export function bonSection(
  view: BonCurvesView,
  message: string | undefined,
  post: Post,
  rerender: () => void,
): HTMLElement {
  const selector = view.score === null ? 'majority' : `best:${view.score}`;
  let created!: (c: Chart) => void;
  const ready = new Promise<Chart>((resolve) => (created = resolve));
  return h(
    'section',
    { class: 'bon', 'aria-label': 'Best-of-n' },
    h('h2', {}, 'Best-of-n: accuracy of the chosen solution against n'),
    h(
      'p',
      { class: 'caption' },
      `${view.problems} problems · ${view.samplesPerProblem} solutions per problem (fewer: padded with empty slots) · `,
      view.bandsPending
        ? `bands: 95% bootstrap over problems, being computed · curves computed in ${view.computeMs.toFixed(0)} ms`
        : `bands: 95% bootstrap over problems (${view.resamples.toLocaleString('en-US')} resamples, seed ${view.seed}) · ` +
            `computed in ${view.computeMs.toFixed(0)} ms`,
    ),
    message ? h('p', { class: 'warning' }, message) : null,
    scorePicker(view, post),
    h('div', { class: 'bon-chart' }, curvesChart(view, created), legend(view, ready)),
    curvesTable(view),
    problemList(view, (id) => post({ type: 'metrics/problem', problem: id, selector }), rerender),
  );
}

/** One problem: its answer clusters and its solutions ranked by the selector; a solution opens in the editor. */
export function problemSection(view: BonProblemView, post: Post, close: () => void): HTMLElement {
  const rankBy = h('vscode-single-select', { 'aria-label': 'Rank by', class: 'bon-pick' }) as HTMLElement & {
    value: string;
  };
  replace(
    rankBy,
    ...view.selectors.map((s) =>
      h('vscode-option', { value: s, ...(s === view.selector ? { selected: true } : {}) }, s),
    ),
  );
  rankBy.value = view.selector;
  rankBy.addEventListener('change', () => post({ type: 'metrics/problem', problem: view.id, selector: rankBy.value }));
  const closeButton = h('vscode-button', { secondary: true, title: 'Close the problem view' }, 'Close');
  closeButton.addEventListener('click', close);
  const mark = (correct: boolean) => h('span', { class: correct ? 'good' : 'bad' }, correct ? '✓ correct' : '✗ wrong');
  const pick = (on: boolean) => (on ? h('span', { class: 'pick-badge' }, '★ pick') : '');
  const clusters = h(
    'table',
    { class: 'metrics clusters', 'aria-label': 'Answers' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['answer', 'solutions', 'summed score', 'correct', ''].map((t, i) =>
          h('th', { scope: 'col', class: i === 1 || i === 2 ? 'num' : '' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...view.clusters.map((c, k) =>
        h(
          'tr',
          { class: c.pick ? 'pick' : '', 'data-cluster': k },
          h('th', { scope: 'row', class: 'answer' }, c.answer),
          h('td', { class: 'num' }, String(c.count)),
          h('td', { class: 'num' }, c.weight === null ? '—' : c.weight.toFixed(3)),
          h('td', {}, mark(c.correct)),
          h('td', {}, pick(c.pick)),
        ),
      ),
    ),
  );
  const solutions = h(
    'table',
    { class: 'metrics solutions', 'aria-label': 'Solutions' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['rank', 'solution', 'answer', 'score', 'correct', '', 'last step'].map((t, i) =>
          h('th', { scope: 'col', class: i === 0 || i === 3 ? 'num' : '' }, t),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...view.solutions.map((s) => {
        const row = h(
          'tr',
          {
            class: ['solution', s.pick ? 'pick' : '', s.openable ? 'openable' : ''].filter(Boolean).join(' '),
            'data-sample': s.sample,
            ...(s.openable ? { tabindex: 0, title: `Open ${s.id} in the editor with the step inspector` } : {}),
          },
          h('td', { class: 'num' }, String(s.rank)),
          h('th', { scope: 'row', class: 'solution-id' }, s.id),
          h('td', { class: 'answer' }, s.answer ?? '(none)'),
          h('td', { class: 'num' }, formatScore(s.score)),
          h('td', {}, mark(s.correct)),
          h('td', {}, pick(s.pick)),
          h('td', { class: 'preview' }, s.preview),
        );
        if (s.openable) {
          const open = () => post({ type: 'metrics/openSolution', problem: view.id, sample: s.sample });
          row.addEventListener('click', open);
          row.addEventListener('keydown', (e) => {
            if (e.key === 'Enter' || e.key === ' ') {
              e.preventDefault();
              open();
            }
          });
        }
        return row;
      }),
    ),
  );
  const picks = view.solutions.filter((s) => s.pick);
  const pickedAnswers = view.clusters.filter((c) => c.pick);
  const verdict = (all: boolean, some: boolean) => (all ? 'right' : some ? 'partly right (a tie)' : 'wrong');
  const right = `${view.solutions.filter((s) => s.correct).length} of ${view.solutions.length} solutions are correct.`;
  const voting = !view.selector.startsWith('best:');
  const summary =
    picks.length === 0
      ? `${view.selector} picks nothing: no solution has an answer${voting ? '' : ' and this score'}. ${right}`
      : voting
        ? `${view.selector} picks the answer ${pickedAnswers.map((c) => `${c.answer} (${c.count} solutions)`).join(' or ')}: ${verdict(
            pickedAnswers.every((c) => c.correct),
            pickedAnswers.some((c) => c.correct),
          )}. ${right}`
        : `${view.selector} picks ${picks.length === 1 ? 'one solution' : `${picks.length} tied solutions`}: ${verdict(
            picks.every((s) => s.correct),
            picks.some((s) => s.correct),
          )}. ${right}`;
  return h(
    'section',
    { class: 'problem-view', 'aria-label': `Problem ${view.id}`, tabindex: -1 },
    h('h2', {}, `Problem ${view.id}`, h('span', { class: 'kind' }, ` · ${view.subset}`), ' ', closeButton),
    h('p', { class: 'problem-text' }, view.problem),
    h('p', { class: 'bon-picker' }, 'Rank by ', rankBy, h('span', { class: 'caption' }, ` ${summary}`)),
    h('h3', {}, 'Answers'),
    h('div', { class: 'table-scroll' }, clusters),
    h('h3', {}, 'Solutions (click one to open it in the editor with the step inspector)'),
    h('div', { class: 'table-scroll' }, solutions),
  );
}
