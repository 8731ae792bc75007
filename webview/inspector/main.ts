// The step inspector webview: problem and steps as markdown + math, one column per critic with reward bars,
// verdicts and reasons, first errors, disagreements, ground truth and human labels; in sync with the editor.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import 'katex/dist/katex.min.css';
import './inspector.css';
import { createMarkdownRenderer } from '../shared/markdown';
import { nextInList, stepBy } from '../shared/navigation';
import type {
  HostToInspector,
  HumanLabel,
  InspectorCritic,
  InspectorModel,
  InspectorSection,
  InspectorState,
  InspectorToHost,
  InspectorTrace,
} from '../../src/protocol/messages';
import { h, isTyping, replace, score } from '../shared/dom';
import { rowKey, sectionRows, type ListRow, type SectionRows } from '../shared/sectionRows';
import { onHostMessage, vscodeApi } from '../shared/vscode';
import { VirtualRows } from './virtualRows';

const vscode = vscodeApi<InspectorToHost, InspectorState>();
const app = document.getElementById('app') as HTMLElement;
const markdown = createMarkdownRenderer();
/** Rendered HTML by source text: re-rendering a model (a label changed) must not re-run KaTeX on every step. */
const rendered = new Map<string, string>();

let model: InspectorModel | null = null;
let current: number | null = null;
let running = false;
/** Trace sections whose rows are not rendered (a long trace starts with all of them collapsed). */
let collapsed = new Set<number>();
let disagreements = new Set<number>();
/** The steps grid, its rows (steps and group heads, flattened) and the window of them in the DOM. */
let grid: HTMLElement | null = null;
let flat: SectionRows | null = null;
let list: VirtualRows<ListRow> | null = null;
/** Measured row heights by row key, kept while the same document is shown (re-renders, toggles). */
const measured = new Map<string, number>();
/** More sections than this start collapsed, so a trace of thousands of steps renders only its section heads. */
const COLLAPSE_ABOVE = 20;

function md(text: string, className: string): HTMLElement {
  let html = rendered.get(text);
  if (html === undefined) {
    html = markdown.render(text);
    if (rendered.size > 2000) rendered.clear();
    rendered.set(text, html);
  }
  const el = h('div', { class: `md ${className}` });
  el.innerHTML = html; // inert by construction: see webview/shared/markdown.ts
  return el;
}

const VERDICT: Record<string, string> = { correct: '✓ correct', incorrect: '✗ incorrect', unknown: '· no verdict' };
const HUMAN: { label: HumanLabel; text: string; key: string; title: string }[] = [
  { label: 'correct', text: '✓', key: 'c', title: 'Mark this step correct (c)' },
  { label: 'incorrect', text: '✗', key: 'x', title: 'Mark this step incorrect (x)' },
  { label: 'neutral', text: '~', key: 'u', title: 'Mark this step neutral (u)' },
];

function button(text: string, title: string, onClick: () => void, secondary = true): HTMLElement {
  const b = h('vscode-button', { title, ...(secondary ? { secondary: true } : {}) }, text);
  b.addEventListener('click', onClick);
  return b;
}

function firstErrorText(c: InspectorCritic): string {
  if (c.firstError === null) return 'no prediction';
  return c.firstError < 0 ? 'no error found' : `first error: step ${c.firstError + 1}`;
}

function renderEmpty(title: string, message: string, canScore: boolean): void {
  model = null;
  list = null;
  flat = null;
  grid = null;
  replace(
    app,
    h(
      'header',
      { class: 'toolbar' },
      h('h1', {}, title),
      running ? h('vscode-progress-ring', { class: 'busy', 'aria-label': 'scoring' }) : null,
    ),
    h('p', { class: 'empty' }, message),
    canScore
      ? button(
          'Score this file',
          'Run the active critics on this file',
          () => vscode.postMessage({ type: 'inspector/score' }),
          false,
        )
      : null,
  );
}

/** A step named in the header: a link-like button that selects it (and opens its section). */
function stepLink(step: number | null): HTMLElement | string {
  if (step === null) return 'none';
  const b = h('button', { type: 'button', class: 'step-link', title: `Go to step ${step + 1}` }, `step ${step + 1}`);
  b.addEventListener('click', () => select(step, true));
  return b;
}

