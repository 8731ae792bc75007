// The metrics panel's worker thread (dist/stats-worker.js): bootstrap intervals and everything best-of-N (reading
// the file, grading answers with mathjs, curves, a problem's ranking) take from tens of milliseconds to seconds on
// large datasets, so they run here and the extension host stays responsive. Pure code only: no vscode here.
import { parentPort } from 'node:worker_threads';
import { readBonSamples, type BonRecord } from '../../core/datasets/bon-samples';
import { errorMessage } from '../../core/util/errors';
import { bonCurvesView } from '../../views/bonCurves';
import { collectBon, mostSamples, type BonData } from '../../views/bonData';
import { problemView } from '../../views/bonProblem';
import { metricsIntervals } from '../../views/metricsIntervals';
import type { BonOutcome, StatsJob, StatsResult } from './statsJobs';

/** The file's records as last read, and the data the last curves were drawn from (the problem view ranks it). */
let read: { file: string; reading: number; records: BonRecord[]; issues: number } | undefined;
let data: BonData | null = null;

async function bon(job: Extract<StatsJob, { kind: 'bon' }>): Promise<BonOutcome> {
  if (read?.file !== job.file || read.reading !== job.reading) {
    const records: BonRecord[] = [];
    let issues = 0;
    for await (const r of readBonSamples(job.file, { onIssue: () => (issues += 1) })) records.push(r);
    read = { file: job.file, reading: job.reading, records, issues };
  }
  const joined = collectBon(read.records, job.results);
  data = mostSamples(joined) < 2 ? null : joined;
  return { curves: data && bonCurvesView(data, { score: job.score }), issues: read.issues };
}

async function run(job: StatsJob): Promise<StatsResult> {
  switch (job.kind) {
    case 'intervals':
      return { kind: 'intervals', intervals: metricsIntervals(job.records, job.options) };
    case 'bon':
      return { kind: 'bon', bon: await bon(job) };
    case 'problem':
      if (!data) throw new Error('this dataset has no best-of-n curves (yet)');
      return { kind: 'problem', problem: problemView(data, job.problem, job.selector) };
  }
}

// One job at a time, in order: a best-of-N job reads the file while later jobs wait for it.
let queue = Promise.resolve();
parentPort?.on('message', ({ id, job }: { id: number; job: StatsJob }) => {
  queue = queue.then(async () => {
    try {
      parentPort!.postMessage({ id, result: await run(job) });
    } catch (e) {
      parentPort!.postMessage({ id, error: errorMessage(e) });
    }
  });
});
