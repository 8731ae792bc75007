/** The common contract of every judge of steps: built-in checker, local PRMs, remote PRMs, LLM critics. */

export type Verdict = 'correct' | 'incorrect' | 'unknown';

/** A section of a trace: a contiguous run of steps (global 0-based indices, inclusive). */
export interface SectionRange {
  firstStep: number;
  lastStep: number;
}

export interface CriticInput {
  problem: string;
  steps: readonly string[];
  /** The trace's sections, in order, when known (a DeltaBench record, the trace heuristic): section-level critics. */
  sections?: readonly SectionRange[];
  /**
   * How many of the steps, from the first, are the trace's thinking; the rest are its answer. Absent or 0: no
   * thinking (every step is in the answer). PRMs with a `scope` score only their part (./scope.ts).
   */
  thinkingSteps?: number;
  signal?: AbortSignal;
}

export interface StepJudgement {
  /** Probability-like score in [0,1] that the step is correct; null when the critic gives no score. */
  score: number | null;
  verdict: Verdict;
  /** Short human-readable reason (why the verdict). */
  reason?: string;
}

export interface CriticUsage {
  promptTokens?: number;
  completionTokens?: number;
  requests?: number;
  /** openai-critic: samples whose \\boxed{} answer only answerParsing "lenient" reads (the benchmark misses them). */
  lenientOnlyAnswers?: number;
}

export interface CriticResult {
  criticId: string;
  steps: StepJudgement[];
  /** Predicted earliest erroneous step (0-based), -1 for "all correct", null for "no prediction". */
  firstError: number | null;
  rationale?: string;
  raw?: string;
  timing: { startedAt: number; durationMs: number };
  usage?: CriticUsage;
  /** A section-level critic's predicted erroneous sections (1-based, as DeltaBench numbers them), ascending. */
  sections?: number[];
}

export interface Critic {
  readonly id: string;
  readonly type: string;
  /** Human-readable name for pickers and hovers. */
  readonly label: string;
  score(input: CriticInput): Promise<CriticResult>;
  dispose?(): void;
}

/** How a factory learns a critic's API key without the core knowing where keys live (environment or SecretStorage). */
export interface KeySource {
  /** The key for this critic, or undefined when none is set. Never written anywhere by PRM Lens. */
  apiKey?(config: CriticConfig): Promise<string | undefined> | string | undefined;
  /** Where the user sets the key, for messages: `the environment variable OPENAI_API_KEY (apiKeyEnv)`. */
  keyHint?(config: CriticConfig): string;
}

/** What the host (CLI or extension) gives critic factories besides the configuration. */
export interface CriticContext extends KeySource {
  /** Folder that relative paths in a configuration (a prompt template) are resolved from. */
  baseDir?: string;
}

/** One entry of `prmLens.critics` / the CLI's `--config` file. Type-specific fields are validated by each factory. */
export interface CriticConfig {
  id: string;
  type: string;
  label?: string;
  [key: string]: unknown;
}

export class CriticConfigError extends Error {
  constructor(
    message: string,
    readonly criticId?: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CriticConfigError';
  }
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}
