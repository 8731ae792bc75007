// The dataset webview: a virtualized list of items with filters and search, runs of critics with progress and
// cancel, and the way into the inspector (click or Enter on an item) and the metrics panel.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './dataset.css';
import { applyFilters, NO_FILTER, subsetCounts, type DatasetFilter } from '../shared/filters';
import { scrollToRow, visibleRange } from '../shared/virtual';
import type {
  DatasetToHost,
  HostToDataset,
  IssueSummary,
  ItemSummary,
  RunProgress,
  RunScope,
} from '../../src/protocol/messages';
import { h, isTyping, replace } from '../shared/dom';
import { onHostMessage, vscodeApi } from '../shared/vscode';

interface SavedState {
  filter: DatasetFilter;
  query: string;
}

const vscode = vscodeApi<DatasetToHost, SavedState>();
const app = document.getElementById('app') as HTMLElement;
const ROW_HEIGHT = 28;

type Select = HTMLElement & { value: string };
type Field = HTMLElement & { value: string };
type Check = HTMLElement & { checked: boolean };

const state = {
  name: '',
  format: null as string | null,
  items: [] as ItemSummary[],
  critics: [] as { id: string; label: string }[],
  active: [] as string[],
  predictions: new Map<string, (number | null | undefined)[]>(),
  disputed: new Set<number>(),
  filter: { ...NO_FILTER, ...(vscode.getState()?.filter ?? {}) } as DatasetFilter,
  query: vscode.getState()?.query ?? '',
  hits: null as Set<number> | null,
  view: [] as number[],
  selected: null as number | null,
  loaded: null as { count: number; issueCount: number; ms: number; error?: string } | null,
  issues: [] as IssueSummary[],
  issueTotal: 0,
  skipped: 0,
  progress: undefined as RunProgress | undefined,
  subsetKey: '',
  reloads: 0,
};

// ---------------------------------------------------------------------------------------------------------------
// Layout (built once; parts are updated in place)

const title = h('h1', {});
const meta = h('span', { class: 'meta' });
const metricsButton = h(
  'vscode-button',
  { secondary: true, title: 'ProcessBench metrics, threshold sweeps and charts of the results' },
  'Metrics',
);
const exportButton = h(
  'vscode-button',
  { secondary: true, title: 'Save the results in the CLI’s JSONL format' },
  'Export results…',
);
metricsButton.addEventListener('click', () => vscode.postMessage({ type: 'dataset/metrics' }));
exportButton.addEventListener('click', () => vscode.postMessage({ type: 'dataset/exportResults' }));

function select(label: string, options: [string, string][], value: string, onChange: (v: string) => void): Select {
  const el = h('vscode-single-select', { 'aria-label': label, class: 'select' }) as Select;
  setOptions(el, options, value);
  el.addEventListener('change', () => onChange(el.value));
  return el;
}

function setOptions(el: Select, options: [string, string][], value: string): void {
  replace(
    el,
    ...options.map(([v, text]) => h('vscode-option', { value: v, ...(v === value ? { selected: true } : {}) }, text)),
  );
  el.value = value;
}

const subsetSelect = select('Subset', [['', 'All subsets']], state.filter.subset ?? '', (v) =>
  setFilter({ subset: v || null }),
);
const labelSelect = select(
  'Ground truth',
  [
    ['all', 'Any label'],
    ['error', 'Has an error'],
    ['correct', 'All steps correct'],
  ],
  state.filter.label,
  (v) => setFilter({ label: v as DatasetFilter['label'] }),
);
const criticSelect = select('Critic', [['', 'Any critic']], state.filter.critic ?? '', (v) =>
  setFilter({ critic: v || null }),
);
const outcomeSelect = select(
  'Critic outcome',
  [
    ['all', 'Any outcome'],
    ['match', 'First error right'],
    ['miss', 'First error wrong'],
    ['unscored', 'Not run yet'],
  ],
  state.filter.outcome,
  (v) => setFilter({ outcome: v as DatasetFilter['outcome'] }),
);
const disagreeCheck = h('vscode-checkbox', {
  label: 'Critics disagree',
  ...(state.filter.disagreement ? { checked: true } : {}),
}) as Check;
disagreeCheck.addEventListener('change', () => setFilter({ disagreement: disagreeCheck.checked }));
const searchField = h('vscode-textfield', {
  placeholder: 'Search problems and steps',
  'aria-label': 'Search',
  class: 'search',
  value: state.query,
}) as Field;
let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchField.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => search(searchField.value), 200);
});
const shown = h('span', { class: 'shown', 'aria-live': 'polite' });

