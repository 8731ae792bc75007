/** Messages between PRM Lens and the ONNX host process, and the scores it returns. */

export interface SolutionInput {
  problem: string;
  steps: readonly string[];
}

export interface StepScore {
  /** Probability-like score in [0, 1]; null when the step was not scored (see `note`). */
  score: number | null;
  /** The family's raw number: label probability, logit margin log p(+) − log p(−), value, or implicit reward. */
  raw?: number;
  /** Token position the score was read at. */
  position?: number;
  /** Tokens of the step's own text. */
  tokens: number;
  /** Why a step has no score, or a detail worth showing (the implicit PRM's most negative token). */
  note?: string;
}

export interface SolutionScores {
  steps: StepScore[];
  /** Tokens fed to the model for this solution (after the context policy). */
  tokens: number;
  /** Tokens the whole solution needs. */
  fullTokens: number;
  /** The input that was scored, as text (special tokens written out). */
  input?: string;
}

export interface Progress {
  stage: 'loading' | 'tokenizing' | 'running';
  message: string;
  /** Tokens of the current forward pass (or of all solutions while tokenizing). */
  tokens?: number;
  batch?: number;
  batches?: number;
}

/** What a model folder is, once loaded (shown after "Add Local Model…" and in hovers). */
export interface ModelInfo {
  name: string;
  family: string;
  maxTokens: number;
  threshold: number;
  inputs: string[];
  output: string;
}

export type HostRequest =
  | { id: number; kind: 'load'; folder: string; threads: number }
  | { id: number; kind: 'score'; solutions: SolutionInput[] }
  | { id: number; kind: 'validate'; folder: string };

export type HostMessage =
  | { id: number; kind: 'progress'; progress: Progress }
  | { id: number; kind: 'result'; value: unknown }
  | { id: number; kind: 'error'; message: string };
