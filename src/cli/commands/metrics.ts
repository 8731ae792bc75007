import { realpath } from 'node:fs/promises';
import { readResults } from '../../core/datasets/results';
import { checkResultsInput } from '../../core/datasets/results-input';
import { ResultRecord } from '../../core/datasets/types';
import {
  failedCount,
  formatMetricsTable,
  formatPercent,
  groupByCritic,
} from '../../core/metrics/metrics';
import { forTerminal } from '../../core/util/terminal';
import { formatIssue, table, writeJson } from '../io';
import { pairwiseAgreement } from '../../core/metrics/agreement';
import { withSectionMetrics } from '../../core/metrics/deltabench';
import { readPrmbenchLabels } from '../../core/datasets/prmbench';
import {
  compareCritics,
  criticStats,
  type CriticComparison,
  type CriticStats,
  type StatsOptions,
} from '../../core/metrics/report';
import { DEFAULT_RESAMPLES } from '../../core/metrics/bootstrap';
import { formatCiTable, formatComparisons, formatPrmbench } from './metrics-stats';

/** `--dataset FILE` (PRMBench labels: adds the PRMScore) and its step `--threshold`, `--ci N` resamples, `--seed`. */
export interface MetricsFlags {
  dataset?: string;
  threshold?: number;
  ci?: number;
  seed?: number;
}

/**
 * `prm-lens metrics`: recomputes the metrics from saved result files. A file named twice (a glob and its name, a
 * link) is read once. A record for an item that a critic already has in an earlier file (same critic, subset and
 * id) is reported and left out, as bad input is: counted twice, an item would weigh twice in the metrics. Repeats
 * within one file are kept, as `eval` wrote them (a dataset that repeats an id).
 */
export async function metricsCommand(files: string[], json: boolean, flags: MetricsFlags = {}): Promise<number> {
  const records: ResultRecord[] = [];
  let badInput = false;
  for (const file of files) await checkResultsInput(file);
  const stats: StatsOptions = flags.ci === undefined ? {} : { ci: { resamples: flags.ci, seed: flags.seed ?? 0 } };
  if (flags.threshold !== undefined) stats.threshold = flags.threshold;
  if (flags.dataset !== undefined) {
    stats.prmbench = await readPrmbenchLabels(flags.dataset, {
      onIssue: (issue) => {
        badInput = true;
        console.error(formatIssue(issue));
      },
    });
    const pastEnd = [...stats.prmbench.values()].filter((l) => l.errorsPastEnd > 0).length;
    if (pastEnd > 0) {
      const what = 'solutions name error steps past their last step (ignored, as PRMBench does)';
      console.error(`${flags.dataset}: ${pastEnd} ${what}`);
    }
  }
  /** The file each (critic, subset, id) was first read from. */
  const firstFile = new Map<string, string>();
  for (const file of await distinctFiles(files)) {
    /** Per earlier file: how many records of this one repeat its items, and the first of them. */
    const repeats = new Map<string, { count: number; first: ResultRecord }>();
    for await (const record of readResults(file, {
      onIssue: (issue) => {
        badInput = true;
        console.error(formatIssue(issue));
      },
    })) {
      const key = JSON.stringify([record.critic, record.subset, record.id]);
      const earlier = firstFile.get(key);
      if (earlier === undefined) firstFile.set(key, file);
      else if (earlier !== file) {
        const tally = repeats.get(earlier) ?? { count: 0, first: record };
        tally.count += 1;
        repeats.set(earlier, tally);
        continue;
      }
      records.push(record);
    }
    for (const [earlier, { count, first }] of repeats) {
      badInput = true;
      const { critic, subset, id } = first;
      const item = `critic ${JSON.stringify(critic)}, subset ${JSON.stringify(subset)}, id ${JSON.stringify(id)}`;
      console.error(
        forTerminal(
          `${file}: ${count} record(s) for items already read from ${earlier} (the first: ${item}); ` +
            'left out, so that each item counts once per critic',
        ),
      );
    }
  }
  printMetrics(records, json, stats);
  return badInput ? 2 : 0;
}

/** The files in order, each once: a file named again (by another path or a link) is reported and skipped. */
async function distinctFiles(files: readonly string[]): Promise<string[]> {
  const named = new Map<string, string>();
  const distinct: string[] = [];
  for (const file of files) {
    const real = await realpath(file);
    const first = named.get(real);
    if (first === undefined) {
      named.set(real, file);
      distinct.push(file);
    } else {
      console.error(forTerminal(`${file}: the same file as ${first}; its results are counted once`));
    }
  }
  return distinct;
}

