// The metrics panel's worker thread (dist/stats-worker.js): bootstrap intervals and everything best-of-N (reading
// the file, grading answers with mathjs, curves, a problem's ranking) take from tens of milliseconds to seconds on
// large datasets, so they run here and the extension host stays responsive. Pure code only: no vscode here.
import { parentPort } from 'node:worker_threads';
import { prepareBon, type PreparedBon } from '../../core/bon/prepare';
import { readBonSamples, type BonRecord } from '../../core/datasets/bon-samples';
import { errorMessage } from '../../core/util/errors';
import { bonCurvesView } from '../../views/bonCurves';
import { collectBon, mostSamples, type BonData } from '../../views/bonData';
import { problemView } from '../../views/bonProblem';
import { metricsIntervals } from '../../views/metricsIntervals';
import type { BonOutcome, StatsJob, StatsResult } from './statsJobs';

/** The file's records as last read. */
let read: { file: string; reading: number; records: BonRecord[]; issues: number } | undefined;
/**
 * The results joined to the records as read (null: fewer than two solutions per problem) and prepared for curves:
 * kept while only the score changes. The problem view ranks the data of the last curves.
 */
let joined: { read: typeof read; data: BonData; prepared: PreparedBon } | { read: typeof read; data: null } | undefined;

async function bon(job: Extract<StatsJob, { kind: 'bon' }>): Promise<BonOutcome> {
  if (read?.file !== job.file || read.reading !== job.reading) {
    joined = undefined;
    read = undefined;
    const records: BonRecord[] = [];
    let issues = 0;
    for await (const r of readBonSamples(job.file, { onIssue: () => (issues += 1) })) records.push(r);
    read = { file: job.file, reading: job.reading, records, issues };
  }
  if (job.results !== null) {
    joined = undefined;
    const data = collectBon(read.records, job.results);
    joined = mostSamples(data) < 2 ? { read, data: null } : { read, data, prepared: prepareBon(data.problems) };
  }
  if (joined?.read !== read) throw new Error('the metrics worker has no results joined to this reading to reuse');
  return {
    curves: joined.data && bonCurvesView(joined.data, { score: job.score, bands: job.bands }, joined.prepared),
    issues: read.issues,
  };
}

async function run(job: StatsJob): Promise<StatsResult> {
  switch (job.kind) {
    case 'intervals':
      return { kind: 'intervals', intervals: metricsIntervals(job.records, job.options) };
    case 'bon':
      return { kind: 'bon', bon: await bon(job) };
    case 'problem':
      if (!joined?.data) throw new Error('this dataset has no best-of-n curves (yet)');
      return { kind: 'problem', problem: problemView(joined.data, job.problem, job.selector) };
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
