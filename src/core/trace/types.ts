import type { ConcreteStrategy, SegmentStrategy, SolutionDocument, Step } from '../segment/types';

/**
 * Long reasoning traces: a model's thinking followed by its answer. All offsets are UTF-16 indices into the text
 * that was segmented (the file), `end` exclusive; tags and channel markers belong to neither part.
 */
export type PartKind = 'thinking' | 'answer';

export interface TracePart {
  kind: PartKind;
  start: number;
  end: number;
}

/**
 * What a section of the thinking does, judged from the discourse marker that opens it (see sections.ts):
 * the first section and unmarked ones are attempts.
 */
export type SectionKind = 'attempt' | 'verification' | 'strategy-shift' | 'conclusion';
export const SECTION_KINDS: readonly SectionKind[] = ['attempt', 'verification', 'strategy-shift', 'conclusion'];

/** Human labels a dataset gives a section (DeltaBench); absent when the sections come from the heuristic. */
export interface SectionLabels {
  /** Listed in `reason_error_section_numbers`. */
  error: boolean;
  /** Listed in `reason_unuseful_section_numbers`. */
  unuseful: boolean;
  /** Listed in `stragegy_shift_section_numbers` (the release's spelling): the section changes strategy. */
  strategyShift: boolean;
  /** Listed in `reflection_section_numbers`: the section reflects on earlier reasoning (checks, corrects it). */
  reflection: boolean;
}

/** A contiguous run of thinking steps; `start`/`end` span its first step's start to its last step's end. */
export interface TraceSection {
  /** 0-based position among the sections. */
  index: number;
  kind: SectionKind;
  /** Global step indices, inclusive. */
  firstStep: number;
  lastStep: number;
  start: number;
  end: number;
  labels?: SectionLabels;
}

/** A step that knows its part and, in the thinking part, its section (null in the answer part). */
export interface TraceStep extends Step {
  part: PartKind;
  section: number | null;
}

export interface TraceSegmentation {
  /** The strategy of the answer part (of the thinking part when there is no answer). */
  strategy: ConcreteStrategy;
  requested: SegmentStrategy;
  reason: string;
  /** In text order: at most one thinking part, then at most one answer part. */
  parts: TracePart[];
  /** In order, together covering every thinking step exactly once. */
  sections: TraceSection[];
  /** Thinking steps first, then answer steps; `index` counts across both. */
  steps: TraceStep[];
}

/** A trace file: its problem (the `## Problem` convention) and its segmentation. */
export interface TraceFile {
  document: SolutionDocument;
  trace: TraceSegmentation;
}
