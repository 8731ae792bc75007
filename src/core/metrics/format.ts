import type { MetricsReport } from './types';
import { forTerminal } from '../util/terminal';

/** A percentage with one decimal, "—" when undefined (rounding happens only here, for display). */
export function formatPercent(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

const HEADER = ['subset', 'n_error', 'n_correct', 'acc_error', 'acc_correct', 'F1'];

/**
 * An aligned plain-text table: one row per subset, then the plain and the size-weighted average of the F1s. When
 * a critic failed on some items, an `n_failed` column counts them and a last line says they are left out.
 */
export function formatMetricsTable(report: MetricsReport): string {
  const failures = Object.values(report.subsets).some((m) => m.n_failed);
  const header = failures ? [...HEADER.slice(0, 3), 'n_failed', ...HEADER.slice(3)] : HEADER;
  const rows = Object.entries(report.subsets).map(([name, m]) => [
    forTerminal(name),
    String(m.n_error),
    String(m.n_correct),
    ...(failures ? [String(m.n_failed ?? 0)] : []),
    formatPercent(m.acc_error),
    formatPercent(m.acc_correct),
    formatPercent(m.f1),
  ]);
  const blank = header.slice(2).map(() => '');
  rows.push(['average (mean of subset F1)', ...blank, formatPercent(report.f1_mean)]);
  rows.push(['average (weighted by size)', ...blank, formatPercent(report.f1_weighted)]);
  const all = [header, ...rows];
  // A loop, not Math.max(...rows): one argument per subset row.
  const widths = header.map((_, col) => all.reduce((w, row) => Math.max(w, row[col].length), 0));
  // The name column is left-aligned, the numbers right-aligned.
  const render = (row: string[]): string =>
    row
      .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col])))
      .join('  ')
      .trimEnd();
  const lines = [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(render)];
  if (failures) {
    lines.push('n_failed: items the critic failed on, left out of acc_error, acc_correct and F1 (not misses)');
  }
  return lines.join('\n');
}
