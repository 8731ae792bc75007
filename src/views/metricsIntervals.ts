import { performance } from 'node:perf_hooks';
import type { ResultRecord } from '../core/datasets/types';
import { DEFAULT_RESAMPLES, metricsWithCi } from '../core/metrics/bootstrap';
import { groupByCritic } from '../core/metrics/metrics';
import type { MetricsIntervals } from '../protocol/messages';

export interface IntervalOptions {
  resamples?: number;
  seed?: number;
}

/** The panel's seed and level: `prm-lens metrics --ci 1000 --seed 0` prints the same intervals. */
export const PANEL_SEED = 0;
export const PANEL_LEVEL = 0.95;

/**
 * 95% bootstrap intervals of every accuracy and F1 of the ProcessBench table, per critic (metricsWithCi: items
 * resampled within subset × erroneous/all-correct, seeded). Seconds of work on large datasets: the panel runs it
 * in a worker thread (statsWorker.ts).
 */
export function metricsIntervals(records: readonly ResultRecord[], opts: IntervalOptions = {}): MetricsIntervals {
  const started = performance.now();
  const resamples = opts.resamples ?? DEFAULT_RESAMPLES;
  const seed = opts.seed ?? PANEL_SEED;
  const critics: MetricsIntervals['critics'] = Object.create(null);
  for (const [critic, group] of groupByCritic(records)) {
    const report = metricsWithCi(group, { resamples, seed, level: PANEL_LEVEL });
    const subsets: MetricsIntervals['critics'][string]['subsets'] = Object.create(null);
    for (const [name, m] of Object.entries(report.subsets)) subsets[name] = m.ci;
    critics[critic] = { subsets, mean: report.ci.f1_mean, weighted: report.ci.f1_weighted };
  }
  return { resamples, seed, level: PANEL_LEVEL, critics, computeMs: performance.now() - started };
}