function renderHeader(m: InspectorModel): HTMLElement {
  const meta: (string | HTMLElement)[][] = [
    [`${m.steps.length} step${m.steps.length === 1 ? '' : 's'}`],
    [`segmentation ${m.segmentation}`],
  ];
  if (m.trace) {
    meta.push(['first error in the thinking: ', stepLink(m.trace.firstErrorThinking)]);
    meta.push(['first error in the answer: ', stepLink(m.trace.firstErrorAnswer)]);
  }
  if (m.item)
    meta.push(
      [`dataset ${m.item.dataset}`],
      [`ground truth: ${m.item.label < 0 ? 'all steps correct' : `first error at step ${m.item.label + 1}`}`],
    );
  return h(
    'header',
    { class: 'toolbar' },
    h('h1', { title: m.uri }, m.title),
    h('span', { class: 'meta' }, ...meta.flatMap((parts, k) => (k ? [' · ', ...parts] : parts))),
    h(
      'span',
      { class: 'actions' },
      running ? h('vscode-progress-ring', { class: 'busy', 'aria-label': 'scoring' }) : null,
      button(
        'Re-run critics',
        'Score the steps again with the active critics',
        () => vscode.postMessage({ type: 'inspector/rerun' }),
        false,
      ),
      button('Open as Markdown', 'The same details as a markdown document', () =>
        vscode.postMessage({ type: 'inspector/openReport' }),
      ),
      button('Export step labels…', 'Save your step labels in TRL stepwise format', () =>
        vscode.postMessage({ type: 'inspector/exportLabels' }),
      ),
    ),
  );
}

function renderSummary(m: InspectorModel): HTMLElement {
  const rows = m.critics.map((c) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row', title: c.id }, c.label),
      h('td', { class: c.firstError !== null && c.firstError >= 0 ? 'first-error' : '' }, firstErrorText(c)),
      h('td', { class: 'num' }, score(c.aggregates?.min)),
      h('td', { class: 'num' }, score(c.aggregates?.product)),
      h('td', { class: 'num' }, score(c.aggregates?.last)),
      h('td', { class: 'num' }, score(c.aggregates?.mean)),
      h('td', { class: 'num' }, `${Math.round(c.durationMs)} ms`),
      h(
        'td',
        {},
        button('Re-run', `Run ${c.label} again on these steps`, () =>
          vscode.postMessage({ type: 'inspector/rerun', criticId: c.id }),
        ),
      ),
    ),
  );
  const failures = m.failures.map((f) =>
    h(
      'li',
      { class: 'failure' },
      f.cancelled ? `${f.criticId}: cancelled before it finished` : `${f.criticId} failed: ${f.message}`,
    ),
  );
  const extra = m.availableCritics.filter((a) => !m.critics.some((c) => c.id === a.id));
  return h(
    'section',
    { class: 'summary', 'aria-label': 'Critics' },
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['critic', 'verdict on the solution', 'min', 'product', 'last', 'mean', 'time', ''].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h('tbody', {}, ...rows),
    ),
    m.critics.some((c) => c.scalar)
      ? h(
          'p',
          { class: 'note' },
          'min, product, last and mean aggregate a scalar critic’s step scores into a solution score.',
        )
      : null,
    failures.length ? h('ul', { class: 'failures' }, ...failures) : null,
    extra.length
      ? h(
          'p',
          { class: 'run-more' },
          'Run another critic: ',
          ...extra.map((a) =>
            button(a.label, `Add ${a.label}'s judgement of these steps`, () =>
              vscode.postMessage({ type: 'inspector/rerun', criticId: a.id }),
            ),
          ),
        )
      : null,
  );
}

function judgementCell(c: InspectorCritic, index: number): HTMLElement {
  const j = c.steps[index];
  const first = c.firstError === index;
  const cell = h('div', {
    class: `judge kind-${j.kind}${first ? ' first-error' : ''}`,
    role: 'cell',
    'data-critic': c.label,
  });
  if (j.score !== null) {
    const fill = h('div', { class: 'fill' });
    fill.style.width = `${Math.max(0, Math.min(1, j.score)) * 100}%`;
    cell.append(
      h(
        'div',
        {
          class: 'bar',
          role: 'meter',
          'aria-valuemin': 0,
          'aria-valuemax': 1,
          'aria-valuenow': j.score,
          'aria-label': `${c.label} reward`,
        },
        fill,
      ),
    );
  }
  cell.append(
    h(
      'div',
      { class: 'verdict-line' },
      j.score !== null ? h('span', { class: 'score' }, score(j.score)) : null,
      h('span', { class: 'verdict' }, VERDICT[j.verdict]),
      first ? h('vscode-badge', { class: 'flag', title: `${c.label}'s first error` }, '⚑ first error') : null,
    ),
  );
  if (j.reason) cell.append(h('div', { class: 'reason' }, j.reason));
  return cell;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string | number>): SVGElement {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  return el;
}