const runCritics = h('span', { class: 'run-critics' });
const scopeSelect = select(
  'Run on',
  [
    ['all', 'All items'],
    ['filtered', 'Filtered items'],
    ['sample', 'A sample of'],
  ],
  'all',
  () => updateRunControls(),
);
const sampleField = h('vscode-textfield', {
  value: '100',
  'aria-label': 'Sample size',
  class: 'sample',
  type: 'number',
  min: '1',
}) as Field;
const runButton = h(
  'vscode-button',
  { title: 'Run the chosen critics (items already done are reused from the cache)' },
  'Run',
);
const cancelButton = h(
  'vscode-button',
  { secondary: true, disabled: true, title: 'Stop; what is done is kept and a new run resumes' },
  'Cancel',
);
const progressBar = h('vscode-progress-bar', { class: 'progress', max: '1', value: '0' }) as HTMLElement & {
  value?: number;
  max: number;
};
const progressText = h('span', { class: 'progress-text', 'aria-live': 'polite' });
runButton.addEventListener('click', startRun);
cancelButton.addEventListener('click', () => vscode.postMessage({ type: 'dataset/cancel' }));

const issuesBox = h('details', { class: 'issues', hidden: true });
const listHead = h('div', { class: 'list-head row', role: 'row' });
const spacer = h('div', { class: 'spacer' });
const rows = h('div', { class: 'rows', role: 'rowgroup' });
const viewport = h(
  'div',
  { class: 'viewport', tabindex: 0, role: 'grid', 'aria-label': 'Dataset items', 'aria-multiselectable': 'false' },
  spacer,
  rows,
);
const empty = h('p', { class: 'empty', hidden: true });

replace(
  app,
  h('header', { class: 'toolbar' }, title, meta, h('span', { class: 'actions' }, metricsButton, exportButton)),
  h(
    'section',
    { class: 'filters', 'aria-label': 'Filters' },
    subsetSelect,
    labelSelect,
    criticSelect,
    outcomeSelect,
    disagreeCheck,
    searchField,
    shown,
  ),
  h(
    'section',
    { class: 'run', 'aria-label': 'Run critics' },
    h('span', { class: 'run-label' }, 'Run'),
    runCritics,
    h('span', {}, 'on'),
    scopeSelect,
    sampleField,
    runButton,
    cancelButton,
    progressBar,
    progressText,
  ),
  issuesBox,
  h('div', { class: 'list' }, listHead, viewport, empty),
);

// ---------------------------------------------------------------------------------------------------------------
// Filtering and the virtualized list

function setFilter(change: Partial<DatasetFilter>): void {
  state.filter = { ...state.filter, ...change };
  vscode.setState({ filter: state.filter, query: state.query });
  refilter();
}

function search(query: string): void {
  state.query = query;
  vscode.setState({ filter: state.filter, query });
  if (!query.trim()) {
    state.hits = null;
    refilter();
  } else vscode.postMessage({ type: 'dataset/search', query });
}

