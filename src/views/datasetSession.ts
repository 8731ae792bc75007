import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Critic } from '../core/critics/types';
import { FORMAT_NAMES, type DatasetFormat } from '../core/datasets/formats';
import { readDataset } from '../core/datasets/read';
import type { DatasetItem, InputIssue, ResultRecord } from '../core/datasets/types';
import { runItems } from '../core/run/engine';
import { itemContentKey } from '../core/run/identity';
import { buildRecord } from '../core/run/record';
import type { ResultCache } from '../core/run/resultCache';
import type { IssueSummary, ItemPrediction, ItemSummary, RunProgress } from '../protocol/messages';
import { searchItems, summarizeItem } from './datasetList';
import { errorMessage } from '../core/util/errors';

/**
 * A critic of a run. `config` is its cache identity (criticIdentity of its configuration): results are kept per
 * identity, so only settings that change answers make a critic run again.
 */
export interface RunCritic {
  id: string;
  config: string;
  critic: Critic;
}

export type SessionEvent =
  | { type: 'items'; items: ItemSummary[] }
  | { type: 'format'; format: string }
  | { type: 'issues'; issues: IssueSummary[]; total: number; skipped: number }
  /** The file changed on disk and is being read again: everything known about its items was dropped. */
  | { type: 'reset' }
  | { type: 'loaded' }
  /** New results for these items (null: any item, e.g. the cache was read). */
  | { type: 'results'; indices: number[] | null }
  | { type: 'progress'; progress: RunProgress };

/** Items are announced in batches this large (or after this long), so the list fills while the file streams. */
const BATCH_ITEMS = 500;
const BATCH_MS = 100;
/** Issues kept for display; all are counted. */
const MAX_ISSUES = 1000;
/** A run yields to the event loop after this much continuous work, so the extension host stays responsive. */
const SLICE_MS = 12;

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * One dataset file opened in the editor: its items (streamed, malformed records reported with their line), content
 * hashes, cached results, and runs of critics over it. Shared by every view of the file and the metrics panel;
 * free of VS Code so it is tested in plain Node.
 */
export class DatasetSession {
  readonly name: string;
  readonly items: DatasetItem[] = [];
  readonly summaries: ItemSummary[] = [];
  /** Each item's content key: what its answers are stored under, with a critic's identity. */
  private readonly contents: string[] = [];
  readonly issues: IssueSummary[] = [];
  issueCount = 0;
  /** Records left out because of a problem (by position: one record can have several problems). */
  private readonly skippedAt = new Set<string>();
  format: DatasetFormat | null = null;
  loadMs = 0;
  loadError: string | undefined;
  /** How many times the file was read again after a change on disk. */
  reloads = 0;
  private reading: Promise<void>;
  private done = false;
  private cacheRead = false;
  /** Why a critic failed on an item's content, until it answers: exported as failure lines, never stored. */
  private readonly failures = new Map<string, string>();
  private readonly listeners = new Set<(e: SessionEvent) => void>();
  private running: { controller: AbortController; finished: Promise<unknown> } | undefined;
  private lastProgress: RunProgress | undefined;

  constructor(
    readonly file: string,
    private readonly cache: ResultCache,
  ) {
    this.name = basename(file);
    this.reading = this.load();
  }

  /** Settles when the file has been read (the latest reading, after a reload). */
  get loaded(): Promise<void> {
    return this.reading;
  }

  /**
   * Reads the file again after a change on disk: a run in progress is cancelled first (its finished results stay
   * cached, keyed by item content, so unchanged items keep them), then every view hears `reset` and the items
   * stream in again. Calls made while a reload is pending join it.
   */
  reload(): Promise<void> {
    this.running?.controller.abort();
    const previous = this.reading;
    this.reading = (async () => {
      await previous;
      await this.running?.finished;
      this.items.length = 0;
      this.summaries.length = 0;
      this.contents.length = 0;
      this.issues.length = 0;
      this.issueCount = 0;
      this.skippedAt.clear();
      this.format = null;
      this.loadError = undefined;
      this.lastProgress = undefined;
      this.done = false;
      this.reloads += 1;
      this.emit({ type: 'reset' });
      await this.load();
    })();
    return this.reading;
  }