const CHART_W = 1000;
const CHART_H = 100;

/**
 * The first critic's score per step across the trace (verdicts as 1/0), with section boundaries, verification
 * sections shaded and the answer's start marked. A click selects the step under the pointer.
 */
function renderChart(m: InspectorModel, trace: InspectorTrace): HTMLElement {
  const n = Math.max(1, m.steps.length);
  const y = (v: number) => CHART_H - 4 - Math.max(0, Math.min(1, v)) * (CHART_H - 8);
  const chart = svg('svg', { class: 'trajectory', viewBox: `0 0 ${CHART_W} ${CHART_H}`, preserveAspectRatio: 'none' });
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', 'Score per step across the trace; click to select a step');
  for (const s of trace.sections) {
    const left = (s.firstStep / n) * CHART_W;
    if (s.kind === 'verification') {
      const width = ((s.lastStep - s.firstStep + 1) / n) * CHART_W;
      chart.append(svg('rect', { class: 'reflection', x: left, y: 0, width, height: CHART_H }));
    }
    if (s.firstStep > 0) chart.append(svg('line', { class: 'boundary', x1: left, x2: left, y1: 0, y2: CHART_H }));
  }
  if (trace.answerFrom < m.steps.length) {
    const left = (trace.answerFrom / n) * CHART_W;
    chart.append(svg('line', { class: 'answer-boundary', x1: left, x2: left, y1: 0, y2: CHART_H }));
  }
  // A stair per scored step (visible even for a lone one), joined to its scored neighbour; no verdict: a gap.
  const w = CHART_W / n;
  let d = '';
  trace.trajectory.forEach((v, i) => {
    if (v === null) return;
    const joined = i > 0 && trace.trajectory[i - 1] !== null;
    d += `${joined ? 'L' : 'M'}${(i * w).toFixed(1)} ${y(v).toFixed(1)}H${((i + 1) * w).toFixed(1)}`;
  });
  if (d) chart.append(svg('path', { class: 'score-line', d }));
  const marker = svg('line', { class: 'current-step', x1: -10, x2: -10, y1: 0, y2: CHART_H });
  chart.append(marker);
  chart.addEventListener('click', (event) => {
    const box = chart.getBoundingClientRect();
    if (box.width <= 0) return;
    const step = Math.floor(((event.clientX - box.left) / box.width) * n);
    select(Math.max(0, Math.min(m.steps.length - 1, step)), true);
  });
  const legend = h(
    'p',
    { class: 'chart-legend' },
    'Score per step — lines: section boundaries · shaded: verification · dashed: the answer starts',
  );
  return h('section', { class: 'chart', 'aria-label': 'Trajectory' }, chart, legend);
}

function moveChartMarker(step: number | null): void {
  const marker = app.querySelector('.trajectory .current-step');
  if (!marker || !model) return;
  const at = step === null ? -10 : ((step + 0.5) / Math.max(1, model.steps.length)) * CHART_W;
  marker.setAttribute('x1', String(at));
  marker.setAttribute('x2', String(at));
}

const SECTION_VERDICT: Record<string, string> = { correct: '✓', incorrect: '✗', unknown: '·' };

function sectionLabel(s: InspectorSection): string {
  const steps = s.firstStep === s.lastStep ? `step ${s.firstStep + 1}` : `steps ${s.firstStep + 1}–${s.lastStep + 1}`;
  const worst = s.worstScore === null ? '' : ` · worst ${score(s.worstScore)}`;
  return `Section ${s.index + 1} · ${s.kind} · ${steps}${worst} ${SECTION_VERDICT[s.verdict]}`;
}

function sectionHeadRow(s: InspectorSection): HTMLElement {
  const open = !collapsed.has(s.index);
  const toggle = h(
    'button',
    { type: 'button', class: 'group-toggle', 'aria-expanded': open ? 'true' : 'false' },
    `${open ? '▾' : '▸'} ${sectionLabel(s)}`,
  );
  toggle.addEventListener('click', () => {
    if (collapsed.has(s.index)) collapsed.delete(s.index);
    else collapsed.add(s.index);
    showOpen(s);
    layoutRows(false);
  });
  return h(
    'div',
    { class: `row group section kind-${s.kind} verdict-${s.verdict}`, role: 'row', 'data-section': s.index },
    h('div', { class: 'group-head', role: 'cell' }, toggle),
  );
}

