import type { MetricsReport } from './types';

/** A percentage with one decimal, "—" when undefined (rounding happens only here, for display). */
export function formatPercent(value: number | null): string {
  return value === null ? '—' : value.toFixed(1);
}

const HEADER = ['subset', 'n_error', 'n_correct', 'acc_error', 'acc_correct', 'F1'];

/** An aligned plain-text table: one row per subset, then the plain and the size-weighted average of the F1s. */
export function formatMetricsTable(report: MetricsReport): string {
  const rows = Object.entries(report.subsets).map(([name, m]) => [
    name,
    String(m.n_error),
    String(m.n_correct),
    formatPercent(m.acc_error),
    formatPercent(m.acc_correct),
    formatPercent(m.f1),
  ]);
  rows.push(['average (mean of subset F1)', '', '', '', '', formatPercent(report.f1_mean)]);
  rows.push(['average (weighted by size)', '', '', '', '', formatPercent(report.f1_weighted)]);
  const all = [HEADER, ...rows];
  const widths = HEADER.map((_, col) => Math.max(...all.map((row) => row[col].length)));
  // The name column is left-aligned, the numbers right-aligned.
  const render = (row: string[]): string => row.map((cell, col) => (col === 0 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ').trimEnd();
  return [render(HEADER), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(render)].join('\n');
}