let refilterQueued = false;
/** Coalesces re-filtering to one per frame while items and results stream in. */
function refilter(): void {
  if (refilterQueued) return;
  refilterQueued = true;
  requestAnimationFrame(() => {
    refilterQueued = false;
    state.view = applyFilters(state.items, state.predictions, state.disputed, state.filter, state.hits);
    shown.textContent = `${state.view.length.toLocaleString('en-US')} of ${state.items.length.toLocaleString('en-US')} shown`;
    empty.hidden = state.view.length > 0 || state.items.length === 0;
    empty.textContent = 'No item matches these filters.';
    spacer.style.height = `${state.view.length * ROW_HEIGHT}px`;
    updateRunControls();
    renderRows();
  });
}

/** Critics with at least one result get a column, in settings order. */
function resultCritics(): { id: string; label: string }[] {
  return state.critics.filter((c) => state.predictions.has(c.id));
}

function labelText(label: number): string {
  return label < 0 ? 'all correct' : `step ${label + 1}`;
}

function predictionCell(p: number | null | undefined, label: number): HTMLElement {
  if (p === undefined) return h('span', { class: 'cell pred', role: 'gridcell' }, '');
  const match = p === label;
  const text = p === null ? 'no prediction' : p < 0 ? 'no error' : `step ${p + 1}`;
  return h(
    'span',
    {
      class: `cell pred ${match ? 'match' : 'miss'}`,
      role: 'gridcell',
      title: match ? 'matches the ground truth' : 'differs from the ground truth',
    },
    `${match ? '✓' : '✗'} ${text}`,
  );
}

function renderHead(): void {
  const critics = resultCritics();
  app.style.setProperty('--pred-columns', critics.map(() => '8em').join(' '));
  replace(
    listHead,
    ...[
      ['#', ''],
      ['id', ''],
      ['subset', ' subset'],
      ['first error', ''],
      ['steps', ' steps'],
    ].map(([t, extra]) => h('span', { class: `cell${extra}`, role: 'columnheader' }, t)),
    ...critics.map((c) =>
      h('span', { class: 'cell pred', role: 'columnheader', title: `${c.label}: predicted first error` }, c.label),
    ),
    h('span', { class: 'cell preview', role: 'columnheader' }, 'problem'),
  );
}

function renderRows(): void {
  const range = visibleRange(viewport.scrollTop, viewport.clientHeight || 600, ROW_HEIGHT, state.view.length);
  rows.style.transform = `translateY(${range.offsetTop}px)`;
  const critics = resultCritics();
  const out: HTMLElement[] = [];
  for (let k = range.start; k < range.end; k++) {
    const item = state.items[state.view[k]];
    const row = h(
      'div',
      {
        class: `row${item.i === state.selected ? ' selected' : ''}`,
        role: 'row',
        'data-i': item.i,
        'aria-rowindex': k + 2,
        'aria-selected': item.i === state.selected ? 'true' : 'false',
      },
      h(
        'span',
        {
          class: 'cell num',
          role: 'gridcell',
          title: item.line !== undefined ? `line ${item.line}` : `array index ${item.index}`,
        },
        String(item.i + 1),
      ),
      h('span', { class: 'cell id', role: 'gridcell', title: item.id }, item.id),
      h('span', { class: 'cell subset', role: 'gridcell' }, item.subset),
      h(
        'span',
        { class: `cell ${item.label < 0 ? 'ok' : 'err'}`, role: 'gridcell', title: `label ${item.label} (0-based)` },
        labelText(item.label),
      ),
      h('span', { class: 'cell num steps', role: 'gridcell' }, String(item.steps)),
      ...critics.map((c) => predictionCell(state.predictions.get(c.id)?.[item.i], item.label)),
      h('span', { class: 'cell preview', role: 'gridcell' }, item.preview),
    );
    out.push(row);
  }
  replace(rows, ...out);
}

let scrollQueued = false;
viewport.addEventListener('scroll', () => {
  if (scrollQueued) return;
  scrollQueued = true;
  requestAnimationFrame(() => {
    scrollQueued = false;
    renderRows();
  });
});
new ResizeObserver(() => renderRows()).observe(viewport);