  get skippedCount(): number {
    return this.skippedAt.size;
  }

  get isLoaded(): boolean {
    return this.done;
  }

  get formatName(): string | null {
    return this.format && FORMAT_NAMES[this.format];
  }

  get progress(): RunProgress | undefined {
    return this.lastProgress;
  }

  on(listener: (e: SessionEvent) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(e: SessionEvent): void {
    // A copy: a listener may subscribe again while it handles the event.
    for (const l of [...this.listeners]) l(e);
  }

  private async load(): Promise<void> {
    const started = performance.now();
    // The store is read once per session; an unreadable one is an empty one (running again rebuilds it).
    const cache = this.cacheRead ? Promise.resolve() : this.cache.load().catch(() => undefined);
    this.cacheRead = true;
    await Promise.all([cache, this.readItems()]);
    this.loadMs = performance.now() - started;
    this.done = true;
    this.emit({ type: 'loaded' });
    if (this.cache.size > 0) this.emit({ type: 'results', indices: null });
  }

  private async readItems(): Promise<void> {
    let batch: ItemSummary[] = [];
    let issueBatch = false;
    let last = performance.now();
    const flush = () => {
      if (batch.length) this.emit({ type: 'items', items: batch });
      if (issueBatch)
        this.emit({ type: 'issues', issues: this.issues, total: this.issueCount, skipped: this.skippedCount });
      batch = [];
      issueBatch = false;
      last = performance.now();
    };
    const onIssue = (issue: InputIssue) => {
      this.issueCount += 1;
      // Problems that drop a record say so ("…; record skipped"); the others only ignore a field.
      if (/skipped$|stopped reading/.test(issue.message))
        this.skippedAt.add(String(issue.line ?? issue.index ?? 'file'));
      issueBatch = true;
      if (this.issues.length < MAX_ISSUES) {
        this.issues.push({
          ...(issue.line !== undefined ? { line: issue.line } : {}),
          ...(issue.index !== undefined ? { index: issue.index } : {}),
          ...(issue.field ? { field: issue.field } : {}),
          message: issue.message,
        });
      }
    };
    try {
      for await (const item of readDataset(this.file, { onIssue, onFormat: (f) => this.setFormat(f) })) {
        const i = this.items.length;
        this.items.push(item);
        this.contents.push(itemContentKey(item));
        const summary = summarizeItem(item, i);
        this.summaries.push(summary);
        batch.push(summary);
        if (batch.length >= BATCH_ITEMS || performance.now() - last > BATCH_MS) {
          flush();
          await yieldToLoop();
        }
      }
    } catch (e) {
      this.loadError = errorMessage(e);
    }
    flush();
  }

  private setFormat(format: DatasetFormat): void {
    this.format = format;
    this.emit({ type: 'format', format: FORMAT_NAMES[format] });
  }

  private key(critic: { config: string }, i: number): string {
    return `${critic.config}:${this.contents[i]}`;
  }

  /** Each item's stored predictions by the given critics (items without any are left out). */
  predictions(
    critics: readonly { id: string; config: string }[],
    indices?: readonly number[],
  ): { i: number; predictions: ItemPrediction[] }[] {
    const out: { i: number; predictions: ItemPrediction[] }[] = [];
    for (const i of indices ?? this.items.keys()) {
      const predictions: ItemPrediction[] = [];
      for (const c of critics) {
        const r = this.cache.get(c.config, this.contents[i], this.items[i].steps.length);
        if (r) predictions.push({ critic: c.id, prediction: r.prediction, scores: r.scores });
      }
      if (predictions.length) out.push({ i, predictions });
    }
    return out;
  }

  /**
   * Results in the CLI's format (dataset order, then critic order): the results file and the metrics' input. Built
   * by the one record builder, so they are the lines `prm-lens eval` writes for the same items and answers; a
   * critic's failure in this session is a failure line until it answers.
   */
  records(critics: readonly { id: string; config: string }[]): ResultRecord[] {
    const out: ResultRecord[] = [];
    for (let i = 0; i < this.items.length; i++) {
      for (const c of critics) {
        const answer = this.cache.get(c.config, this.contents[i], this.items[i].steps.length);
        const error = answer ? undefined : this.failures.get(this.key(c, i));
        if (answer) out.push(buildRecord(this.items[i], c.id, answer));
        else if (error !== undefined) out.push(buildRecord(this.items[i], c.id, { error }));
      }
    }
    return out;
  }

  search(query: string): number[] {
    return searchItems(this.items, query);
  }

  get isRunning(): boolean {
    return this.running !== undefined;
  }

  cancel(): void {
    this.running?.controller.abort();
  }

  /**
   * Runs the critics over the items at `indices` with the run engine, skipping item–critic pairs already stored (so
   * a cancelled run resumes where it stopped). Answers are stored as they complete; a critic's failure on an item is
   * counted and not stored (running again retries it). Resolves to the final progress.
   */
  async run(critics: readonly RunCritic[], indices: readonly number[], concurrency = 4): Promise<RunProgress> {
    const busy = () => {
      if (this.running) throw new Error('a run over this dataset is already in progress');
    };
    busy();
    await this.loaded;
    busy(); // another run may have started while the file was being read
    const controller = new AbortController();
    let finish = () => {};
    this.running = { controller, finished: new Promise<void>((resolve) => (finish = resolve)) };
    const chosen = indices.filter((i) => i >= 0 && i < this.items.length);
    const progress: RunProgress = { running: true, total: chosen.length, done: 0, cached: 0, failed: 0 };
    let firstFailure: string | undefined;
    let changed = new Set<number>();
    let lastEmit = -Infinity;
    const emitProgress = (force: boolean) => {
      const now = performance.now();
      if (!force && now - lastEmit < 150) return;
      lastEmit = now;
      const indices = [...changed];
      changed = new Set();
      if (indices.length) this.emit({ type: 'results', indices });
      this.lastProgress = { ...progress, ...(firstFailure ? { message: firstFailure } : {}) };
      this.emit({ type: 'progress', progress: this.lastProgress });
    };
    emitProgress(true);
    const engineCritics = critics.map((c) => ({ id: c.id, identity: c.config, critic: c.critic }));
    try {
      let sliceStart = performance.now();
      const outcomes = runItems(
        chosen.map((i) => this.items[i]),
        {
          critics: engineCritics,
          concurrency,
          signal: controller.signal,
          store: this.cache,
          total: chosen.length,
          content: (_, at) => this.contents[chosen[at]],
        },
      );
      for await (const out of outcomes) {
        const i = chosen[out.position];
        for (const c of critics) {
          const failure = out.failures.find((f) => f.critic === c.id);
          if (failure) this.failures.set(this.key(c, i), failure.message);
          else if (out.records.some((r) => r.critic === c.id)) this.failures.delete(this.key(c, i));
        }
        if (!out.cached && out.records.length) changed.add(i);
        if (!out.cancelled) progress.done += 1;
        if (out.cached) progress.cached += 1;
        progress.failed += out.failures.length;
        firstFailure ??= out.failures.map((f) => `${f.critic} on ${out.item.id}: ${f.message}`)[0];
        emitProgress(false);
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToLoop();
          sliceStart = performance.now();
        }
      }
    } finally {
      progress.running = false;
      if (controller.signal.aborted)
        firstFailure = `cancelled after ${progress.done} of ${progress.total} items; run again to resume`;
      try {
        emitProgress(true);
      } finally {
        this.running = undefined;
        finish();
      }
    }
    return this.lastProgress ?? progress;
  }
}
