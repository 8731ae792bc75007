import { performance } from 'node:perf_hooks';
import { judgeSteps } from '../analysis/analyze';
import { CancelledError, type Critic, type CriticResult } from '../critics/types';
import type { DatasetItem, ResultRecord } from '../datasets/types';
import { mapConcurrent } from '../util/concurrency';
import { itemContentKey } from './identity';
import { answerOf, buildRecord, type Answer } from './record';
import type { RunStore } from './resultCache';
import { errorMessage } from '../util/errors';

/** A critic of a run with its cache identity (criticIdentity of its configuration). */
export interface RunCritic {
  id: string;
  identity: string;
  critic: Critic;
}

/** Where a run stands. `total` is undefined when the input was not counted. */
export interface RunCounts {
  total: number | undefined;
  /** Items finished: judged (even if a critic failed on them) or found in the store. */
  done: number;
  /** Items whose every answer came from the store. */
  cached: number;
  /** Item–critic pairs that failed. */
  failed: number;
  elapsedMs: number;
}

export interface ItemFailure {
  critic: string;
  message: string;
}

/** One item of a run, in input order. */
export interface ItemOutcome {
  /** The item's position in the input. */
  position: number;
  item: DatasetItem;
  /** One results line per critic that answered or failed, in critic order (a cancelled critic has none). */
  records: ResultRecord[];
  failures: ItemFailure[];
  /** Results the critics returned in this run (not from the store): their usage and timing. */
  results: CriticResult[];
  /** Every answer came from the store: nothing was asked. */
  cached: boolean;
  /** The run was cancelled before every critic had answered: neither a failure nor a miss, and not done. */
  cancelled: boolean;
}

export interface RunOptions {
  critics: readonly RunCritic[];
  /** Items judged at once. */
  concurrency: number;
  signal?: AbortSignal;
  /** Answers already known are not asked again (so a cancelled run resumes); new ones are put there. */
  store?: RunStore;
  /** The number of input items, when known (for progress). */
  total?: number;
  /** The item's content key, when the caller has it already (default itemContentKey). */
  content?: (item: DatasetItem, position: number) => string;
  onProgress?: (counts: RunCounts) => void;
}

/**
 * The run engine of `prm-lens eval` and the dataset view: judges items with every critic, `concurrency` items at a
 * time, and yields one outcome per item in input order with its results lines built by the one record builder.
 * Item–critic pairs found in the store are not asked again; new answers are stored, failures never are (a re-run
 * retries exactly those). Cancelling stops new items at once; the critics that finished keep their answers.
 */
export async function* runItems(
  items: AsyncIterable<DatasetItem> | Iterable<DatasetItem>,
  opts: RunOptions,
): AsyncGenerator<ItemOutcome> {
  const started = performance.now();
  const counts: RunCounts = { total: opts.total, done: 0, cached: 0, failed: 0, elapsedMs: 0 };
  const report = () => opts.onProgress?.({ ...counts, elapsedMs: performance.now() - started });
  const content = opts.content ?? itemContentKey;
  let position = 0;
  const numbered = async function* () {
    for await (const item of items) yield { item, position: position++ };
  };
  report();
  try {
    for await (const outcome of mapConcurrent(
      numbered(),
      opts.concurrency,
      (n) => judgeItem(n.item, n.position, content(n.item, n.position), opts),
      opts.signal,
    )) {
      if (!outcome.cancelled) counts.done += 1;
      if (outcome.cached) counts.cached += 1;
      counts.failed += outcome.failures.length;
      report();
      yield outcome;
    }
  } finally {
    await opts.store?.flush();
  }
}

async function judgeItem(item: DatasetItem, position: number, content: string, opts: RunOptions): Promise<ItemOutcome> {
  const { critics, store, signal } = opts;
  const answers = new Map<string, Answer | { error: string }>();
  for (const c of critics) {
    const known = store?.get(c.identity, content, item.steps.length);
    if (known) answers.set(c.id, known);
  }
  const asked = critics.filter((c) => !answers.has(c.id));
  const outcome = {
    position,
    item,
    failures: [] as ItemFailure[],
    results: [] as CriticResult[],
    cached: asked.length === 0,
    cancelled: false,
  };
  if (asked.length > 0) {
    try {
      const judged = await judgeSteps(
        asked.map((c) => c.critic),
        item.problem,
        item.steps,
        signal,
        { keepFinished: true, sections: item.sections, thinkingSteps: item.thinkingSteps },
      );
      for (const result of judged.results) {
        const c = asked.find((x) => x.id === result.criticId);
        if (!c) continue;
        const answer = answerOf(result, item.steps.length);
        answers.set(c.id, answer);
        store?.put(c.identity, content, answer);
        outcome.results.push(result);
      }
      for (const f of judged.failures) {
        if (f.cancelled) continue;
        answers.set(f.criticId, { error: f.message });
        outcome.failures.push({ critic: f.criticId, message: f.message });
      }
      // Cancelled only if a critic was cut short: one that answered before the abort still counts.
      outcome.cancelled = judged.failures.some((f) => f.cancelled);
    } catch (e) {
      if (e instanceof CancelledError) outcome.cancelled = true;
      else {
        // A critic that throws before it even starts fails the item like one that rejects; the run goes on.
        const message = errorMessage(e);
        for (const c of asked) {
          answers.set(c.id, { error: message });
          outcome.failures.push({ critic: c.id, message });
        }
      }
    }
  }
  const records: ResultRecord[] = [];
  for (const c of critics) {
    const answer = answers.get(c.id);
    if (answer) records.push(buildRecord(item, c.id, answer));
  }
  return { ...outcome, records };
}
