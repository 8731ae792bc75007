import { BonCollector } from '../core/bon/collect';
import type { BonProblem } from '../core/bon/types';
import type { BonRecord } from '../core/datasets/bon-samples';
import type { ResultRecord } from '../core/datasets/types';

/** A best-of-N dataset as the panel keeps it: problems with their samples, and each sample's solution id. */
export interface BonData {
  problems: BonProblem[];
  /** Per problem, per sample: the solution's id (what results and dataset items are joined by). */
  ids: string[][];
}

/**
 * Groups the samples read from a best-of-N file into problems and joins the critics' saved step scores to them by
 * solution id (BonCollector: `<critic>/<aggregation>` scores, the lowest step, a wrong step by prediction). The
 * records are left as read: each call works on copies, so the panel can join again when new results arrive.
 */
export function collectBon(records: readonly BonRecord[], results: readonly ResultRecord[]): BonData {
  const collector = new BonCollector(true);
  const ids = new Map<string, string[]>();
  for (const r of records) {
    const { sample } = r;
    collector.add({ ...r, sample: { ...sample, scores: { ...sample.scores } } });
    const list = ids.get(r.problem);
    if (list) list.push(r.id);
    else ids.set(r.problem, [r.id]);
  }
  for (const result of results) collector.addResult(result);
  const problems = collector.result();
  return { problems, ids: problems.map((p) => ids.get(p.id) ?? []) };
}

/** The most solutions any problem has: best-of-n curves need at least two. */
export function mostSamples(data: BonData): number {
  return data.problems.reduce((m, p) => Math.max(m, p.samples.length), 0);
}
