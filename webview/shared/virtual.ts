/** The window of a fixed-row-height list to put in the DOM: what is visible plus `overscan` rows either side. */
export interface VisibleRange {
  start: number;
  /** Exclusive. */
  end: number;
  /** Offset of row `start` from the top of the list. */
  offsetTop: number;
  /** Height of the whole list (what the scrollbar represents). */
  totalHeight: number;
}

/**
 * Rows [start, end) to render so a viewport of `viewportHeight` at `scrollTop` is covered. Only these rows exist in
 * the DOM, so the cost of a scroll does not depend on the list's length.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  count: number,
  overscan = 8,
): VisibleRange {
  const totalHeight = count * rowHeight;
  if (count === 0 || rowHeight <= 0) return { start: 0, end: 0, offsetTop: 0, totalHeight: Math.max(0, totalHeight) };
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, totalHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const visible = Math.ceil(Math.max(0, viewportHeight) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end, offsetTop: start * rowHeight, totalHeight };
}

/** The scrollTop that brings row `index` into view with the least movement (unchanged when already visible). */
export function scrollToRow(index: number, scrollTop: number, viewportHeight: number, rowHeight: number): number {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return scrollTop;
}
