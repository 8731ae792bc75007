/** A step of a solution with its exact span in the document (UTF-16 offsets, `end` exclusive). */
export interface Step {
  index: number;
  text: string;
  start: number;
  end: number;
}

export type ConcreteStrategy = 'paragraphs' | 'lines' | 'numbered' | 'tags' | 'regex' | 'newline-split';
export type SegmentStrategy = ConcreteStrategy | 'auto';
export const SEGMENT_STRATEGIES: readonly SegmentStrategy[] = [
  'auto',
  'paragraphs',
  'lines',
  'numbered',
  'tags',
  'regex',
  'newline-split',
];

export interface SegmentOptions {
  strategy?: SegmentStrategy;
  /** Step tag for `tags` (default: Math-Shepherd's " ки"). */
  tag?: string;
  /** Pattern for `regex`: each match starts a new step (JavaScript syntax, `m` flag added). */
  regex?: string;
}

export interface Segmentation {
  /** The strategy that produced the steps (never `auto`). */
  strategy: ConcreteStrategy;
  /** What was asked for; with `auto`, `reason` says why `strategy` was picked. */
  requested: SegmentStrategy;
  reason: string;
  steps: Step[];
}

/** A plain-text solution file split into its problem and solution parts. */
export interface SolutionDocument {
  problem: string;
  /** Span of the problem text in the file ([0,0] when there is none). */
  problemStart: number;
  problemEnd: number;
  /** Offset where the solution text starts in the file. */
  solutionStart: number;
  solution: string;
}
