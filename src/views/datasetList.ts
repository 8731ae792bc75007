import { firstErrorsDiffer } from '../core/analysis/disagreement';
import type { DatasetItem } from '../core/datasets/types';
import type { ItemPrediction, ItemResults, ItemSummary } from '../protocol/messages';

// The host's side of the dataset list: what it shows of each item, search, and which items the critics dispute.

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

/** Items' predictions as the list receives them, each marked disputed or not by the one disagreement rule. */
export function itemResults(rows: readonly { i: number; predictions: ItemPrediction[] }[]): ItemResults[] {
  return rows.map(({ i, predictions }) => {
    const disputed = firstErrorsDiffer(predictions.map((p) => p.prediction));
    return { i, predictions, disputed };
  });
}