/** Updates a section head's arrow in place: it stays in the DOM (and keeps its focus) while rows below come or go. */
function showOpen(s: InspectorSection): void {
  const toggle = grid?.querySelector(`.row.group.section[data-section="${s.index}"] .group-toggle`);
  const open = !collapsed.has(s.index);
  toggle?.setAttribute('aria-expanded', open ? 'true' : 'false');
  if (toggle) toggle.textContent = `${open ? '▾' : '▸'} ${sectionLabel(s)}`;
}

function answerHeadRow(): HTMLElement {
  return h(
    'div',
    { class: 'row group answer', role: 'row' },
    h('div', { class: 'group-head', role: 'cell' }, 'Answer'),
  );
}

function stepRow(m: InspectorModel, i: number): HTMLElement {
  const truthError = m.item?.label === i;
  const disagree = disagreements.has(i);
  const classes = ['row', 'step'];
  if (disagree) classes.push('disagree');
  if (truthError) classes.push('truth-error');
  if (i === current) classes.push('current');
  const flags = m.critics.filter((c) => c.firstError === i).map((c) => c.label);
  const stepHead = h(
    'div',
    { class: 'step-head' },
    h('span', { class: 'step-no' }, `Step ${i + 1}`),
    truthError
      ? h(
          'vscode-badge',
          { class: 'truth', title: 'The dataset’s ground-truth first error' },
          'ground truth: first error',
        )
      : null,
    disagree ? h('span', { class: 'disagree-tag', title: 'Critics disagree on this step' }, 'critics disagree') : null,
    flags.length ? h('span', { class: 'flags' }, `⚑ ${flags.join(', ')}`) : null,
  );
  const labels = h('div', { class: 'human', role: 'cell' });
  for (const option of HUMAN) {
    const pressed = m.humanLabels[i] === option.label;
    const b = h(
      'button',
      {
        class: `human-${option.label}`,
        title: option.title,
        'aria-pressed': pressed ? 'true' : 'false',
        type: 'button',
      },
      option.text,
    );
    b.addEventListener('click', (event) => {
      event.stopPropagation();
      setLabel(i, pressed ? null : option.label);
    });
    labels.append(b);
  }
  // Rows are `display: contents` (their cells sit in the grid): the step's text cell takes focus and scrolls.
  const row = h(
    'div',
    { class: classes.join(' '), role: 'row', 'data-step': i, 'aria-selected': i === current ? 'true' : 'false' },
    h(
      'div',
      { class: 'text', role: 'rowheader', tabindex: i === (current ?? 0) ? 0 : -1 },
      stepHead,
      md(m.steps[i].text, 'step-text'),
    ),
    ...m.critics.map((c) => judgementCell(c, i)),
    labels,
  );
  row.addEventListener('click', () => select(i, true));
  return row;
}

/** Heights to assume for rows not measured yet: group heads are one line; steps, the mean of those measured. */
const GROUP_ESTIMATE = 30;
const STEP_ESTIMATE = 90;

function stepEstimate(): number {
  let sum = 0;
  let n = 0;
  for (const [key, height] of measured)
    if (key.startsWith('s')) {
      sum += height;
      n++;
    }
  return n ? sum / n : STEP_ESTIMATE;
}

/** Flattens the steps and sections into rows (after a model, a toggle or expand/collapse all) and renders the window. */
function layoutRows(fresh: boolean): void {
  if (!model || !list) return;
  const trace = model.trace;
  flat = sectionRows(model.steps.length, trace?.sections ?? [], collapsed, trace?.answerFrom);
  const steps = stepEstimate();
  list.setRows(flat.rows, (row) => (row.kind === 'step' ? steps : GROUP_ESTIMATE), fresh);
  grid?.setAttribute('aria-rowcount', String(flat.rows.length + 1));
  const bar = app.querySelector('.groups .open-count');
  if (bar && trace) bar.textContent = openCountText(trace.sections.length);
}

function openCountText(sections: number): string {
  const open = sections - collapsed.size;
  return `${sections} sections, ${open === sections ? 'all' : open} open`;
}

function setAllCollapsed(all: boolean): void {
  collapsed = new Set(all ? (model?.trace?.sections ?? []).map((s) => s.index) : []);
  layoutRows(true);
}

