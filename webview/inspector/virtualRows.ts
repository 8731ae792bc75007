// The inspector's virtualized step list: only the rows in and near the viewport are in the DOM, between two spacers
// that stand in for the rest. Rows differ in height (markdown, math, reasons), so heights are estimated until a row
// is rendered and measured (webview/shared/rowHeights.ts). The page itself scrolls (the toolbar and column heads
// are sticky), so the viewport is the window.
import { RowHeights } from '../shared/rowHeights';

export interface VirtualRowsOptions<Row> {
  /** Identity of a row across re-flattening: its element and measured height are kept under this key. */
  key(row: Row): string;
  build(row: Row, index: number): HTMLElement;
  /** Measured heights by key; owned by the caller so they outlive a re-render of the same document. */
  measured: Map<string, number>;
}

/** Pixels rendered beyond the viewport on each side, as a share of the viewport's height. */
const OVERSCAN = 0.75;
/** A list this short is rendered whole: nothing to gain from a window, and find-in-page sees every step. */
const RENDER_ALL_UP_TO = 150;

export class VirtualRows<Row> {
  private rows: readonly Row[] = [];
  private heights = new RowHeights([]);
  private readonly live = new Map<string, HTMLElement>();
  private readonly top: HTMLElement;
  private readonly bottom: HTMLElement;

  /** Adds the list's spacers to `container` (after what is already in it, e.g. column heads). */
  constructor(
    container: HTMLElement,
    private readonly options: VirtualRowsOptions<Row>,
  ) {
    this.top = spacer();
    this.bottom = spacer();
    container.append(this.top, this.bottom);
  }

  /**
   * Replaces the rows. Elements of rows that keep their key stay in the DOM (a toggled group head keeps its focus);
   * `fresh` drops them all (the rows' content changed). `estimate` is the height assumed for a row never measured.
   */
  setRows(rows: readonly Row[], estimate: (row: Row) => number, fresh: boolean): void {
    if (fresh) {
      for (const el of this.live.values()) el.remove();
      this.live.clear();
    }
    this.rows = rows;
    const { key, measured } = this.options;
    this.heights = new RowHeights(rows.map((r) => measured.get(key(r)) ?? estimate(r)));
    this.paint();
  }

  get count(): number {
    return this.rows.length;
  }

  /** The rendered element of row `index`, if it is in the window. */
  element(index: number): HTMLElement | undefined {
    const row = this.rows[index];
    return row === undefined ? undefined : this.live.get(this.options.key(row));
  }

  /** Renders the window for the current scroll position, measures it, and keeps the row at the viewport's top still. */
  paint(): void {
    // Measuring can change heights, and so the window: a few passes settle it (usually one).
    for (let pass = 0; pass < 3; pass++) {
      const viewTop = -this.top.getBoundingClientRect().top;
      const anchor = this.heights.indexAt(viewTop);
      const anchorTop = this.heights.offsetOf(anchor);
      const { start, end } =
        this.rows.length <= RENDER_ALL_UP_TO
          ? { start: 0, end: this.rows.length }
          : this.heights.range(viewTop, innerHeight, innerHeight * OVERSCAN);
      this.renderWindow(start, end);
      const changed = this.measure(start, end);
      this.sizeSpacers(start, end);
      if (!changed) break;
      // Rows above the anchor were measured taller or shorter than estimated: shift by as much so nothing jumps.
      const shift = this.heights.offsetOf(anchor) - anchorTop;
      if (viewTop > 0 && shift !== 0) scrollBy(0, shift);
    }
  }

  /** Scrolls row `index` into view (clear of `topInset` pixels of sticky headers) and returns its element. */
  reveal(index: number, topInset: number): HTMLElement | undefined {
    if (index < 0 || index >= this.rows.length) return undefined;
    const listTop = this.top.getBoundingClientRect().top + scrollY;
    const viewTop = scrollY - listTop;
    const target = this.heights.reveal(index, viewTop, innerHeight, topInset);
    if (target !== viewTop) scrollTo(0, listTop + target);
    this.paint();
    return this.element(index);
  }

  private renderWindow(start: number, end: number): void {
    const { key, build } = this.options;
    const wanted = new Set<string>();
    for (let k = start; k < end; k++) wanted.add(key(this.rows[k]));
    for (const [k, el] of this.live)
      if (!wanted.has(k)) {
        el.remove();
        this.live.delete(k);
      }
    // Rows that stay are never moved (moving an element would drop its focus); new ones go in beside them.
    let previous: Element = this.top;
    for (let k = start; k < end; k++) {
      const rowKey = key(this.rows[k]);
      let el = this.live.get(rowKey);
      if (!el) {
        el = build(this.rows[k], k);
        this.live.set(rowKey, el);
      }
      el.setAttribute('aria-rowindex', String(k + 2));
      if (previous.nextElementSibling !== el) previous.after(el);
      previous = el;
    }
  }

  /** Measures the rendered rows [start, end); true when a height changed. */
  private measure(start: number, end: number): boolean {
    let changed = false;
    for (let k = start; k < end; k++) {
      const el = this.element(k);
      if (!el) continue;
      const height = outerHeight(el);
      this.options.measured.set(this.options.key(this.rows[k]), height);
      if (this.heights.set(k, height)) changed = true;
    }
    return changed;
  }

  private sizeSpacers(start: number, end: number): void {
    this.top.style.height = `${this.heights.offsetOf(start)}px`;
    this.bottom.style.height = `${this.heights.total - this.heights.offsetOf(end)}px`;
  }
}

function spacer(): HTMLElement {
  const el = document.createElement('div');
  el.className = 'spacer';
  el.setAttribute('aria-hidden', 'true');
  return el;
}

/**
 * A row's height as laid out: the span of its cells (a wide grid's rows are `display: contents` and have no box of
 * their own; a narrow panel's rows do, and their cells sit inside them).
 */
function outerHeight(row: HTMLElement): number {
  const own = row.getBoundingClientRect();
  if (own.height > 0) return own.height;
  let top = Infinity;
  let bottom = -Infinity;
  for (const cell of row.children) {
    const r = cell.getBoundingClientRect();
    top = Math.min(top, r.top);
    bottom = Math.max(bottom, r.bottom);
  }
  return bottom > top ? bottom - top : 0;
}
