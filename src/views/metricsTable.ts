import { markdownCell } from '../core/analysis/describe';
import { formatPercent } from '../core/metrics/format';
import type {
  BonCurvesView,
  Interval,
  MetricsIntervals,
  MetricsModel,
  MetricsRow,
  RowIntervals,
} from '../protocol/messages';
import { METRICS_COLUMNS } from '../protocol/messages';

/** What the exports add when the panel has it: the table's intervals and the best-of-n curves. */
export interface ExportExtras {
  intervals?: MetricsIntervals | null;
  bon?: BonCurvesView | null;
}

/** The intervals of a row of the plain ProcessBench table (the averages have an F1 interval only). */
function rowIntervals(intervals: MetricsIntervals | null | undefined, row: MetricsRow): RowIntervals | undefined {
  const c = intervals?.critics[row.critic];
  if (!c) return undefined;
  if (row.kind === 'subset') return c.subsets[row.subset];
  return { acc_error: null, acc_correct: null, f1: row.kind === 'mean' ? c.mean : c.weighted };
}

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
/** 95% bootstrap bounds of the plain ProcessBench table's values (empty in the calibrated tables). */
const INTERVAL_HEADER = ['acc_error_lo', 'acc_error_hi', 'acc_correct_lo', 'acc_correct_hi', 'f1_lo', 'f1_hi'];

/**
 * CSV of every metrics row; numbers unrounded (percentages), empty when undefined; with intervals, their bounds in
 * six more columns. Text cells are quoted when needed and a leading =, +, - or @ is neutralised so a spreadsheet
 * never evaluates dataset text as a formula.
 */
export function metricsCsv(model: MetricsModel, extras: ExportExtras = {}): string {
  const cell = (v: string | number | null): string => {
    if (v === null) return '';
    if (typeof v === 'number') return String(v);
    const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
    return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const { intervals } = extras;
  const lines = [[...HEADER, ...(intervals ? INTERVAL_HEADER : [])].join(',')];
  for (const { table, threshold, row } of allRows(model)) {
    const values = [
      row.critic,
      table,
      row.subset,
      row.n_error,
      row.n_correct,
      row.acc_error,
      row.acc_correct,
      row.f1,
      threshold,
    ];
    if (intervals) {
      const iv = table === 'processbench' ? rowIntervals(intervals, row) : undefined;
      const bounds = (i: Interval | null | undefined) => [i?.lo ?? null, i?.hi ?? null];
      values.push(...bounds(iv?.acc_error), ...bounds(iv?.acc_correct), ...bounds(iv?.f1));
    }
    lines.push(values.map(cell).join(','));
  }
  return `${lines.join('\n')}\n`;
}

/** A Markdown report: one table per critic (percentages with one decimal), calibrated tables for scalar critics. */
export function metricsMarkdown(model: MetricsModel, extras: ExportExtras = {}): string {
  const out: string[] = [
    `# ProcessBench metrics: ${markdownCell(model.dataset)}`,
    '',
    `${model.items} items · subsets: ${model.subsets.map(markdownCell).join(', ') || 'none'}`,
    '',
  ];
  const { intervals, bon } = extras;
  const withCi = (value: number | null, iv: Interval | null | undefined) =>
    iv && value !== null
      ? `${formatPercent(value)} [${formatPercent(iv.lo)}–${formatPercent(iv.hi)}]`
      : formatPercent(value);
  const table = (rows: MetricsRow[], thresholds?: Record<string, number | null>, ci?: boolean) => {
    const head = [...METRICS_COLUMNS, ...(thresholds ? ['threshold'] : [])];
    out.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
    for (const r of rows) {
      const iv = ci ? rowIntervals(intervals, r) : undefined;
      const cells = [
        markdownCell(r.subset),
        r.n_error ?? '',
        r.n_correct ?? '',
        r.kind === 'subset' ? withCi(r.acc_error, iv?.acc_error) : '',
        r.kind === 'subset' ? withCi(r.acc_correct, iv?.acc_correct) : '',
        withCi(r.f1, iv?.f1),
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
    table(
      model.rows.filter((r) => r.critic === critic),
      undefined,
      true,
    );
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
  if (intervals) {
    out.push(
      `[lo–hi]: 95% bootstrap intervals (items resampled within subset and label, ${intervals.resamples} resamples, seed ${intervals.seed}).`,
      '',
    );
  }
  if (bon) out.push(...bonMarkdown(bon));
  return out.join('\n');
}

/** The best-of-n curves as a Markdown table: accuracy % per n with the 95% band. */
function bonMarkdown(bon: BonCurvesView): string[] {
  const head = ['selector', ...bon.n.map((n) => `n=${n}`)];
  return [
    '## Best-of-n',
    '',
    `${bon.problems} problems, ${bon.samplesPerProblem} solutions per problem; accuracy % of the pick, [95% bootstrap over problems, ${bon.resamples} resamples, seed ${bon.seed}].`,
    '',
    `| ${head.join(' | ')} |`,
    `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`,
    ...bon.series.map(
      (s) =>
        `| ${[markdownCell(s.selector), ...s.values.map((v, j) => `${formatPercent(v)} [${formatPercent(s.lo[j])}–${formatPercent(s.hi[j])}]`)].join(' | ')} |`,
    ),
    '',
  ];
}
