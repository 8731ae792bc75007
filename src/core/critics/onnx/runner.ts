import { ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Socket } from 'node:net';
import { setPriority } from 'node:os';
import path from 'node:path';
import { CancelledError } from '../types';
import { HostMessage, HostRequest, ModelInfo, Progress, SolutionInput, SolutionScores } from './protocol';
import type { ValidationReport } from './validate';

/**
 * Runs a local PRM in a child process. onnxruntime's `run()` blocks its thread and cannot be interrupted, and a
 * worker terminated mid-run aborts the whole process, so inference lives in a process of its own: cancelling kills
 * it at once, a native crash kills only it, the next request starts a new one, and while it lives the model stays
 * loaded. After `idleMs` without work it exits and frees the model's memory.
 */

export interface RunnerOptions {
  folder: string;
  /** The host entry point (dist/onnx-host.js). */
  hostScript: string;
  /** Read when the model is (re)loaded: onnxruntime intra-op threads, 0 = one per physical core. */
  threads: () => number;
  /** Read after each job: unload after this long idle; 0 = keep the model loaded. */
  idleMs: () => number;
}

interface Job {
  solutions: SolutionInput[];
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  resolve(value: SolutionScores[]): void;
  reject(err: Error): void;
  onAbort?: () => void;
}

/** A request without its id (distributed over the union so each kind keeps its fields). */
type RequestBody = HostRequest extends infer R ? (R extends HostRequest ? Omit<R, 'id'> : never) : never;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  onProgress?: (p: Progress) => void;
}

/** Solutions merged into one request when several critics calls wait (the host batches them in forward passes). */
const MAX_MERGED = 16;
const STDERR_TAIL = 2000;
/** Niceness of the host process (a lower scheduling priority than the editor). */
const HOST_NICENESS = 10;

/** Where the host script is: next to the bundle (dist/onnx-host.js) or, compiled by tsc, in src/onnx-host/. */
export function defaultHostScript(): string {
  const candidates = [
    path.join(__dirname, 'onnx-host.js'),
    path.resolve(__dirname, '..', '..', '..', 'onnx-host', 'main.js'),
  ];
  return candidates.find((c) => existsSync(c)) ?? candidates[0];
}