/**
 * One critic: its metrics table (JSON: exactly the metrics object). Several: one row per critic and their pairwise
 * agreement on the first-error index (JSON: `{"critics": {id: metrics}, "agreement": [...]}`). Failed items (lines
 * with "error") are counted apart per subset (`n_failed`) and left out of the accuracies and the agreement.
 * With `stats`: `ci` objects beside the values, a `prmbench` block per critic, and between critics `comparisons`
 * (paired bootstrap, under --ci).
 */
export function printMetrics(records: ResultRecord[], json: boolean, stats: StatsOptions = {}): void {
  const groups = [...groupByCritic(records)];
  // Section-level critics on DeltaBench items add DeltaBench's scores per subset (`sections`).
  const reports = groups.map(([critic, rs]) => [critic, withSectionMetrics(criticStats(rs, stats), rs)] as const);
  const answered = records.filter((r) => r.error === undefined);
  const comparisons = stats.ci && groups.length > 1 ? compareCritics(groups, stats.ci, stats) : undefined;
  if (json) {
    const several = {
      critics: Object.fromEntries(reports),
      agreement: pairwiseAgreement(answered),
      ...(comparisons ? { comparisons } : {}),
    };
    writeJson(reports.length === 1 ? reports[0][1] : several);
    return;
  }
  if (reports.length === 0) {
    console.log('no results');
    return;
  }
  if (reports.length === 1) {
    console.log(forTerminal(`critic: ${reports[0][0]}`));
    console.log(formatMetricsTable(reports[0][1]));
    printStats(reports, stats);
    return;
  }
  const subsets = [...new Set(reports.flatMap(([, r]) => Object.keys(r.subsets)))].sort();
  const anyFailed = reports.some(([, r]) => failedCount(r) > 0);
  const rows = groups.map(([critic, rs], i) => {
    const report = reports[i][1];
    const unpredicted = rs.filter((r) => r.prediction === null && r.error === undefined).length;
    const failed = anyFailed ? [String(failedCount(report))] : [];
    const f1s = subsets.map((s) => formatPercent(report.subsets[s]?.f1 ?? null));
    const means = [formatPercent(report.f1_mean), formatPercent(report.f1_weighted)];
    return [critic, String(rs.length), String(unpredicted), ...failed, ...f1s, ...means];
  });
  const counts = ['critic', 'items', 'no_prediction', ...(anyFailed ? ['failed'] : [])];
  console.log(table([...counts, ...subsets.map((s) => `F1 ${s}`), 'F1 mean', 'F1 weighted'], rows));
  if (anyFailed) console.log('failed: items the critic failed on, left out of the F1s and the agreement (not misses)');
  console.log('');
  console.log('Pairwise agreement on the first-error index (items judged by both; kappa = agreement beyond chance):');
  console.log(
    table(
      ['critic A', 'critic B', 'items', 'agree %', 'kappa'],
      pairwiseAgreement(answered).map((p) => [p.a, p.b, String(p.n), formatPercent(p.agreement), p.kappa === null ? '—' : p.kappa.toFixed(3)]),
    ),
  );
  printStats(reports, stats, comparisons);
}

/** The intervals, PRMScores and critic comparisons in text, after the ProcessBench tables. */
function printStats(
  reports: ReadonlyArray<readonly [string, CriticStats]>,
  stats: StatsOptions,
  comparisons?: CriticComparison[],
): void {
  const level = stats.ci?.level ?? 0.95;
  const named = reports.length > 1;
  for (const [critic, report] of reports) {
    if (stats.ci && 'ci' in report) {
      const about = `${stats.ci.resamples ?? DEFAULT_RESAMPLES} resamples, seed ${stats.ci.seed ?? 0}`;
      console.log('');
      console.log(`${named ? `${critic}: ` : ''}bootstrap intervals (${about}):`);
      console.log(formatCiTable(report, level));
    }
    if (report.prmbench) {
      console.log('');
      if (named) console.log(`critic: ${critic}`);
      console.log(formatPrmbench(report.prmbench));
    }
  }
  if (comparisons) {
    console.log('');
    console.log('Paired bootstrap comparisons (items both critics answered; p two-sided, from the bootstrap):');
    console.log(formatComparisons(comparisons, level));
  }
}