function renderSteps(m: InspectorModel): HTMLElement {
  grid = h('div', { class: 'steps', role: 'grid', 'aria-label': 'Steps and judgements' });
  grid.style.setProperty('--critics', String(Math.max(1, m.critics.length)));
  grid.append(
    h(
      'div',
      { class: 'row head', role: 'row', 'aria-rowindex': 1 },
      h('div', { role: 'columnheader' }, 'Step'),
      ...(m.critics.length
        ? m.critics.map((c) => h('div', { role: 'columnheader', title: c.id }, c.label))
        : [h('div', { role: 'columnheader' }, 'No critic result')]),
      h('div', { role: 'columnheader' }, 'Your label'),
    ),
  );
  list = new VirtualRows<ListRow>(grid, {
    key: rowKey,
    build: (row) =>
      row.kind === 'step'
        ? stepRow(m, row.step)
        : row.kind === 'section'
          ? sectionHeadRow(m.trace!.sections[row.section])
          : answerHeadRow(),
    measured,
  });
  const sections = m.trace?.sections.length ?? 0;
  const groups = sections
    ? h(
        'div',
        { class: 'groups' },
        h('span', { class: 'open-count' }, openCountText(sections)),
        button('Expand all', 'Open every section', () => setAllCollapsed(false)),
        button('Collapse all', 'Close every section to its head row', () => setAllCollapsed(true)),
      )
    : null;
  // The wrapper is the size container that switches the grid to a stacked layout in a narrow panel.
  return h('div', { class: 'steps-wrap' }, groups, grid);
}

function renderRaw(m: InspectorModel): HTMLElement | null {
  const withText = m.critics.filter((c) => c.raw || c.rationale);
  if (!withText.length) return null;
  return h(
    'section',
    { class: 'raw', 'aria-label': 'Raw critiques' },
    ...withText.map((c) => {
      const details = h('details', {}, h('summary', {}, `Raw critique of ${c.label}`));
      // Rendered on demand: critiques can be long and most are never opened.
      details.addEventListener('toggle', () => {
        if (details.open && details.children.length === 1)
          details.append(h('pre', { class: 'raw-text' }, [c.rationale, c.raw].filter(Boolean).join('\n\n')));
      });
      return details;
    }),
  );
}

/** The column heads stick just under the toolbar, whose height changes as it wraps in a narrow panel. */
const toolbarSize = new ResizeObserver((entries) => {
  for (const e of entries)
    document.documentElement.style.setProperty('--toolbar-height', `${(e.target as HTMLElement).offsetHeight}px`);
});

function render(m: InspectorModel): void {
  const scroll = document.scrollingElement?.scrollTop ?? 0;
  const sameDoc = model?.uri === m.uri;
  model = m;
  disagreements = new Set(m.disagreements);
  if (!sameDoc) {
    current = null;
    measured.clear();
    const sections = m.trace?.sections ?? [];
    collapsed = new Set(sections.length > COLLAPSE_ABOVE ? sections.map((s) => s.index) : []);
  } else if (current !== null && current >= m.steps.length) current = null;
  vscode.setState({ view: 'inspector', uri: m.uri });
  replace(
    app,
    renderHeader(m),
    renderSummary(m),
    m.item && m.item.stepCount !== m.steps.length
      ? h(
          'p',
          { class: 'warning' },
          `The dataset item has ${m.item.stepCount} steps but the editor found ${m.steps.length}: the ground truth may not line up.`,
        )
      : null,
    m.problem.trim()
      ? h(
          'section',
          { class: 'problem', 'aria-label': 'Problem' },
          h('h2', {}, 'Problem'),
          md(m.problem, 'problem-text'),
        )
      : null,
    m.trace ? renderChart(m, m.trace) : null,
    renderSteps(m),
    renderRaw(m),
    h(
      'footer',
      { class: 'keys' },
      'Keys: ↓/↑ or j/k next/previous step · d / Shift+D next/previous disagreement · Enter show in editor · c / x / u label correct / incorrect / neutral · 0 clear label',
    ),
  );
  toolbarSize.disconnect();
  const toolbar = app.querySelector('header.toolbar');
  if (toolbar) toolbarSize.observe(toolbar);
  layoutRows(true);
  // Back to where the person was, once the spacers give the page its full height.
  if (sameDoc && document.scrollingElement) {
    document.scrollingElement.scrollTop = scroll;
    list?.paint();
  }
  moveChartMarker(current);
}

function stepElement(index: number): HTMLElement | undefined {
  const row = flat?.rowOfStep[index] ?? -1;
  return row >= 0 ? list?.element(row) : undefined;
}

