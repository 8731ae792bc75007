import { realpath } from 'node:fs/promises';
import { readResults } from '../../core/datasets/results';
import { checkResultsInput } from '../../core/datasets/results-input';
import { ResultRecord } from '../../core/datasets/types';
import { failedCount, formatMetricsTable, formatPercent, groupByCritic } from '../../core/metrics/metrics';
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
import { rethreshold, type ThresholdUsed, type UpperBound } from '../../core/metrics/protocol';
import { errorMessage } from '../../core/util/errors';

/**
 * `--dataset FILE` (PRMBench labels: adds the PRMScore), `--ci N` resamples, `--seed`, and the step threshold that
 * turns a scalar critic's scores into predictions (ProcessBench's and the PRMScore's alike): `--threshold T` given,
 * or `--calibrate-on SUBSET` (ProcessBench's protocol). Without either, critics' own predictions stand and the
 * PRMScore uses 0.5.
 */
export interface MetricsFlags {
  dataset?: string;
  threshold?: number;
  calibrateOn?: string;
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
  const protocol =
    flags.calibrateOn !== undefined
      ? { calibrateOn: flags.calibrateOn }
      : flags.threshold !== undefined
        ? { threshold: flags.threshold }
        : undefined;
  if (protocol === undefined) {
    printMetrics(records, json, stats);
    return badInput ? 2 : 0;
  }
  const thresholds = new Map<string, CriticThreshold | null>();
  const rethresholded: ResultRecord[] = [];
  for (const [critic, rs] of groupByCritic(records)) {
    try {
      const r = rethreshold(rs, protocol);
      thresholds.set(critic, r === undefined ? null : { threshold: r.threshold, upperBound: r.upperBound });
      rethresholded.push(...(r?.records ?? rs));
    } catch (err) {
      badInput = true;
      console.error(forTerminal(`critic ${critic}: ${errorMessage(err)}`));
      thresholds.set(critic, null);
      rethresholded.push(...rs);
    }
  }
  printMetrics(rethresholded, json, stats, thresholds);
  return badInput ? 2 : 0;
}

/** The step threshold a scalar critic's predictions were recomputed at; null: its own predictions stand. */
export interface CriticThreshold {
  threshold: ThresholdUsed;
  upperBound?: UpperBound;
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
 * (paired bootstrap, under --ci). With `thresholds` (--threshold or --calibrate-on): per critic the step threshold
 * used, `{"value", "calibrated_on" | "given"}` (null for a critic without scores), and the per-subset optimum.
 */
export function printMetrics(
  records: ResultRecord[],
  json: boolean,
  stats: StatsOptions = {},
  thresholds?: ReadonlyMap<string, CriticThreshold | null>,
): void {
  const groups = [...groupByCritic(records)];
  // Section-level critics on DeltaBench items add DeltaBench's scores per subset (`sections`).
  const reports = groups.map(([critic, rs]) => {
    const used = thresholds?.get(critic);
    const report: CriticStats & { threshold?: ThresholdUsed | null; upper_bound?: UpperBound } = withSectionMetrics(
      criticStats(rs, used ? { ...stats, threshold: used.threshold.value } : stats),
      rs,
    );
    if (thresholds !== undefined) report.threshold = used?.threshold ?? null;
    if (used?.upperBound) report.upper_bound = used.upperBound;
    return [critic, report] as const;
  });
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
    printThresholds(reports, thresholds);
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
      pairwiseAgreement(answered).map((p) => [
        p.a,
        p.b,
        String(p.n),
        formatPercent(p.agreement),
        p.kappa === null ? '—' : p.kappa.toFixed(3),
      ]),
    ),
  );
  printThresholds(reports, thresholds);
  printStats(reports, stats, comparisons);
}

/** Which step threshold each critic's predictions come from and, when calibrated, each subset's own optimum. */
function printThresholds(
  reports: ReadonlyArray<readonly [string, CriticStats]>,
  thresholds: ReadonlyMap<string, CriticThreshold | null> | undefined,
): void {
  if (thresholds === undefined) return;
  console.log('');
  console.log('Step threshold (a step is correct when its score is above it; predictions recomputed from the scores):');
  for (const [critic] of reports) {
    const used = thresholds.get(critic);
    if (!used) {
      console.log(forTerminal(`${critic}: its own predictions (no step scores on every item, or no calibration)`));
      continue;
    }
    const t = used.threshold;
    const how = 'given' in t ? 'given' : `calibrated on ${t.calibrated_on} (ProcessBench's protocol)`;
    console.log(forTerminal(`${critic}: ${t.value} ${how}`));
    if (used.upperBound) {
      const at = Object.entries(used.upperBound.thresholds).map(([s, t]) => `${s} ${t ?? '—'}`);
      console.log(forTerminal(`${critic}: upper bound, each subset at its own optimal threshold (${at.join(', ')}):`));
      console.log(formatMetricsTable(used.upperBound));
    }
  }
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
