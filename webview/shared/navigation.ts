/** Keyboard navigation in the inspector: pure index arithmetic, so it is tested without a DOM. */

/** The step `delta` away from `current` (none selected: the first or last step), clamped to the list. */
export function stepBy(current: number | null, delta: number, count: number): number | null {
  if (count === 0) return null;
  if (current === null) return delta >= 0 ? 0 : count - 1;
  return Math.min(count - 1, Math.max(0, current + delta));
}

/** The next (direction 1) or previous (-1) entry of a sorted list after `current`, wrapping around; null if empty. */
export function nextInList(current: number | null, sorted: readonly number[], direction: 1 | -1): number | null {
  if (sorted.length === 0) return null;
  if (direction === 1) return sorted.find((i) => current === null || i > current) ?? sorted[0];
  for (let k = sorted.length - 1; k >= 0; k--) if (current === null || sorted[k] < current) return sorted[k];
  return sorted[sorted.length - 1];
}
