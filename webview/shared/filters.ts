import type { ItemSummary } from '../../src/protocol/messages';

/** The dataset list's filters; every one narrows the list (search hits come from the host, which holds the text). */
export interface DatasetFilter {
  /** null: every subset. */
  subset: string | null;
  label: 'all' | 'error' | 'correct';
  /** The critic whose outcome `outcome` filters on (null: no outcome filter). */
  critic: string | null;
  /** match: the predicted first error equals the label; miss: it does not (no prediction is a miss). */
  outcome: 'all' | 'match' | 'miss' | 'unscored';
  /** Only items the host marked disputed: the critics predict different first errors. */
  disagreement: boolean;
}

export const NO_FILTER: DatasetFilter = {
  subset: null,
  label: 'all',
  critic: null,
  outcome: 'all',
  disagreement: false,
};

/**
 * Predictions by critic, indexed by item position: a number is the predicted first error (-1 = none found), null is
 * "no prediction", undefined is "not run on this item".
 */
export type PredictionTable = ReadonlyMap<string, readonly (number | null | undefined)[]>;

/**
 * Positions of the items that pass every filter, in dataset order. `disputed` holds the items the host marked
 * (ItemResults.disputed); `hits` (from a search) restricts further.
 */
export function applyFilters(
  items: readonly ItemSummary[],
  predictions: PredictionTable,
  disputed: ReadonlySet<number>,
  filter: DatasetFilter,
  hits: ReadonlySet<number> | null,
): number[] {
  const column = filter.critic === null ? undefined : predictions.get(filter.critic);
  const out: number[] = [];
  for (const item of items) {
    const i = item.i;
    if (hits && !hits.has(i)) continue;
    if (filter.subset !== null && item.subset !== filter.subset) continue;
    if (filter.label === 'error' && item.label < 0) continue;
    if (filter.label === 'correct' && item.label >= 0) continue;
    if (filter.critic !== null && filter.outcome !== 'all') {
      const p = column?.[i];
      if (
        filter.outcome === 'unscored'
          ? p !== undefined
          : p === undefined || (filter.outcome === 'match') !== (p === item.label)
      )
        continue;
    }
    if (filter.disagreement && !disputed.has(i)) continue;
    out.push(i);
  }
  return out;
}

/** Subsets in first-seen order with their sizes. */
export function subsetCounts(items: readonly ItemSummary[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.subset, (counts.get(item.subset) ?? 0) + 1);
  return [...counts];
}
