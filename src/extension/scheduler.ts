/** A run started by the scheduler: cancelled when a newer one starts, and able to tell whether it still counts. */
export interface ScheduledRun {
  readonly signal: AbortSignal;
  /** True while no newer run started for its key and the key was not cancelled: only then may it show results. */
  isCurrent(): boolean;
  /** Aborts this run (a person pressed Cancel); it stays current, so the critics that finished still show. */
  cancel(): void;
  /** The run is over (idempotent): its key stops counting as running. */
  finish(): void;
}

interface Entry {
  generation: number;
  timer?: ReturnType<typeof setTimeout>;
  running?: AbortController;
}

/**
 * When runs happen, per key (a document): at most one run at a time (starting one cancels the previous), a
 * debounced start after edits, and cancellation. It knows nothing of what a run does, and nothing of VS Code.
 */
export class RunScheduler {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(key: string) => void>();

  /** Starts a run: a pending debounced start is dropped and a run in progress is aborted. */
  start(key: string, external?: AbortSignal): ScheduledRun {
    const entry = this.entry(key);
    clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.running?.abort();
    const controller = new AbortController();
    entry.running = controller;
    const generation = ++entry.generation;
    if (external?.aborted) controller.abort();
    else external?.addEventListener('abort', () => controller.abort(), { once: true });
    this.notify(key);
    let finished = false;
    return {
      signal: controller.signal,
      isCurrent: () => this.entries.get(key) === entry && entry.generation === generation,
      cancel: () => controller.abort(),
      finish: () => {
        if (finished) return;
        finished = true;
        if (entry.running !== controller) return;
        entry.running = undefined;
        this.notify(key);
      },
    };
  }

  /** Calls `task` after `delayMs` unless another debounce, a start or a cancel for the key comes first. */
  debounce(key: string, delayMs: number, task: () => void): void {
    const entry = this.entry(key);
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      task();
    }, delayMs);
  }

  isRunning(key: string): boolean {
    return this.entries.get(key)?.running !== undefined;
  }

  /** Drops a pending start and aborts the run in progress; no earlier run of the key is current any more. */
  cancel(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    clearTimeout(entry.timer);
    const wasRunning = entry.running !== undefined;
    entry.running?.abort();
    entry.running = undefined;
    if (wasRunning) this.notify(key);
  }

  /** Calls `listener` with the key whenever a key starts or stops running. */
  onDidChangeRunning(listener: (key: string) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  dispose(): void {
    this.listeners.clear();
    for (const key of [...this.entries.keys()]) this.cancel(key);
  }

  private entry(key: string): Entry {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { generation: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private notify(key: string): void {
    for (const listener of this.listeners) listener(key);
  }
}
