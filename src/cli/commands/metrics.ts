import { readResults } from '../../core/datasets/results';
import { checkResultsInput } from '../../core/datasets/results-input';
import { ResultRecord } from '../../core/datasets/types';
import { computeMetrics, formatMetricsTable, formatPercent, groupByCritic } from '../../core/metrics/metrics';
import { formatIssue, table, writeJson } from '../io';
import { pairwiseAgreement } from './agreement';

/** `prm-lens metrics`: recomputes the metrics from saved result files. */
export async function metricsCommand(files: string[], json: boolean): Promise<number> {
  const records: ResultRecord[] = [];
  let badInput = false;
  for (const file of files) await checkResultsInput(file);
  for (const file of files) {
    for await (const record of readResults(file, {
      onIssue: (issue) => {
        badInput = true;
        console.error(formatIssue(issue));
      },
    })) {
      records.push(record);
    }
  }
  printMetrics(records, json);
  return badInput ? 2 : 0;
}

/**
 * One critic: its metrics table (JSON: exactly the metrics object). Several: one row per critic and their pairwise
 * agreement on the first-error index (JSON: `{"critics": {id: metrics}, "agreement": [...]}`).
 */
export function printMetrics(records: ResultRecord[], json: boolean): void {
  const groups = [...groupByCritic(records)];
  const reports = groups.map(([critic, rs]) => [critic, computeMetrics(rs)] as const);
  if (json) {
    writeJson(reports.length === 1 ? reports[0][1] : { critics: Object.fromEntries(reports), agreement: pairwiseAgreement(records) });
    return;
  }
  if (reports.length === 0) {
    console.log('no results');
    return;
  }
  if (reports.length === 1) {
    console.log(`critic: ${reports[0][0]}`);
    console.log(formatMetricsTable(reports[0][1]));
    return;
  }
  const subsets = [...new Set(reports.flatMap(([, r]) => Object.keys(r.subsets)))].sort();
  const rows = groups.map(([critic, rs], i) => {
    const report = reports[i][1];
    const unpredicted = rs.filter((r) => r.prediction === null).length;
    return [critic, String(rs.length), String(unpredicted), ...subsets.map((s) => formatPercent(report.subsets[s]?.f1 ?? null)), formatPercent(report.f1_mean), formatPercent(report.f1_weighted)];
  });
  console.log(table(['critic', 'items', 'no_prediction', ...subsets.map((s) => `F1 ${s}`), 'F1 mean', 'F1 weighted'], rows));
  console.log('');
  console.log('Pairwise agreement on the first-error index (items judged by both; kappa = agreement beyond chance):');
  console.log(
    table(
      ['critic A', 'critic B', 'items', 'agree %', 'kappa'],
      pairwiseAgreement(records).map((p) => [p.a, p.b, String(p.n), formatPercent(p.agreement), p.kappa === null ? '—' : p.kappa.toFixed(3)]),
    ),
  );
}