/** The height of what sticks at the top of the page (toolbar, column heads): a revealed step must clear it. */
function stickyInset(): number {
  const toolbar = app.querySelector('header.toolbar')?.getBoundingClientRect().height ?? 0;
  const heads = grid?.querySelector('.head > *')?.getBoundingClientRect().height ?? 0;
  return toolbar + heads + 4;
}

/** Marks a step current; `reveal` also selects it in the editor (clicks and keyboard moves, not cursor echoes). */
function select(index: number | null, reveal: boolean, focus = reveal): void {
  if (!model || !flat || !list) return;
  if (current !== null) {
    const old = stepElement(current);
    old?.classList.remove('current');
    old?.setAttribute('aria-selected', 'false');
    old?.querySelector('.text')?.setAttribute('tabindex', '-1');
  }
  current = index;
  moveChartMarker(index);
  if (index === null) return;
  // A step of a collapsed section has no row: open its section first.
  const section = flat.sectionOfStep[index];
  if (section >= 0 && collapsed.has(section)) {
    collapsed.delete(section);
    showOpen(model.trace!.sections[section]);
    layoutRows(false);
  }
  // Scrolled to by its estimated offset, rendered and measured, then into view by its real box.
  const inset = stickyInset();
  const row = list.reveal(flat.rowOfStep[index], inset);
  const cell = row?.querySelector<HTMLElement>('.text');
  if (!row || !cell) return;
  row.classList.add('current');
  row.setAttribute('aria-selected', 'true');
  cell.setAttribute('tabindex', '0');
  if (focus) cell.focus({ preventScroll: true });
  cell.style.scrollMarginTop = `${inset}px`;
  cell.scrollIntoView({ block: 'nearest' });
  list.paint();
  if (reveal) vscode.postMessage({ type: 'inspector/reveal', step: index });
}

function setLabel(step: number, label: HumanLabel | null): void {
  vscode.postMessage({ type: 'inspector/label', step, label });
}

document.addEventListener('keydown', (event) => {
  if (!model || isTyping(event) || event.altKey || event.ctrlKey || event.metaKey) return;
  const count = model.steps.length;
  let handled = true;
  switch (event.key) {
    case 'ArrowDown':
    case 'j':
      select(stepBy(current, 1, count), true);
      break;
    case 'ArrowUp':
    case 'k':
      select(stepBy(current, -1, count), true);
      break;
    case 'Home':
      select(stepBy(null, 1, count), true);
      break;
    case 'End':
      select(stepBy(null, -1, count), true);
      break;
    case 'd':
    case 'D':
      select(nextInList(current, model.disagreements, event.shiftKey ? -1 : 1), true);
      break;
    case 'Enter':
      // Enter on a button (a section toggle, a step link) presses the button.
      if (event.target instanceof Element && event.target.closest('button, vscode-button')) handled = false;
      else if (current !== null) vscode.postMessage({ type: 'inspector/reveal', step: current });
      break;
    case '0':
    case 'Delete':
    case 'Backspace':
      if (current !== null) setLabel(current, null);
      break;
    default: {
      const option = HUMAN.find((o) => o.key === event.key);
      if (option && current !== null) setLabel(current, option.label);
      else handled = false;
    }
  }
  if (handled) event.preventDefault();
});

let paintQueued = false;
/** Re-renders the list's window once per frame while the page scrolls or the panel is resized. */
function schedulePaint(): void {
  if (paintQueued) return;
  paintQueued = true;
  requestAnimationFrame(() => {
    paintQueued = false;
    list?.paint();
  });
}
addEventListener('scroll', schedulePaint, { passive: true });
addEventListener('resize', schedulePaint);
// KaTeX's fonts arrive after the first rows are measured and change their heights.
document.fonts.addEventListener('loadingdone', schedulePaint);

onHostMessage<HostToInspector>((msg) => {
  switch (msg.type) {
    case 'inspector/model':
      render(msg.model);
      break;
    case 'inspector/empty':
      if (msg.uri) vscode.setState({ view: 'inspector', uri: msg.uri });
      renderEmpty(msg.title, msg.message, msg.uri !== undefined);
      break;
    case 'inspector/highlight':
      if (msg.step !== current) select(msg.step, false, false);
      break;
    case 'inspector/running':
      running = msg.running;
      if (model) render(model);
      break;
  }
});

vscode.postMessage({ type: 'ready' });
