import type { BonRecord } from '../datasets/bon-samples';
import type { ResultRecord } from '../datasets/types';
import { aggregatedScores, lowestStep } from './aggregate';
import type { BonProblem, BonSample } from './types';

/**
 * Groups best-of-N samples into problems (in order of first appearance; a problem's subset is its first sample's)
 * and joins step scores from results files to samples by id. Step scores are used as saved, never recomputed.
 */
export class BonCollector {
  private readonly problems = new Map<string, BonProblem>();
  private readonly byId = new Map<string, BonSample>();

  /** `joinIds`: keep each sample's id for addResult (off by default: a million ids cost memory). */
  constructor(private readonly joinIds = false) {}

  add(record: BonRecord): void {
    let p = this.problems.get(record.problem);
    if (!p) this.problems.set(record.problem, (p = { id: record.problem, subset: record.subset, samples: [] }));
    p.samples.push(record.sample);
    if (this.joinIds) this.byId.set(record.id, record.sample);
  }

  /**
   * Joins one results line to the sample with its id: scores `<critic>/<aggregation>`, where its lowest step is,
   * and whether its prediction marks a wrong step. Returns false when no sample has that id. A failed item or one
   * without a scored step adds only the prediction.
   */
  addResult(result: ResultRecord): boolean {
    const sample = this.byId.get(result.id);
    if (!sample) return false;
    const aggregates = result.scores === null ? {} : aggregatedScores(result.critic, result.scores);
    if (result.scores !== null && Object.keys(aggregates).length > 0) {
      Object.assign(sample.scores, aggregates);
      sample.lowestStep = { ...sample.lowestStep, [result.critic]: lowestStep(result.scores) };
    }
    if (result.prediction !== null) {
      sample.processError = { ...sample.processError, [result.critic]: result.prediction !== -1 };
    }
    return true;
  }

  result(): BonProblem[] {
    return [...this.problems.values()];
  }
}
