// The metrics panel's worker thread (dist/stats-worker.js): bootstrap intervals and best-of-n curves take from
// tens of milliseconds to seconds on large datasets, so they run here and the extension host stays responsive.
// Pure view-model functions only: no vscode in this bundle.
import { parentPort } from 'node:worker_threads';
import { errorMessage } from '../../core/util/errors';
import { bonCurvesView } from '../../views/bonCurves';
import { metricsIntervals } from '../../views/metricsIntervals';
import type { StatsJob, StatsReply, StatsResult } from './statsJobs';

function run(job: StatsJob): StatsResult {
  switch (job.kind) {
    case 'intervals':
      return { kind: 'intervals', intervals: metricsIntervals(job.records, job.options) };
    case 'bon':
      return { kind: 'bon', bon: bonCurvesView(job.data, job.options) };
  }
}

parentPort?.on('message', ({ id, job }: { id: number; job: StatsJob }) => {
  let reply: StatsReply;
  try {
    reply = { id, result: run(job) };
  } catch (e) {
    reply = { id, error: errorMessage(e) };
  }
  parentPort!.postMessage(reply);
});
