import type { SegmentOptions } from '../core/segment/types';

/**
 * Segmentations a person chose per file ("Choose Step Segmentation"), by document URI, oldest choice first. Kept
 * in the workspace state, so the list is bounded: entries of anything but a file (a dataset item knows its own
 * segmentation; older versions stored one entry per item ever opened) and of files that no longer exist are
 * dropped, and beyond MAX_SEGMENTATION_OVERRIDES the oldest choice is forgotten.
 */
export type SegmentationOverrides = Readonly<Record<string, SegmentOptions>>;

export const MAX_SEGMENTATION_OVERRIDES = 100;

/** The entries `keep` accepts, in their order. */
export function pruneOverrides(
  overrides: SegmentationOverrides,
  keep: (key: string) => boolean,
): SegmentationOverrides {
  return Object.fromEntries(Object.entries(overrides).filter(([key]) => keep(key)));
}

/** `options` as the newest choice for `key`, after pruning; the oldest choices go beyond `max` entries. */
export function recordOverride(
  overrides: SegmentationOverrides,
  key: string,
  options: SegmentOptions,
  keep: (key: string) => boolean,
  max = MAX_SEGMENTATION_OVERRIDES,
): SegmentationOverrides {
  const entries = Object.entries(pruneOverrides(overrides, (k) => k !== key && keep(k)));
  entries.push([key, options]);
  return Object.fromEntries(entries.slice(Math.max(0, entries.length - max)));
}
