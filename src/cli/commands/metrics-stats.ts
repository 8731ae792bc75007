import type { Interval, MetricsReportWithCi, PairedDifference, PrmScoreWithCi } from '../../core/metrics/bootstrap';
import { formatPercent } from '../../core/metrics/metrics';
import type { PrmScoreMetrics } from '../../core/metrics/prmbench';
import type { CriticComparison, PrmbenchSection } from '../../core/metrics/report';
import { table } from '../io';

/** "[lo, hi]" with one decimal (percentages), "—" when undefined. */
function formatInterval(ci: Interval | null | undefined): string {
  return ci ? `[${ci.lo.toFixed(1)}, ${ci.hi.toFixed(1)}]` : '—';
}

/** The 95% intervals of a critic's ProcessBench metrics, one row per subset then the two averages. */
export function formatCiTable(report: MetricsReportWithCi, level: number): string {
  const rows = Object.entries(report.subsets).map(([name, m]) => [
    name,
    formatInterval(m.ci.acc_error),
    formatInterval(m.ci.acc_correct),
    formatInterval(m.ci.f1),
  ]);
  rows.push(['average (mean of subset F1)', '', '', formatInterval(report.ci.f1_mean)]);
  rows.push(['average (weighted by size)', '', '', formatInterval(report.ci.f1_weighted)]);
  const pct = Math.round(level * 100);
  return table(['subset', `acc_error ${pct}% CI`, `acc_correct ${pct}% CI`, `F1 ${pct}% CI`], rows);
}

/** PRMBench's PRMScore per category and overall (with intervals when computed), and what was left out. */
export function formatPrmbench(section: PrmbenchSection): string {
  const withCi = 'ci' in section.overall;
  const row = (name: string, m: PrmScoreMetrics | PrmScoreWithCi): string[] => [
    name,
    String(m.n_items),
    String(m.n_steps),
    formatPercent(m.f1),
    formatPercent(m.negative_f1),
    formatPercent(m.prmscore),
    ...('ci' in m ? [formatInterval(m.ci.prmscore)] : []),
  ];
  const rows = Object.entries(section.categories).map(([name, m]) => row(name, m));
  rows.push(row('overall (all but "correct")', section.overall));
  const header = ['category', 'solutions', 'steps', 'F1', 'negative F1', 'PRMScore'];
  if (withCi) header.push('PRMScore CI');
  const c = section.coverage;
  const left = [
    [c.failed, 'failed'],
    [c.no_scores, 'without a score for every step'],
    [c.step_mismatch, 'with another number of steps than the dataset'],
    [c.not_in_dataset, 'not in the PRMBench file'],
  ].filter(([n]) => (n as number) > 0);
  const lines = [
    `PRMBench PRMScore (step level; a step is predicted correct when its score > ${section.threshold}):`,
    table(header, rows),
  ];
  if (left.length > 0) lines.push(`left out: results ${left.map(([n, what]) => `${n} ${what}`).join(', ')}`);
  if (c.not_evaluated > 0) {
    lines.push(`not evaluated: ${c.not_evaluated} solutions of the PRMBench file have no result`);
  }
  return lines.join('\n');
}

function formatDifference(d: PairedDifference | null | undefined): string[] {
  if (!d) return ['—', '—', '—'];
  return [d.diff.toFixed(1), formatInterval(d), d.p.toFixed(3)];
}

/** Paired bootstrap comparisons of the critics: A minus B, its interval and two-sided p-value. */
export function formatComparisons(comparisons: readonly CriticComparison[], level: number): string {
  const prm = comparisons.some((c) => c.prmscore !== undefined);
  const pct = Math.round(level * 100);
  const rows = comparisons.map((c) => [
    c.a,
    c.b,
    String(c.items),
    ...formatDifference(c.f1_mean),
    ...(prm ? formatDifference(c.prmscore) : []),
  ]);
  const header = ['critic A', 'critic B', 'items', 'F1 mean A−B', `${pct}% CI`, 'p'];
  if (prm) header.push('PRMScore A−B', `${pct}% CI`, 'p');
  return table(header, rows);
}
