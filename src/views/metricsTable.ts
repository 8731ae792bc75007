import { markdownCell } from '../core/analysis/describe';
import { formatPercent } from '../core/metrics/format';
import type { MetricsModel, MetricsRow } from '../protocol/messages';

/** The metrics panel's tables as flat rows: the plain metrics, then per scalar critic the calibrated and upper-bound ones. */
function allRows(model: MetricsModel): { table: string; threshold: number | null; row: MetricsRow }[] {
  const out: { table: string; threshold: number | null; row: MetricsRow }[] = model.rows.map((row) => ({
    table: 'processbench',
    threshold: null,
    row,
  }));
  for (const c of model.calibrations) {
    for (const row of c.rows) out.push({ table: `calibrated on ${c.calibrationSubset}`, threshold: c.threshold, row });
    for (const row of c.upperBound)
      out.push({
        table: 'per-subset optimum (upper bound)',
        threshold: row.kind === 'subset' ? (c.perSubsetThreshold[row.subset] ?? null) : null,
        row,
      });
  }
  return out;
}

const HEADER = ['critic', 'table', 'subset', 'n_error', 'n_correct', 'acc_error', 'acc_correct', 'f1', 'threshold'];

/**
 * CSV of every metrics row; numbers unrounded (percentages), empty when undefined. Text cells are quoted when
 * needed and a leading =, +, - or @ is neutralised so a spreadsheet never evaluates dataset text as a formula.
 */
export function metricsCsv(model: MetricsModel): string {
  const cell = (v: string | number | null): string => {
    if (v === null) return '';
    if (typeof v === 'number') return String(v);
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const lines = [HEADER.join(',')];
  for (const { table, threshold, row } of allRows(model)) {
    lines.push(
      [row.critic, table, row.subset, row.n_error, row.n_correct, row.acc_error, row.acc_correct, row.f1, threshold]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** A Markdown report: one table per critic (percentages with one decimal), calibrated tables for scalar critics. */
export function metricsMarkdown(model: MetricsModel): string {
  const out: string[] = [
    `# ProcessBench metrics: ${markdownCell(model.dataset)}`,
    '',
    `${model.items} items · subsets: ${model.subsets.map(markdownCell).join(', ') || 'none'}`,
    '',
  ];
  const table = (rows: MetricsRow[], thresholds?: Record<string, number | null>) => {
    const head = [
      'subset',
      'n_error',
      'n_correct',
      'acc_error',
      'acc_correct',
      'F1',
      ...(thresholds ? ['threshold'] : []),
    ];
    out.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const r of rows) {
      const cells = [
        markdownCell(r.subset),
        r.n_error ?? '',
        r.n_correct ?? '',
        r.kind === 'subset' ? formatPercent(r.acc_error) : '',
        r.kind === 'subset' ? formatPercent(r.acc_correct) : '',
        formatPercent(r.f1),
      ];
      if (thresholds)
        cells.push(
          r.kind === 'subset' && thresholds[r.subset] !== undefined && thresholds[r.subset] !== null
            ? String(thresholds[r.subset])
            : '',
        );
      out.push(`| ${cells.join(' | ')} |`);
    }
    out.push('');
  };
  for (const critic of model.critics) {
    out.push(`## ${markdownCell(critic)}`, '');
    table(model.rows.filter((r) => r.critic === critic));
    const c = model.calibrations.find((x) => x.critic === critic);
    if (c) {
      out.push(
        `### Threshold ${c.threshold} (F1-optimal on ${markdownCell(c.calibrationSubset)}, applied to every subset)`,
        '',
      );
      table(c.rows);
      out.push('### Each subset at its own optimal threshold (upper bound, not a fair score)', '');
      table(c.upperBound, c.perSubsetThreshold);
    }
    const error = model.calibrationErrors.find((x) => x.critic === critic);
    if (error) out.push(`Threshold calibration: ${markdownCell(error.message)}`, '');
  }
  return out.join('\n');
}
