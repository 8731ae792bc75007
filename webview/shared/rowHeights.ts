/**
 * Positions in a virtualized list whose rows differ in height (a step of markdown and math, a one-line group head):
 * each row sits at the sum of the heights above it. Heights start as estimates and are replaced by measurements as
 * rows are rendered; offsets are recomputed lazily from the first changed row, so a measurement costs nothing until
 * an offset below it is asked for.
 */
export class RowHeights {
  private readonly heights: Float64Array;
  /** offsets[k] = top of row k; offsets[count] = the list's height. Valid up to `validUpTo`. */
  private readonly offsets: Float64Array;
  private validUpTo = 0;

  constructor(heights: ArrayLike<number>) {
    this.heights = Float64Array.from(heights);
    this.heights.forEach((h, i) => {
      if (!(Number.isFinite(h) && h >= 0)) throw new Error(`row ${i}: height ${h} is not a non-negative number`);
    });
    this.offsets = new Float64Array(this.heights.length + 1);
  }

  get count(): number {
    return this.heights.length;
  }

  height(row: number): number {
    return this.heights[row];
  }

  /** Records a measured height; false (and nothing recomputed) when it differs from the known one by under 0.5 px. */
  set(row: number, height: number): boolean {
    if (!(Number.isFinite(height) && height >= 0)) throw new Error(`row ${row}: height ${height} is not valid`);
    if (Math.abs(this.heights[row] - height) < 0.5) return false;
    this.heights[row] = height;
    this.validUpTo = Math.min(this.validUpTo, row);
    return true;
  }

  /** Top of `row` (0 ≤ row ≤ count; row = count gives the list's height). */
  offsetOf(row: number): number {
    const k = Math.max(0, Math.min(this.count, row));
    for (; this.validUpTo < k; this.validUpTo++)
      this.offsets[this.validUpTo + 1] = this.offsets[this.validUpTo] + this.heights[this.validUpTo];
    return this.offsets[k];
  }

  get total(): number {
    return this.offsetOf(this.count);
  }

  /** The row at `offset` from the top (clamped to the list; 0 for an empty list). */
  indexAt(offset: number): number {
    if (this.count === 0) return 0;
    this.offsetOf(this.count);
    let lo = 0;
    let hi = this.count - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.offsets[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Rows [start, end) covering the viewport at `scrollTop` (list coordinates) plus `overscan` pixels either side. */
  range(scrollTop: number, viewportHeight: number, overscan: number): { start: number; end: number } {
    if (this.count === 0) return { start: 0, end: 0 };
    const top = Math.max(0, scrollTop - overscan);
    const bottom = Math.max(top, scrollTop + Math.max(0, viewportHeight) + overscan);
    if (top >= this.total) return { start: this.count - 1, end: this.count };
    return { start: this.indexAt(top), end: Math.min(this.count, this.indexAt(bottom) + 1) };
  }

  /**
   * The scrollTop (list coordinates) that brings `row` into view with the least movement, unchanged when it is
   * already in view; `topInset` is the part of the viewport's top covered by sticky headers. A row taller than the
   * viewport is aligned at its top.
   */
  reveal(row: number, scrollTop: number, viewportHeight: number, topInset = 0): number {
    const top = this.offsetOf(row) - topInset;
    const bottom = this.offsetOf(row) + this.heights[row];
    if (top < scrollTop || this.heights[row] > viewportHeight - topInset) return top;
    if (bottom > scrollTop + viewportHeight) return bottom - viewportHeight;
    return scrollTop;
  }
}
