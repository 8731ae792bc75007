import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { ResultRecord } from '../../core/datasets/types';
import type { BonCurvesView, BonProblemView, MetricsIntervals } from '../../protocol/messages';
import type { IntervalOptions } from '../../views/metricsIntervals';

/**
 * Work the stats worker does (statsWorker.ts). Best-of-N data lives in the worker: it reads the file (once per
 * `reading`), joins the results, draws the curves and ranks a problem's solutions, so answer grading (mathjs) never
 * loads into the extension host.
 */
export type StatsJob =
  | { kind: 'intervals'; records: readonly ResultRecord[]; options: IntervalOptions }
  | {
      kind: 'bon';
      file: string;
      /** Changes when the dataset is read again after a change on disk. */
      reading: number;
      /**
       * The critics' results to join; null: the same as the previous best-of-N job's (a score change), so the worker
       * keeps its joined and prepared samples and neither the results nor the answers are copied or graded again.
       */
      results: readonly ResultRecord[] | null;
      score: string | null;
      /** With the bootstrap bands, or the curves alone (sooner; the panel asks for the bands next). */
      bands: boolean;
    }
  | { kind: 'problem'; problem: string; selector: string };

/** The curves (null: fewer than two solutions per problem) and how many records were not usable as samples. */
export interface BonOutcome {
  curves: BonCurvesView | null;
  issues: number;
}

export type StatsResult =
  | { kind: 'intervals'; intervals: MetricsIntervals }
  | { kind: 'bon'; bon: BonOutcome }
  | { kind: 'problem'; problem: BonProblemView };

export type StatsReply = { id: number; result: StatsResult; error?: undefined } | { id: number; error: string };

/**
 * The host's side of the stats worker: started on the first job, one job at a time in order, stopped with the
 * panel. A worker that dies fails the jobs waiting on it; the next job starts a new one (which reads the file again).
 */
export class StatsWorker {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: StatsResult) => void; reject: (e: Error) => void }>();
  /** What the running worker last joined (the results by identity): the same again is sent with results null. */
  private joined: { file: string; reading: number; results: readonly ResultRecord[] } | undefined;

  constructor(private readonly extensionPath: string) {}

  async intervals(records: readonly ResultRecord[], options: IntervalOptions = {}): Promise<MetricsIntervals> {
    const r = await this.run({ kind: 'intervals', records, options });
    if (r.kind !== 'intervals') throw new Error(`the metrics worker answered ${r.kind} to intervals`);
    return r.intervals;
  }

  /** Best-of-N curves; the file, reading and very results array of the previous call again send no results. */
  async bon(job: {
    file: string;
    reading: number;
    results: readonly ResultRecord[];
    score: string | null;
    bands: boolean;
  }): Promise<BonOutcome> {
    const { file, reading, results } = job;
    const last = this.joined;
    const same = last?.file === file && last.reading === reading && last.results === results;
    this.joined = { file, reading, results };
    let r: StatsResult;
    try {
      r = await this.run({ kind: 'bon', ...job, results: same ? null : results });
    } catch (e) {
      // The worker dropped what it had joined: the next job sends the results again.
      this.joined = undefined;
      throw e;
    }
    if (r.kind !== 'bon') throw new Error(`the metrics worker answered ${r.kind} to bon`);
    return r.bon;
  }

  async problem(problem: string, selector: string): Promise<BonProblemView> {
    const r = await this.run({ kind: 'problem', problem, selector });
    if (r.kind !== 'problem') throw new Error(`the metrics worker answered ${r.kind} to problem`);
    return r.problem;
  }

  private run(job: StatsJob): Promise<StatsResult> {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<StatsResult>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, job });
    });
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(path.join(this.extensionPath, 'dist', 'stats-worker.js'));
    worker.on('message', (reply: StatsReply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.error !== undefined) waiter?.reject(new Error(reply.error));
      else waiter?.resolve(reply.result);
    });
    const fail = (e: Error) => {
      if (this.worker === worker) [this.worker, this.joined] = [undefined, undefined];
      for (const w of this.waiting.values()) w.reject(e);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the metrics worker stopped (exit code ${code})`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  dispose(): void {
    const worker = this.worker;
    [this.worker, this.joined] = [undefined, undefined];
    void worker?.terminate();
  }
}
