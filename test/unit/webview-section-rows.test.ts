import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RowHeights } from '../../webview/shared/rowHeights';
import { rowKey, sectionRows, type ListRow, type StepGroup } from '../../webview/shared/sectionRows';

/** Sections of `size` steps each over the first `thinking` steps. */
function sections(thinking: number, size: number): StepGroup[] {
  const out: StepGroup[] = [];
  for (let first = 0, index = 0; first < thinking; first += size, index++)
    out.push({ index, firstStep: first, lastStep: Math.min(thinking, first + size) - 1 });
  return out;
}

const keys = (rows: ListRow[]) => rows.map(rowKey);

describe('inspector list: sections flattened into rows', () => {
  test('a head per section, the answer row where the answer starts, steps of open sections', () => {
    // 5 thinking steps in sections [0–1], [2–4]; the answer is steps 5–6.
    const groups = [
      { index: 0, firstStep: 0, lastStep: 1 },
      { index: 1, firstStep: 2, lastStep: 4 },
    ];
    const open = sectionRows(7, groups, new Set(), 5);
    assert.deepEqual(keys(open.rows), ['g0', 's0', 's1', 'g1', 's2', 's3', 's4', 'answer', 's5', 's6']);
    assert.deepEqual([...open.rowOfStep], [1, 2, 4, 5, 6, 8, 9]);
    assert.deepEqual([...open.sectionOfStep], [0, 0, 1, 1, 1, -1, -1]);

    const closed = sectionRows(7, groups, new Set([1]), 5);
    assert.deepEqual(keys(closed.rows), ['g0', 's0', 's1', 'g1', 'answer', 's5', 's6']);
    assert.deepEqual([...closed.rowOfStep], [1, 2, -1, -1, -1, 5, 6]);
  });

  test('no sections and no answer: one row per step; an answer with no steps after it has no row', () => {
    assert.deepEqual(keys(sectionRows(3, [], new Set()).rows), ['s0', 's1', 's2']);
    assert.deepEqual(keys(sectionRows(2, sections(2, 1), new Set(), 2).rows), ['g0', 's0', 'g1', 's1']);
  });

  test('2,000 steps in 250 sections, all collapsed: 251 rows; all open: 2,251', () => {
    const groups = sections(1999, 8);
    assert.equal(groups.length, 250);
    const all = new Set(groups.map((g) => g.index));
    const closed = sectionRows(2000, groups, all, 1999);
    assert.equal(closed.rows.length, 250 + 1 + 1);
    assert.equal(closed.rowOfStep[1999], 251);
    assert.equal(sectionRows(2000, groups, new Set(), 1999).rows.length, 2000 + 250 + 1);
  });

  test('sections out of order, overlapping, empty or beyond the steps are refused by name', () => {
    assert.throws(
      () =>
        sectionRows(
          6,
          [
            { index: 0, firstStep: 0, lastStep: 3 },
            { index: 1, firstStep: 3, lastStep: 5 },
          ],
          new Set(),
        ),
      /section 2 \(steps 4–6\) is out of order/,
    );
    assert.throws(() => sectionRows(3, [{ index: 0, firstStep: 1, lastStep: 0 }], new Set()), /section 1/);
    assert.throws(() => sectionRows(3, [{ index: 0, firstStep: 0, lastStep: 3 }], new Set()), /beyond the 3 steps/);
  });
});

describe('inspector list: rows of different heights', () => {
  test('offsets are sums of the heights above; indexAt inverts them', () => {
    const h = new RowHeights([30, 100, 100, 30, 50]);
    assert.deepEqual(
      [0, 1, 2, 3, 4, 5].map((k) => h.offsetOf(k)),
      [0, 30, 130, 230, 260, 310],
    );
    assert.equal(h.total, 310);
    assert.equal(h.indexAt(0), 0);
    assert.equal(h.indexAt(29.9), 0);
    assert.equal(h.indexAt(30), 1);
    assert.equal(h.indexAt(259), 3);
    assert.equal(h.indexAt(-5), 0, 'above the list: the first row');
    assert.equal(h.indexAt(1e6), 4, 'below the list: the last row');
    assert.equal(new RowHeights([]).indexAt(10), 0);
  });

  test('a measurement moves every offset below it, and only when it differs by half a pixel or more', () => {
    const h = new RowHeights([50, 50, 50, 50]);
    assert.equal(h.total, 200);
    assert.equal(h.set(1, 50.3), false);
    assert.equal(h.total, 200);
    assert.equal(h.set(1, 120), true);
    assert.equal(h.offsetOf(1), 50, 'rows above are not moved');
    assert.equal(h.offsetOf(2), 170);
    assert.equal(h.total, 270);
    assert.throws(() => h.set(0, NaN), /row 0: height NaN/);
    assert.throws(() => new RowHeights([10, -1]), /row 1: height -1/);
  });

  test('the window covers the viewport plus overscan, however long the list', () => {
    // 10,000 rows of 40 px: a 600 px viewport at 200,000 px with 300 px of overscan either side.
    const h = new RowHeights(new Array(10_000).fill(40));
    assert.deepEqual(h.range(200_000, 600, 300), { start: 4992, end: 5023 });
    assert.deepEqual(h.range(0, 600, 300), { start: 0, end: 23 });
    assert.deepEqual(h.range(-500, 600, 0), { start: 0, end: 3 }, 'the list starts below the viewport top');
    assert.deepEqual(h.range(1e9, 600, 300), { start: 9999, end: 10_000 }, 'past the end: the last row');
    assert.deepEqual(new RowHeights([]).range(0, 600, 300), { start: 0, end: 0 });
  });

  test('revealing a row scrolls as little as possible, clear of the sticky heads', () => {
    const h = new RowHeights([30, 100, 100, 30, 500, 50]);
    assert.equal(h.reveal(1, 0, 200, 20), 0, 'already in view');
    assert.equal(h.reveal(3, 0, 200, 20), 260 - 200, 'below: its bottom at the viewport bottom');
    assert.equal(h.reveal(1, 100, 200, 20), 30 - 20, 'above: its top just under the sticky heads');
    assert.equal(h.reveal(4, 0, 200, 20), 260 - 20, 'taller than the viewport: its top');
  });
});
