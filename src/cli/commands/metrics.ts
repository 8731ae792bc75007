import { readResults } from '../../core/datasets/results';
import { ResultRecord } from '../../core/datasets/types';
import { computeMetrics, formatMetricsTable, groupByCritic } from '../../core/metrics/metrics';
import { formatIssue, writeJson } from '../io';

/** `prm-lens metrics`: recomputes the metrics from saved result files. */
export async function metricsCommand(files: string[], json: boolean): Promise<number> {
  const records: ResultRecord[] = [];
  let badInput = false;
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

/** One critic: exactly the metrics object. Several: `{"critics": {id: metrics}}`. */
export function printMetrics(records: ResultRecord[], json: boolean): void {
  const reports = [...groupByCritic(records)].map(([critic, rs]) => [critic, computeMetrics(rs)] as const);
  if (json) {
    writeJson(reports.length === 1 ? reports[0][1] : { critics: Object.fromEntries(reports) });
    return;
  }
  if (reports.length === 0) console.log('no results');
  for (const [critic, report] of reports) {
    console.log(`critic: ${critic}`);
    console.log(formatMetricsTable(report));
    console.log('');
  }
}
