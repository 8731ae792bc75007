import { readBonSamples } from '../../core/datasets/bon-samples';
import { readResults } from '../../core/datasets/results';
import { checkResultsInput } from '../../core/datasets/results-input';
import { BonCollector } from '../../core/bon/collect';
import { bestOfNReport, type BonReport } from '../../core/bon/curves';
import type { BootstrapOptions, Interval } from '../../core/metrics/bootstrap';
import { formatIssue, table, UsageError, writeJson } from '../io';

export interface BonCommandOptions {
  files: string[];
  /** The n of the curves, or undefined: 1, 2, 4, … N. */
  n?: number[];
  samplesPerProblem?: number;
  /** Critics whose results to use (default every critic in the results files). */
  critics?: string[];
  results: string[];
  json: boolean;
  /** Seeded bootstrap 95% intervals over problems for every point (`--ci [N] [--seed S]`). */
  ci?: BootstrapOptions;
  signal?: AbortSignal;
}

/**
 * `prm-lens bon`: best-of-n accuracy curves from files of several solutions per problem, with step scores joined
 * from results files by solution id. Bad records are reported on stderr and skipped; exit 2 when there were any.
 */
export async function bonCommand(opts: BonCommandOptions): Promise<number> {
  if (opts.critics && opts.results.length === 0) {
    throw new UsageError('--critic needs --results RESULTS.jsonl to read its step scores from');
  }
  let badInput = false;
  const onIssue = (issue: Parameters<typeof formatIssue>[0]): void => {
    badInput = true;
    console.error(formatIssue(issue));
  };
  for (const file of opts.results) await checkResultsInput(file);
  const collector = new BonCollector(opts.results.length > 0);
  for (const file of opts.files) {
    for await (const record of readBonSamples(file, { onIssue, signal: opts.signal })) collector.add(record);
  }
  const seen = new Set<string>();
  let unmatched = 0;
  for (const file of opts.results) {
    for await (const result of readResults(file, { onIssue, signal: opts.signal })) {
      if (opts.critics && !opts.critics.includes(result.critic)) continue;
      seen.add(result.critic);
      if (!collector.addResult(result)) unmatched += 1;
    }
  }
  const missing = (opts.critics ?? []).filter((c) => !seen.has(c));
  if (missing.length > 0) throw new UsageError(`--critic ${missing.join(', ')}: no such critic in the results files`);
  if (unmatched > 0) console.error(`prm-lens: ${unmatched} results line(s) matched no solution id; ignored`);
  const problems = collector.result();
  if (problems.length === 0) throw new UsageError('no usable solutions in the input');
  const most = problems.reduce((m, p) => Math.max(m, p.samples.length), 0);
  const slots = opts.samplesPerProblem ?? most;
  if (most > slots) console.error(`prm-lens: problems with over ${slots} solutions: only the first ${slots} are used`);
  const over = opts.n?.find((n) => n > slots);
  if (over !== undefined) throw new UsageError(`--n ${over} is more than the ${slots} solutions per problem`);
  const report = bestOfNReport(problems, {
    slots,
    ...(opts.n ? { n: opts.n } : {}),
    ...(opts.ci ? { ci: opts.ci } : {}),
  });
  if (opts.json) writeJson(report);
  else printReport(report);
  return badInput ? 2 : 0;
}

function printReport(r: BonReport): void {
  console.log(`${r.problems} problems, ${r.samples_per_problem} solutions per problem; accuracy % of the pick at n:`);
  const rows = Object.entries(r.curves).map(([name, points]) => {
    const se = r.standard_error[name];
    return [name, ...points.map((v, i) => (se && se[i] > 0 ? `${v.toFixed(1)}±${se[i].toFixed(1)}` : v.toFixed(1)))];
  });
  console.log(table(['selector', ...r.n.map((n) => `n=${n}`)], rows));
  if (r.ci) {
    console.log('\n95% bootstrap intervals over problems (%):');
    console.log(table(['selector', ...r.n.map((n) => `n=${n}`)], intervalRows(r.ci)));
  }
  const subsets = Object.keys(r.subsets);
  if (subsets.length > 1) {
    for (const subset of subsets) {
      const s = r.subsets[subset];
      console.log(`\n${subset} (${s.problems} problems):`);
      const subsetRows = Object.entries(s.curves).map(([name, points]) => [name, ...points.map((v) => v.toFixed(1))]);
      console.log(table(['selector', ...r.n.map((n) => `n=${n}`)], subsetRows));
      if (s.ci) console.log(table(['95% interval', ...r.n.map((n) => `n=${n}`)], intervalRows(s.ci)));
    }
  }
  const processRows = Object.entries(r.process).flatMap(([name, d]) => [
    ...Object.entries(d.wrong_process).map(([judge, v]) => [name, `wrong step (${judge})`, ...v.map(percent)]),
    ...(d.lowest_before_final ? [[name, 'lowest step before the last', ...d.lowest_before_final.map(percent)]] : []),
  ]);
  if (processRows.length > 0) {
    console.log('\nProcess vs outcome: % of correct picks with a wrong step; % of picks with the lowest step earlier:');
    console.log(table(['selector', 'share', ...r.n.map((n) => `n=${n}`)], processRows));
  }
}

function percent(v: number | null): string {
  return v === null ? '—' : v.toFixed(1);
}

function intervalRows(ci: Record<string, Interval[]>): string[][] {
  return Object.entries(ci).map(([name, points]) => [
    name,
    ...points.map((i) => `${i.lo.toFixed(1)}–${i.hi.toFixed(1)}`),
  ]);
}
