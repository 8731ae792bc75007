import type { DatasetItem } from '../datasets/types';
import type { ItemSummary } from '../../protocol/messages';

/** The dataset list's filters; every one narrows the list (search hits come from the host, which holds the text). */
export interface DatasetFilter {
  /** null: every subset. */
  subset: string | null;
  label: 'all' | 'error' | 'correct';
  /** The critic whose outcome `outcome` filters on (null: no outcome filter). */
  critic: string | null;
  /** match: the predicted first error equals the label; miss: it does not (no prediction is a miss). */
  outcome: 'all' | 'match' | 'miss' | 'unscored';
  /** Only items where the critics with a result predict different first errors. */
  disagreement: boolean;
}

export const NO_FILTER: DatasetFilter = { subset: null, label: 'all', critic: null, outcome: 'all', disagreement: false };

/**
 * Predictions by critic, indexed by item position: a number is the predicted first error (-1 = none found), null is
 * "no prediction", undefined is "not run on this item".
 */
export type PredictionTable = ReadonlyMap<string, readonly (number | null | undefined)[]>;

/** True when at least two critics have a result for item `i` and they predict different first errors. */
export function disagrees(predictions: PredictionTable, i: number): boolean {
  let first: number | null | undefined;
  let seen = false;
  for (const column of predictions.values()) {
    const p = column[i];
    if (p === undefined) continue;
    if (!seen) {
      first = p;
      seen = true;
    } else if (p !== first) return true;
  }
  return false;
}

/** Positions of the items that pass every filter, in dataset order. `hits` (from a search) restricts further. */
export function applyFilters(items: readonly ItemSummary[], predictions: PredictionTable, filter: DatasetFilter, hits: ReadonlySet<number> | null): number[] {
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
      if (filter.outcome === 'unscored' ? p !== undefined : p === undefined || (filter.outcome === 'match') !== (p === item.label)) continue;
    }
    if (filter.disagreement && !disagrees(predictions, i)) continue;
    out.push(i);
  }
  return out;
}

/** Case-insensitive search over an item's id, problem and steps; every word of the query must occur. */
export function searchItems(items: readonly DatasetItem[], query: string): number[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length === 0) return items.map((_, i) => i);
  const out: number[] = [];
  items.forEach((item, i) => {
    const fields = [item.id, item.problem, ...item.steps].map((t) => t.toLowerCase());
    if (words.every((w) => fields.some((f) => f.includes(w)))) out.push(i);
  });
  return out;
}

const PREVIEW_CHARS = 160;

/** What the dataset list shows of an item. */
export function summarizeItem(item: DatasetItem, i: number): ItemSummary {
  const flat = item.problem.replace(/\s+/g, ' ').trim();
  return {
    i,
    id: item.id,
    subset: item.subset,
    label: item.label,
    steps: item.steps.length,
    preview: flat.length > PREVIEW_CHARS ? `${flat.slice(0, PREVIEW_CHARS - 1)}…` : flat,
    ...(item.source.line !== undefined ? { line: item.source.line } : {}),
    ...(item.source.index !== undefined ? { index: item.source.index } : {}),
  };
}

/** Subsets in first-seen order with their sizes. */
export function subsetCounts(items: readonly ItemSummary[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.subset, (counts.get(item.subset) ?? 0) + 1);
  return [...counts];
}
