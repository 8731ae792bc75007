import { judgeSteps } from '../../core/analysis/analyze';
import { RemoteError } from '../../core/critics/remote/http/errors';
import { CancelledError, Critic, CriticConfig } from '../../core/critics/types';
import { readDataset } from '../../core/datasets/read';
import { writeResultsAtomic } from '../../core/datasets/results';
import { DatasetItem, ResultRecord } from '../../core/datasets/types';
import { mapConcurrent } from '../../core/util/concurrency';
import { formatIssue } from '../io';
import { buildCritics } from './critics';
import { printMetrics } from './metrics';
import { UsageTotals } from './usage';

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
}

/** Failures no retry or later item can fix: the run stops at the first one instead of repeating it per item. */
const FATAL_KINDS = new Set(['bad-key', 'forbidden', 'unknown-model', 'wrong-url']);

/**
 * Runs critics over ProcessBench-layout datasets, prints the metrics, writes one result line per item and critic.
 * Ctrl-C stops new requests at once; items already judged are kept (and cached, so re-running resumes).
 */
export async function evalCommand(opts: EvalOptions): Promise<number> {
  const { critics: built, cacheDir } = await buildCritics(opts.configs, opts.criticIds, { configFile: opts.configFile, cacheDir: opts.cacheDir });
  const stop = new AbortController();
  const signal = AbortSignal.any([opts.signal, stop.signal]);
  let fatal: RemoteError | undefined;
  const critics = built.map((c) => stopOnFatal(c, (err) => {
    fatal ??= err;
    stop.abort();
  }));
  const records: ResultRecord[] = [];
  const usage = new UsageTotals();
  let badInput = false;
  const failures = new Map<string, { count: number; first: string }>();
  const progress = new Progress();
  try {
    for (const file of opts.datasets) {
      const items = readDataset(file, {
        signal,
        onIssue: (issue) => {
          badInput = true;
          console.error(formatIssue(issue));
        },
      });
      for await (const itemRecords of mapConcurrent(items, opts.concurrency, (item) => judgeItem(item, critics, failures, usage, signal), signal)) {
        if (!itemRecords) continue;
        records.push(...itemRecords);
        progress.tick();
      }
      if (signal.aborted) break;
    }
  } finally {
    for (const c of critics) c.dispose?.();
  }
  progress.done();
  const totals = usage.format();
  if (totals) console.error(`${totals}\n`);
  if (fatal) {
    console.error(`prm-lens: stopped: ${fatal.message}`);
    return 1;
  }
  for (const [criticId, { count, first }] of failures) console.error(`critic ${criticId} failed on ${count} item(s), counted as misses; first error: ${first}`);
  if (opts.signal.aborted) {
    const resume = cacheDir ? `; results of remote critics are cached in ${cacheDir}: run the same command again to resume` : '';
    console.error(`interrupted after ${progress.count} items: the metrics below cover those only${opts.out ? `; ${opts.out} was not written` : ''}${resume}`);
  } else if (opts.out) {
    await writeResultsAtomic(opts.out, records);
    console.error(`wrote ${records.length} result lines to ${opts.out}`);
  }
  printMetrics(records, opts.json);
  if (opts.signal.aborted) return 130;
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

/** One record per critic; undefined when the run was stopped before the item was judged (it is not a miss). */
async function judgeItem(item: DatasetItem, critics: Critic[], failures: Map<string, { count: number; first: string }>, usage: UsageTotals, signal: AbortSignal): Promise<ResultRecord[] | undefined> {
  let judged;
  try {
    judged = await judgeSteps(critics, item.problem, item.steps, signal);
  } catch (err) {
    if (err instanceof CancelledError) return undefined;
    throw err;
  }
  const { results, failures: failed } = judged;
  for (const f of failed) {
    const entry = failures.get(f.criticId) ?? { count: 0, first: `${item.source.file} ${item.id}: ${f.message}` };
    entry.count += 1;
    failures.set(f.criticId, entry);
  }
  for (const r of results) usage.add(r);
  return critics.map((critic) => {
    const result = results.find((r) => r.criticId === critic.id);
    const scores = result?.steps.map((s) => s.score);
    return {
      id: item.id,
      subset: item.subset,
      label: item.label,
      prediction: result ? result.firstError : null,
      critic: critic.id,
      scores: scores && scores.every((s): s is number => s !== null) ? scores : null,
    };
  });
}

/** Progress on stderr at most once a second, so long runs show they are alive without flooding logs. */
class Progress {
  count = 0;
  private readonly started = Date.now();
  private lastPrint = Date.now();

  tick(): void {
    this.count += 1;
    const now = Date.now();
    if (now - this.lastPrint >= 1000) {
      this.lastPrint = now;
      process.stderr.write(`eval: ${this.count} items (${this.rate()} items/s)\n`);
    }
  }

  done(): void {
    process.stderr.write(`eval: ${this.count} items in ${((Date.now() - this.started) / 1000).toFixed(1)} s (${this.rate()} items/s)\n`);
  }

  private rate(): string {
    return (this.count / Math.max(0.001, (Date.now() - this.started) / 1000)).toFixed(1);
  }
}
