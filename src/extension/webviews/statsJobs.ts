import { Worker } from 'node:worker_threads';
import * as path from 'node:path';
import type { ResultRecord } from '../../core/datasets/types';
import type { BonCurvesView, MetricsIntervals } from '../../protocol/messages';
import type { BonCurvesOptions } from '../../views/bonCurves';
import type { BonData } from '../../views/bonData';
import type { IntervalOptions } from '../../views/metricsIntervals';

/** Work the stats worker does (statsWorker.ts). */
export type StatsJob =
  | { kind: 'intervals'; records: readonly ResultRecord[]; options: IntervalOptions }
  | { kind: 'bon'; data: BonData; options: BonCurvesOptions };

export type StatsResult = { kind: 'intervals'; intervals: MetricsIntervals } | { kind: 'bon'; bon: BonCurvesView };

export type StatsReply = { id: number; result: StatsResult; error?: undefined } | { id: number; error: string };

/**
 * The host's side of the stats worker: started on the first job, one job at a time in order, stopped with the
 * panel. A worker that dies fails the jobs waiting on it; the next job starts a new one.
 */
export class StatsWorker {
  private worker: Worker | undefined;
  private nextId = 0;
  private readonly waiting = new Map<number, { resolve: (r: StatsResult) => void; reject: (e: Error) => void }>();

  constructor(private readonly extensionPath: string) {}

  intervals(records: readonly ResultRecord[], options: IntervalOptions = {}): Promise<MetricsIntervals> {
    return this.run({ kind: 'intervals', records, options }).then(
      (r) => (r as { intervals: MetricsIntervals }).intervals,
    );
  }

  bon(data: BonData, options: BonCurvesOptions): Promise<BonCurvesView> {
    return this.run({ kind: 'bon', data, options }).then((r) => (r as { bon: BonCurvesView }).bon);
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
      if (this.worker === worker) this.worker = undefined;
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
    this.worker = undefined;
    void worker?.terminate();
  }
}
