/**
 * The inspector's list as flat rows: a head row per thinking section, an "Answer" row where the answer starts, and a
 * row per step whose section is open. Pure, so the virtualized list's shape is tested without a DOM.
 */

/** The part of a section the list needs: its position in the sections and its steps (inclusive). */
export interface StepGroup {
  index: number;
  firstStep: number;
  lastStep: number;
}

export type ListRow = { kind: 'section'; section: number } | { kind: 'answer' } | { kind: 'step'; step: number };

export interface SectionRows {
  rows: ListRow[];
  /** Per step, its row (-1 when its section is collapsed). */
  rowOfStep: Int32Array;
  /** Per step, the index of its section (-1 outside every section, i.e. in the answer). */
  sectionOfStep: Int32Array;
}

/**
 * Flattens `stepCount` steps with their sections into rows. `answerFrom` is the first answer step (`stepCount` or
 * undefined when there is no answer row). Sections must be in order, disjoint and inside the steps; steps of a
 * collapsed section get no row.
 */
export function sectionRows(
  stepCount: number,
  sections: readonly StepGroup[],
  collapsed: ReadonlySet<number>,
  answerFrom?: number,
): SectionRows {
  const sectionOfStep = new Int32Array(stepCount).fill(-1);
  const headAt = new Int32Array(stepCount).fill(-1);
  let previousLast = -1;
  for (const s of sections) {
    if (!(s.firstStep > previousLast && s.firstStep <= s.lastStep && s.lastStep < stepCount))
      throw new Error(
        `section ${s.index + 1} (steps ${s.firstStep + 1}–${s.lastStep + 1}) is out of order, empty or beyond the ${stepCount} steps`,
      );
    headAt[s.firstStep] = s.index;
    sectionOfStep.fill(s.index, s.firstStep, s.lastStep + 1);
    previousLast = s.lastStep;
  }
  const rows: ListRow[] = [];
  const rowOfStep = new Int32Array(stepCount).fill(-1);
  for (let i = 0; i < stepCount; i++) {
    if (headAt[i] >= 0) rows.push({ kind: 'section', section: headAt[i] });
    if (i === answerFrom) rows.push({ kind: 'answer' });
    const section = sectionOfStep[i];
    if (section >= 0 && collapsed.has(section)) continue;
    rowOfStep[i] = rows.length;
    rows.push({ kind: 'step', step: i });
  }
  return { rows, rowOfStep, sectionOfStep };
}

/** A stable key for a row, so a row's measured height and DOM element outlive re-flattening. */
export function rowKey(row: ListRow): string {
  return row.kind === 'step' ? `s${row.step}` : row.kind === 'section' ? `g${row.section}` : 'answer';
}