export class OnnxRunner {
  private child: ChildProcess | undefined;
  private info: ModelInfo | undefined;
  private loadedThreads = -1;
  private stderr = '';
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly queue: Job[] = [];
  private running: Job[] | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly options: RunnerOptions) {}

  /** The loaded model's description, once a run has loaded it. */
  get model(): ModelInfo | undefined {
    return this.info;
  }

  /** The host process id while one runs (for diagnostics). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** True while a host process (and so the model) is alive. */
  get alive(): boolean {
    return this.child !== undefined;
  }

  score(
    solutions: SolutionInput[],
    signal?: AbortSignal,
    onProgress?: (p: Progress) => void,
  ): Promise<SolutionScores[]> {
    if (this.disposed) return Promise.reject(new Error('this local model has been closed'));
    if (signal?.aborted) return Promise.reject(new CancelledError());
    return new Promise<SolutionScores[]>((resolve, reject) => {
      const job: Job = { solutions, signal, onProgress, resolve, reject };
      job.onAbort = () => this.abort(job);
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.queue.push(job);
      this.pump();
    });
  }

  /** Loads the model now (and returns what it is) without scoring anything. */
  async load(onProgress?: (p: Progress) => void): Promise<ModelInfo> {
    await this.score([], undefined, onProgress);
    return this.info as ModelInfo;
  }

  /** Checks the model folder in the host process (where the native tokenizer lives) without loading the model. */
  async validate(): Promise<ValidationReport> {
    if (this.disposed) throw new Error('this local model has been closed');
    this.spawn();
    const report = (await this.request(
      { kind: 'validate', folder: this.options.folder },
      () => undefined,
    )) as ValidationReport;
    this.scheduleIdle();
    return report;
  }

  dispose(): void {
    this.disposed = true;
    const closed = new Error('this local model has been closed');
    const running = this.running ?? [];
    this.running = undefined;
    for (const job of [...running, ...this.queue.splice(0)]) this.settle(job, closed);
    this.kill();
  }

  private abort(job: Job): void {
    const queued = this.queue.indexOf(job);
    if (queued >= 0) {
      this.queue.splice(queued, 1);
      this.settle(job, new CancelledError());
      return;
    }
    if (!this.running?.includes(job)) return;
    // run() cannot be interrupted: end the process. Jobs merged into the same request go back to the queue.
    const others = this.running.filter((j) => j !== job);
    this.running = undefined;
    this.kill();
    this.settle(job, new CancelledError());
    this.queue.unshift(...others);
    this.pump();
  }

  private settle(job: Job, err: Error | undefined, value?: SolutionScores[]): void {
    if (job.onAbort) job.signal?.removeEventListener('abort', job.onAbort);
    if (err) job.reject(err);
    else job.resolve(value ?? []);
  }

  private pump(): void {
    if (this.running || this.queue.length === 0 || this.disposed) return;
    clearTimeout(this.idleTimer);
    const jobs: Job[] = [];
    let count = 0;
    while (this.queue.length > 0 && (jobs.length === 0 || count + this.queue[0].solutions.length <= MAX_MERGED)) {
      const job = this.queue.shift() as Job;
      jobs.push(job);
      count += job.solutions.length;
    }
    this.running = jobs;
    void this.execute(jobs);
  }

  private async execute(jobs: Job[]): Promise<void> {
    const progress = (p: Progress) => jobs.forEach((j) => j.onProgress?.(p));
    let result: SolutionScores[] | undefined;
    let error: Error | undefined;
    try {
      await this.ensureLoaded(progress);
      const solutions = jobs.flatMap((j) => j.solutions);
      result =
        solutions.length > 0 ? ((await this.request({ kind: 'score', solutions }, progress)) as SolutionScores[]) : [];
    } catch (err) {
      error = err instanceof Error ? err : new Error(String(err));
    }
    // Cancelled meanwhile: abort() already settled these jobs and moved on.
    if (this.running !== jobs) return;
    this.running = undefined;
    let offset = 0;
    for (const job of jobs) {
      this.settle(job, error, result?.slice(offset, offset + job.solutions.length));
      offset += job.solutions.length;
    }
    this.scheduleIdle();
    this.pump();
  }

  private async ensureLoaded(progress: (p: Progress) => void): Promise<void> {
    const threads = this.options.threads();
    if (this.child && this.info && this.loadedThreads === threads) return;
    if (this.child && this.info) this.kill();
    this.spawn();
    progress({ stage: 'loading', message: `loading ${path.basename(this.options.folder)}` });
    this.info = (await this.request({ kind: 'load', folder: this.options.folder, threads }, progress)) as ModelInfo;
    this.loadedThreads = threads;
  }

  private spawn(): void {
    if (this.child) return;
    if (!existsSync(this.options.hostScript))
      throw new Error(
        `PRM Lens cannot find its ONNX host at ${this.options.hostScript}; rebuild or reinstall the extension`,
      );
    // In VS Code process.execPath is the editor's own binary: ELECTRON_RUN_AS_NODE makes it a plain Node.
    const child = fork(this.options.hostScript, [], {
      execPath: process.execPath,
      execArgv: [],
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child = child;
    // Inference takes every core it is given; when cores are contended the editor's own thread must win.
    try {
      if (child.pid !== undefined) setPriority(child.pid, HOST_NICENESS);
    } catch {
      // Not permitted here: the host runs at normal priority.
    }
    this.stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL);
    });
    child.on('message', (msg: HostMessage) => this.onMessage(msg));
    child.on('error', (err) => this.onExit(child, `could not start: ${err.message}`));
    child.on('exit', (code, signal) =>
      this.onExit(child, signal ? `was killed by ${signal}` : `exited with code ${code}`),
    );
  }

  private onMessage(msg: HostMessage): void {
    const pending = this.pending.get(msg.id);
    if (!pending) return;
    if (msg.kind === 'progress') {
      pending.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.kind === 'result') pending.resolve(msg.value);
    else pending.reject(new Error(msg.message));
    if (this.pending.size === 0) this.setRef(false);
  }

  private onExit(child: ChildProcess, how: string): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.info = undefined;
    const tail = this.stderr.trim().split('\n').slice(-5).join('\n');
    const err = new Error(
      `the local model's process ${how} while ${this.pending.size > 0 ? 'working' : 'idle'}; it restarts on the next run${tail ? `\n${tail}` : ''}`,
    );
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private request(body: RequestBody, onProgress: (p: Progress) => void): Promise<unknown> {
    const child = this.child;
    if (!child?.connected) return Promise.reject(new Error("the local model's process is not running"));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.setRef(true);
      child.send({ ...body, id } as HostRequest);
    });
  }

  /** An idle host must not keep a CLI run (or the test runner) alive; a busy one must. */
  private setRef(on: boolean): void {
    const child = this.child;
    if (!child) return;
    const handles = [child, child.channel, child.stderr as Socket | null];
    for (const h of handles) {
      if (h && on) h.ref();
      else if (h) h.unref();
    }
  }

  private scheduleIdle(): void {
    clearTimeout(this.idleTimer);
    const ms = this.options.idleMs();
    if (ms <= 0 || !this.child) return;
    this.idleTimer = setTimeout(() => {
      if (!this.running && this.queue.length === 0) this.kill();
    }, ms);
    this.idleTimer.unref();
  }

  private kill(): void {
    clearTimeout(this.idleTimer);
    const child = this.child;
    if (!child) return;
    this.onExit(child, 'was stopped');
    child.kill('SIGKILL');
  }
}
