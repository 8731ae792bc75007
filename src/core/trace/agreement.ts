import { heuristicSections } from './sections';
import type { TraceSegmentation } from './types';

/**
 * Section-boundary agreement between predicted and human sections of the same traces. A boundary is the position
 * (0-based, among the thinking paragraphs) of a section's first paragraph, the first section excluded since every
 * segmentation has it. Counts are pooled over traces (micro-averaged).
 */
export interface BoundaryCounts {
  truePositives: number;
  predicted: number;
  gold: number;
}

export interface BoundaryAgreement {
  /** Boundaries at the same paragraph. */
  exact: BoundaryScores;
  /** A predicted boundary matches a gold one at most one paragraph away (each gold boundary matched once). */
  withinOne: BoundaryScores;
  traces: number;
}

export interface BoundaryScores extends BoundaryCounts {
  precision: number;
  recall: number;
  f1: number;
}

/** Section starts (positions among the paragraphs, the first 0) → the boundaries that count. */
export function boundariesOf(sectionStarts: readonly number[]): number[] {
  return sectionStarts.filter((at) => at > 0);
}

/** Matches predicted to gold boundaries one to one, each within `tolerance` paragraphs, greedily in order. */
export function matchBoundaries(
  predicted: readonly number[],
  gold: readonly number[],
  tolerance: number,
): BoundaryCounts {
  const used = new Set<number>();
  let truePositives = 0;
  for (const p of [...predicted].sort((a, b) => a - b)) {
    // Prefer the exact gold boundary, then the nearer earlier one, then the later one.
    const match = [p, p - 1, p + 1].slice(0, 1 + 2 * tolerance).find((g) => gold.includes(g) && !used.has(g));
    if (match !== undefined) {
      used.add(match);
      truePositives++;
    }
  }
  return { truePositives, predicted: predicted.length, gold: gold.length };
}

/** Pooled agreement over traces, each given as predicted and gold section starts. */
export function boundaryAgreement(
  traces: readonly { predicted: readonly number[]; gold: readonly number[] }[],
): BoundaryAgreement {
  const exact = { truePositives: 0, predicted: 0, gold: 0 };
  const withinOne = { truePositives: 0, predicted: 0, gold: 0 };
  for (const t of traces) {
    const predicted = boundariesOf(t.predicted);
    const gold = boundariesOf(t.gold);
    add(exact, matchBoundaries(predicted, gold, 0));
    add(withinOne, matchBoundaries(predicted, gold, 1));
  }
  return { exact: scores(exact), withinOne: scores(withinOne), traces: traces.length };
}

function add(total: BoundaryCounts, counts: BoundaryCounts): void {
  total.truePositives += counts.truePositives;
  total.predicted += counts.predicted;
  total.gold += counts.gold;
}

/** Precision, recall and F1; a ratio with a zero denominator is 0. */
function scores(c: BoundaryCounts): BoundaryScores {
  const precision = c.predicted === 0 ? 0 : c.truePositives / c.predicted;
  const recall = c.gold === 0 ? 0 : c.truePositives / c.gold;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { ...c, precision, recall, f1 };
}

/**
 * How well the marker heuristic (heuristicSections) finds the human sections of labelled traces (DeltaBench
 * records, whose sections are the dataset's own).
 */
export function heuristicAgreement(labelled: readonly TraceSegmentation[]): BoundaryAgreement {
  return boundaryAgreement(
    labelled.map((t) => {
      // Copies: heuristicSections assigns sections to the steps it is given.
      const thinking = t.steps.filter((s) => s.part === 'thinking').map((s) => ({ ...s }));
      const first = thinking[0]?.index ?? 0;
      return {
        gold: t.sections.map((s) => s.firstStep - first),
        predicted: heuristicSections(thinking).map((s) => s.firstStep - first),
      };
    }),
  );
}