rows.addEventListener('click', (event) => {
  const row = (event.target as HTMLElement).closest<HTMLElement>('.row');
  if (!row) return;
  const i = Number(row.dataset.i);
  choose(i);
  open(i);
});

function choose(i: number | null): void {
  state.selected = i;
  if (i !== null) {
    const k = state.view.indexOf(i);
    if (k >= 0) viewport.scrollTop = scrollToRow(k, viewport.scrollTop, viewport.clientHeight, ROW_HEIGHT);
  }
  renderRows();
}

function open(i: number): void {
  vscode.postMessage({ type: 'dataset/open', i });
}

viewport.addEventListener('keydown', (event) => {
  if (isTyping(event) || state.view.length === 0) return;
  const k = state.selected === null ? -1 : state.view.indexOf(state.selected);
  const page = Math.max(1, Math.floor(viewport.clientHeight / ROW_HEIGHT) - 1);
  const moveTo = (target: number) => choose(state.view[Math.max(0, Math.min(state.view.length - 1, target))]);
  switch (event.key) {
    case 'ArrowDown':
    case 'j':
      moveTo(k + 1);
      break;
    case 'ArrowUp':
    case 'k':
      moveTo(k < 0 ? 0 : k - 1);
      break;
    case 'PageDown':
      moveTo(k + page);
      break;
    case 'PageUp':
      moveTo(k - page);
      break;
    case 'Home':
      moveTo(0);
      break;
    case 'End':
      moveTo(state.view.length - 1);
      break;
    case 'Enter':
      if (state.selected !== null) open(state.selected);
      break;
    default:
      return;
  }
  event.preventDefault();
});

// ---------------------------------------------------------------------------------------------------------------
// Header, selects, issues and runs

function updateHeader(): void {
  title.textContent = state.name;
  const parts = [state.format ?? 'detecting layout…', `${state.items.length.toLocaleString('en-US')} items`];
  if (!state.loaded) parts.push('reading…');
  else
    parts.push(`${state.reloads ? 'read again after a change on disk' : 'read'} in ${Math.round(state.loaded.ms)} ms`);
  if (state.issueTotal) parts.push(`${state.skipped} record${state.skipped === 1 ? '' : 's'} skipped`);
  meta.textContent = parts.join(' · ');
  if (state.loaded?.error) meta.append(h('span', { class: 'error-text' }, ` · ${state.loaded.error}`));
}

function updateSubsets(): void {
  const counts = subsetCounts(state.items);
  const key = counts.map(([s, n]) => `${s}:${n > 0}`).join('|');
  if (key === state.subsetKey) return;
  state.subsetKey = key;
  setOptions(
    subsetSelect,
    [['', 'All subsets'], ...counts.map(([s]): [string, string] => [s, s])],
    state.filter.subset ?? '',
  );
}

function updateCriticOptions(): void {
  setOptions(
    criticSelect,
    [['', 'Any critic'], ...state.critics.map((c): [string, string] => [c.id, c.label])],
    state.filter.critic ?? '',
  );
  replace(
    runCritics,
    ...state.critics.map((c) =>
      h('vscode-checkbox', {
        label: c.label,
        value: c.id,
        class: 'run-critic',
        ...(state.active.includes(c.id) ? { checked: true } : {}),
      }),
    ),
  );
}

function updateIssues(): void {
  issuesBox.hidden = state.issueTotal === 0;
  const shownIssues = state.issues.map((issue) =>
    h(
      'li',
      {},
      h(
        'span',
        { class: 'where' },
        issue.line !== undefined ? `line ${issue.line}` : issue.index !== undefined ? `item ${issue.index}` : 'file',
      ),
      issue.field ? ` ${issue.field}: ` : ': ',
      issue.message,
    ),
  );
  const more =
    state.issueTotal > state.issues.length
      ? h('li', { class: 'more' }, `… and ${state.issueTotal - state.issues.length} more`)
      : null;
  const records = `${state.skipped} record${state.skipped === 1 ? '' : 's'} skipped`;
  replace(
    issuesBox,
    h(
      'summary',
      {},
      `${state.issueTotal} problem${state.issueTotal === 1 ? '' : 's'} in the file (${records}) — with line numbers`,
    ),
    h('ul', {}, ...shownIssues, more),
  );
}

