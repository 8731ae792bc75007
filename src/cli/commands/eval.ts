import type { SubsetReport } from '../../core/datasets/subsets';
import { isCachedResult } from '../../core/critics/cache';
import { RemoteError } from '../../core/critics/remote/http/errors';
import { selectCritics } from '../../core/critics/registry';
import { Critic, CriticConfig } from '../../core/critics/types';
import { readDataset } from '../../core/datasets/read';
import { writeResultsAtomic } from '../../core/datasets/results';
import { DatasetItem, ResultRecord } from '../../core/datasets/types';
import { countRecords } from '../../core/run/count';
import { runItems, type RunCounts, type RunCritic } from '../../core/run/engine';
import { criticIdentity } from '../../core/critics/identity';
import { formatIssue } from '../io';
import { ProgressReporter } from '../progress';
import { buildCritics, criticBaseDir } from './critics';
import { printMetrics } from './metrics';
import { UsageTotals } from './usage';
import { forTerminal } from '../../core/util/terminal';

export interface EvalOptions {
  datasets: string[];
  configs: CriticConfig[];
  configFile?: string;
  criticIds: string[];
  out?: string;
  json: boolean;
  concurrency: number;
  /** null: no result cache. */
  cacheDir: string | null;
  signal: AbortSignal;
  /** No progress on stderr. */
  quiet?: boolean;
}

/** Failures no retry or later item can fix: the run stops at the first one instead of repeating it per item. */
const FATAL_KINDS = new Set(['bad-key', 'forbidden', 'unknown-model', 'wrong-url']);

/**
 * Runs critics over ProcessBench-layout datasets, prints the metrics, writes one result line per item and critic.
 * Ctrl-C stops new requests at once; items already judged are kept (and cached, so re-running resumes).
 */
export async function evalCommand(opts: EvalOptions): Promise<number> {
  const { critics: built, cacheDir } = await buildCritics(opts.configs, opts.criticIds, {
    configFile: opts.configFile,
    cacheDir: opts.cacheDir,
  });
  const configs = selectCritics(opts.configs, opts.criticIds);
  const baseDir = criticBaseDir(opts.configFile);
  const critics = built.map((critic, k) => ({
    id: critic.id,
    identity: criticIdentity(configs[k], { baseDir }),
    critic,
  }));
  try {
    return await evaluate(critics, { ...opts, cacheDir });
  } finally {
    for (const c of built) c.dispose?.();
  }
}

/**
 * The CLI's adapter of the run engine: the items of every dataset in turn, progress and messages on stderr, the
 * metrics on stdout, the results file. Exit code: 1 when a critic failed on any item (its lines say why), 130 when
 * interrupted, 2 when input records were bad, else 0.
 */
export async function evaluate(
  critics: readonly RunCritic[],
  opts: Omit<EvalOptions, 'configs' | 'criticIds' | 'cacheDir'> & { cacheDir?: string },
): Promise<number> {
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);
  let fatal: RemoteError | undefined;
  const guarded = critics.map((c) => ({
    ...c,
    critic: stopOnFatal(c.critic, (err) => {
      fatal ??= err;
      stop.abort();
    }),
  }));
  const progress = opts.quiet ? undefined : new ProgressReporter({ stream: process.stderr, now: () => Date.now() });
  // Messages quote servers and datasets: control characters are neutralised before they reach the terminal.
  const say = (message: string) =>
    progress ? progress.log(forTerminal(message)) : console.error(forTerminal(message));
  let badInput = false;
  const items = async function* (): AsyncGenerator<DatasetItem> {
    for (const file of opts.datasets) {
      if (signal.aborted) return;
      yield* readDataset(file, {
        signal,
        onIssue: (issue) => {
          badInput = true;
          say(formatIssue(issue));
        },
        onSubsets: (report) => report.subsets.length > 0 && say(subsetRuleLine(report)),
      });
    }
  };
  // The total is counted up front (cheap, no parsing); an unreadable file is reported when it is read.
  const counted = progress ? await Promise.all(opts.datasets.map((f) => countRecords(f).catch(() => 0))) : undefined;
  const total = counted?.reduce((a, b) => a + b, 0);
  const records: ResultRecord[] = [];
  const usage = new UsageTotals();
  const failures = new Map<string, { count: number; first: string }>();
  let done = 0;
  // Remote critics' answers come from their own cache (see buildCritics): counted as cached for the progress rate.
  let cached = 0;
  let counts: RunCounts | undefined;
  const onProgress = (c: RunCounts) => (counts = c);
  const run = runItems(items(), { critics: guarded, concurrency: opts.concurrency, signal, total, onProgress });
  for await (const outcome of run) {
    for (const r of outcome.results) usage.add(r);
    if (outcome.results.length > 0 && outcome.results.every(isCachedResult)) cached += 1;
    if (counts) progress?.update({ ...counts, cached: counts.cached + cached, tokens: usage.tokens() });
    for (const f of outcome.failures) {
      const first = `${outcome.item.source.file} ${outcome.item.id}: ${f.message}`;
      const entry = failures.get(f.critic) ?? { count: 0, first };
      entry.count += 1;
      failures.set(f.critic, entry);
    }
    records.push(...outcome.records);
    if (!outcome.cancelled) done += 1;
  }
  progress?.finish();
  const totals = usage.format();
  if (totals) console.error(`${totals}\n`);
  for (const line of usage.lenientOnlyLines()) console.error(forTerminal(line));
  if (fatal) {
    console.error(forTerminal(`prm-lens: stopped: ${fatal.message}`));
    return 1;
  }
  for (const [criticId, { count, first }] of failures) {
    console.error(
      `critic ${criticId} failed on ${count} item(s): recorded as failures ("error" in their lines), left out of ` +
        `the metrics; run again to retry them. First error: ${first}`,
    );
  }
  if (opts.signal.aborted) {
    const resume = opts.cacheDir
      ? `; results of remote critics are cached in ${opts.cacheDir}: run the same command again to resume`
      : '';
    console.error(
      `interrupted after ${done} items: the metrics below cover those only${opts.out ? `; ${opts.out} was not written` : ''}${resume}`,
    );
  } else if (opts.out) {
    await writeResultsAtomic(opts.out, records);
    console.error(`wrote ${records.length} result lines to ${opts.out}`);
  }
  printMetrics(records, opts.json);
  if (opts.signal.aborted) return 130;
  if (failures.size > 0) return 1;
  return badInput ? 2 : 0;
}

function stopOnFatal(critic: Critic, onFatal: (err: RemoteError) => void): Critic {
  return {
    id: critic.id,
    type: critic.type,
    label: critic.label,
    score: (input) =>
      critic.score(input).catch((err: unknown) => {
        if (err instanceof RemoteError && FATAL_KINDS.has(err.kind)) onFatal(err);
        throw err;
      }),
    dispose: () => critic.dispose?.(),
  };
}

const RULE_NAMES: Record<SubsetReport['rule'], string> = {
  field: 'from the records\' "subset"',
  'id-prefix': 'from the id prefix',
  'file-name': 'from the file name',
};

/** Which rule gave a dataset file's subsets, e.g. "gsm8k.jsonl: subsets: from the id prefix (gsm8k, math, …)". */
export function subsetRuleLine({ file, rule, subsets }: SubsetReport): string {
  const shown = subsets.length > 6 ? [...subsets.slice(0, 6), '…'] : subsets;
  return `${file}: subsets: ${RULE_NAMES[rule]} (${shown.join(', ')})`;
}
