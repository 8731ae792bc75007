import { judgeSteps } from '../../core/analysis/analyze';
import { createCritic, selectCritics } from '../../core/critics/registry';
import { Critic, CriticConfig } from '../../core/critics/types';
import { readDataset } from '../../core/datasets/read';
import { writeResultsAtomic } from '../../core/datasets/results';
import { DatasetItem, ResultRecord } from '../../core/datasets/types';
import { mapConcurrent } from '../../core/util/concurrency';
import { formatIssue } from '../io';
import { printMetrics } from './metrics';

export interface EvalOptions {
  datasets: string[];
  configs: CriticConfig[];
  criticIds: string[];
  out?: string;
  json: boolean;
  concurrency: number;
  signal: AbortSignal;
}

/** Runs critics over ProcessBench-layout datasets, prints the metrics, writes one result line per item and critic. */
export async function evalCommand(opts: EvalOptions): Promise<number> {
  const critics = await Promise.all(selectCritics(opts.configs, opts.criticIds).map(createCritic));
  const records: ResultRecord[] = [];
  let badInput = false;
  const failures = new Map<string, { count: number; first: string }>();
  const progress = new Progress();
  try {
    for (const file of opts.datasets) {
      const items = readDataset(file, {
        signal: opts.signal,
        onIssue: (issue) => {
          badInput = true;
          console.error(formatIssue(issue));
        },
      });
      for await (const itemRecords of mapConcurrent(items, opts.concurrency, (item) => judgeItem(item, critics, failures, opts.signal), opts.signal)) {
        records.push(...itemRecords);
        progress.tick();
      }
      if (opts.signal.aborted) break;
    }
  } finally {
    for (const c of critics) c.dispose?.();
  }
  progress.done();
  for (const [criticId, { count, first }] of failures) console.error(`critic ${criticId} failed on ${count} item(s), counted as misses; first error: ${first}`);
  if (opts.signal.aborted) {
    console.error(`interrupted after ${progress.count} items: the metrics below cover those only${opts.out ? `; ${opts.out} was not written` : ''}`);
  } else if (opts.out) {
    await writeResultsAtomic(opts.out, records);
    console.error(`wrote ${records.length} result lines to ${opts.out}`);
  }
  printMetrics(records, opts.json);
  if (opts.signal.aborted) return 130;
  return badInput ? 2 : 0;
}

async function judgeItem(item: DatasetItem, critics: Critic[], failures: Map<string, { count: number; first: string }>, signal: AbortSignal): Promise<ResultRecord[]> {
  const { results, failures: failed } = await judgeSteps(critics, item.problem, item.steps, signal).catch(() => ({ results: [], failures: [] }));
  for (const f of failed) {
    const entry = failures.get(f.criticId) ?? { count: 0, first: `${item.source.file} ${item.id}: ${f.message}` };
    entry.count += 1;
    failures.set(f.criticId, entry);
  }
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