function updateRunControls(): void {
  const running = state.progress?.running ?? false;
  const scope = scopeSelect.value as RunScope;
  sampleField.hidden = scope !== 'sample';
  runButton.toggleAttribute('disabled', running || !state.loaded || (scope === 'filtered' && state.view.length === 0));
  cancelButton.toggleAttribute('disabled', !running);
}

function updateProgress(): void {
  const p = state.progress;
  if (!p) return;
  progressBar.max = Math.max(1, p.total);
  progressBar.value = p.done;
  const verb = p.running ? 'Running' : 'Done';
  progressText.textContent = `${verb}: ${p.done} / ${p.total} items · ${p.cached} from cache · ${p.failed} failed${p.message ? ` · ${p.message}` : ''}`;
  updateRunControls();
}

function startRun(): void {
  const criticIds = [...runCritics.querySelectorAll<Check & { value: string }>('vscode-checkbox')]
    .filter((c) => c.checked)
    .map((c) => c.value);
  const scope = scopeSelect.value as RunScope;
  const sample = Math.max(1, Math.floor(Number(sampleField.value) || 100));
  vscode.postMessage({
    type: 'dataset/run',
    criticIds,
    scope,
    ...(scope === 'filtered' ? { indices: state.view } : {}),
    ...(scope === 'sample' ? { sample } : {}),
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Messages from the extension host

onHostMessage<HostToDataset>((msg) => {
  switch (msg.type) {
    case 'dataset/begin':
      state.name = msg.name;
      state.format = msg.format;
      state.items = [];
      state.predictions.clear();
      state.disputed.clear();
      state.critics = msg.critics;
      state.active = msg.activeCritics;
      state.loaded = null;
      state.reloads = msg.reloads;
      state.issues = [];
      state.issueTotal = 0;
      state.skipped = 0;
      state.hits = null;
      updateIssues();
      updateCriticOptions();
      updateHeader();
      renderHead();
      refilter();
      break;
    case 'dataset/items':
      for (const item of msg.items) state.items[item.i] = item;
      updateHeader();
      updateSubsets();
      refilter();
      break;
    case 'dataset/format':
      state.format = msg.format;
      updateHeader();
      break;
    case 'dataset/loaded':
      state.loaded = {
        count: msg.count,
        issueCount: msg.issueCount,
        ms: msg.ms,
        ...(msg.error ? { error: msg.error } : {}),
      };
      updateHeader();
      if (state.query.trim()) search(state.query);
      refilter();
      break;
    case 'dataset/issues':
      state.issues = msg.issues;
      state.issueTotal = msg.total;
      state.skipped = msg.skipped;
      updateIssues();
      updateHeader();
      break;
    case 'dataset/results': {
      if (msg.replace) {
        state.predictions.clear();
        state.disputed.clear();
      }
      for (const { i, predictions, disputed } of msg.results) {
        if (disputed) state.disputed.add(i);
        else state.disputed.delete(i);
        for (const p of predictions) {
          let column = state.predictions.get(p.critic);
          if (!column) state.predictions.set(p.critic, (column = []));
          column[i] = p.prediction;
        }
      }
      renderHead();
      refilter();
      break;
    }
    case 'dataset/search':
      if (msg.query !== state.query) break; // an older answer
      state.hits = msg.hits ? new Set(msg.hits) : null;
      refilter();
      break;
    case 'dataset/progress':
      state.progress = msg.progress;
      updateProgress();
      break;
  }
});

vscode.postMessage({ type: 'ready' });
