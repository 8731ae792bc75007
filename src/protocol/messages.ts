/**
 * The typed message protocol between the extension host and the PRM Lens webviews (inspector, dataset, metrics).
 * Pure types plus small guards: imported by both sides, never imports `vscode` or the DOM. Messages from a webview
 * are checked with the guards before the host acts on them; the host trusts nothing a webview sends.
 * It imports nothing from the project: the core types it repeats (Verdict, MarkKind, …) are checked to stay
 * identical to theirs in src/views/protocolMirrors.ts.
 */

export type Verdict = 'correct' | 'incorrect' | 'unknown';
/** How a step looks for one critic (same classes as the editor's marks). */
export type MarkKind = 'good' | 'uncertain' | 'bad' | 'none';
/** A person's judgement of a step, made in the inspector. */
export type HumanLabel = 'correct' | 'incorrect' | 'neutral';
export const HUMAN_LABELS: readonly HumanLabel[] = ['correct', 'incorrect', 'neutral'];
/** The columns of a ProcessBench metrics table, as the metrics panel and its Markdown export show them. */
export const METRICS_COLUMNS = ['subset', 'n_error', 'n_correct', 'acc_error', 'acc_correct', 'F1'] as const;

// ---------------------------------------------------------------------------------------------------------------
// Step inspector

export interface InspectorJudgement {
  score: number | null;
  verdict: Verdict;
  reason?: string;
  kind: MarkKind;
}

/** Solution-level aggregates of a scalar critic's step scores. */
export interface Aggregates {
  min: number;
  product: number;
  last: number;
  mean: number;
}

export interface InspectorCritic {
  id: string;
  label: string;
  /** Every step has a numeric score (a PRM), so aggregates and reward bars are meaningful. */
  scalar: boolean;
  firstError: number | null;
  steps: InspectorJudgement[];
  aggregates?: Aggregates;
  rationale?: string;
  raw?: string;
  durationMs: number;
}

/** Where the dataset item shown in the inspector came from. */
export interface ItemContext {
  dataset: string;
  id: string;
  subset: string;
  /** Ground-truth first error (0-based, -1 = all correct). */
  label: number;
  /** Steps in the dataset; a different count in the editor means the labels may not line up. */
  stepCount: number;
}

/** A section of a trace's thinking as the inspector groups it, judged by the first critic. */
export interface InspectorSection {
  index: number;
  kind: 'attempt' | 'verification' | 'strategy-shift' | 'conclusion';
  /** Step indices, inclusive. */
  firstStep: number;
  lastStep: number;
  /** The lowest score of the first critic over the section's steps (null without scores). */
  worstScore: number | null;
  /** incorrect when any step is, correct when every step is, else unknown. */
  verdict: Verdict;
}

/** A trace file's shape: thinking sections, where the answer starts and the first critic's first errors per part. */
export interface InspectorTrace {
  sections: InspectorSection[];
  /** Index of the first answer step (the step count when there is no answer part). */
  answerFrom: number;
  /** The first step judged incorrect in each part (null: none). */
  firstErrorThinking: number | null;
  firstErrorAnswer: number | null;
  /** The first critic's score per step (its verdict as 1/0 when it has no scores; null: no verdict). */
  trajectory: (number | null)[];
}

export interface InspectorModel {
  /** The document shown (a file, or a dataset item's read-only view). */
  uri: string;
  title: string;
  problem: string;
  steps: { index: number; text: string }[];
  critics: InspectorCritic[];
  failures: { criticId: string; message: string; cancelled?: boolean }[];
  /** Steps the critics disagree on (the rule: src/core/analysis/disagreement.ts). */
  disagreements: number[];
  item?: ItemContext;
  humanLabels: (HumanLabel | null)[];
  /** Critics that can be (re-)run from the view. */
  availableCritics: { id: string; label: string }[];
  segmentation: string;
  /** Present for a trace file (one with a thinking block). */
  trace?: InspectorTrace;
}

export type HostToInspector =
  | { type: 'inspector/model'; model: InspectorModel }
  | { type: 'inspector/empty'; uri?: string; title: string; message: string }
  | { type: 'inspector/highlight'; step: number | null }
  | { type: 'inspector/running'; running: boolean };

export type InspectorToHost =
  | { type: 'ready' }
  | { type: 'inspector/reveal'; step: number }
  | { type: 'inspector/rerun'; criticId?: string }
  | { type: 'inspector/score' }
  | { type: 'inspector/label'; step: number; label: HumanLabel | null }
  | { type: 'inspector/openReport' }
  | { type: 'inspector/exportLabels' };

/** What the inspector webview keeps across reloads (read by the panel serializer). */
export interface InspectorState {
  view: 'inspector';
  uri?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Dataset view

/** What the dataset list needs of an item (the full text stays in the extension host). */
export interface ItemSummary {
  /** Position in the dataset (0-based, in reading order). */
  i: number;
  id: string;
  subset: string;
  label: number;
  steps: number;
  /** The start of the problem on one line. */
  preview: string;
  /** 1-based line (JSONL) or 0-based array index (JSON). */
  line?: number;
  index?: number;
}

/** One critic's prediction for one item (as in the CLI's results file). */
export interface ItemPrediction {
  critic: string;
  prediction: number | null;
  /** null for a step the critic did not score. */
  scores: (number | null)[] | null;
}

/** Every critic's prediction for one item, and whether they disagree (the host decides: webviews hold no rule). */
export interface ItemResults {
  i: number;
  predictions: ItemPrediction[];
  /** The critics predict different first errors (the rule: src/core/analysis/disagreement.ts). */
  disputed: boolean;
}

export interface IssueSummary {
  line?: number;
  index?: number;
  field?: string;
  message: string;
}

export type RunScope = 'all' | 'filtered' | 'sample';

export interface RunProgress {
  running: boolean;
  total: number;
  done: number;
  /** Already in the results cache: not run again. */
  cached: number;
  failed: number;
  message?: string;
}

export type HostToDataset =
  /** Starts the view over; `reloads` counts the times the file was read again after a change on disk. */
  | {
      type: 'dataset/begin';
      name: string;
      format: string | null;
      critics: { id: string; label: string }[];
      activeCritics: string[];
      reloads: number;
    }
  | { type: 'dataset/items'; items: ItemSummary[] }
  | { type: 'dataset/format'; format: string }
  | { type: 'dataset/loaded'; count: number; issueCount: number; ms: number; error?: string }
  /** `total` problems were found; `skipped` records were left out because of them (the others were kept). */
  | { type: 'dataset/issues'; issues: IssueSummary[]; total: number; skipped: number }
  | { type: 'dataset/results'; results: ItemResults[]; replace: boolean }
  | { type: 'dataset/search'; query: string; hits: number[] | null }
  | { type: 'dataset/progress'; progress: RunProgress };

export type DatasetToHost =
  | { type: 'ready' }
  | { type: 'dataset/open'; i: number }
  | { type: 'dataset/search'; query: string }
  | { type: 'dataset/run'; criticIds: string[]; scope: RunScope; indices?: number[]; sample?: number }
  | { type: 'dataset/cancel' }
  | { type: 'dataset/metrics' }
  | { type: 'dataset/exportResults' };

// ---------------------------------------------------------------------------------------------------------------
// Metrics panel

/** One row of the metrics table: a critic on a subset, or one of the two named averages. */
export interface MetricsRow {
  critic: string;
  subset: string;
  kind: 'subset' | 'mean' | 'weighted';
  n_error: number | null;
  n_correct: number | null;
  acc_error: number | null;
  acc_correct: number | null;
  f1: number | null;
}

/** A bootstrap percentile interval, in the unit of its value (percent for accuracies and F1). */
export interface Interval {
  lo: number;
  hi: number;
}

/** The intervals of one row of the metrics table (null where the value is undefined). */
export interface RowIntervals {
  acc_error: Interval | null;
  acc_correct: Interval | null;
  f1: Interval | null;
}

/**
 * Bootstrap intervals of the ProcessBench table, computed after the table (off the extension host's thread): per
 * critic, per subset, and the two averages (keyed by the rows' kind, 'mean' and 'weighted').
 */
export interface MetricsIntervals {
  resamples: number;
  seed: number;
  level: number;
  critics: Record<string, { subsets: Record<string, RowIntervals>; mean: Interval | null; weighted: Interval | null }>;
  computeMs: number;
}

/** Best-of-n selectors: `pass`, `random`, `majority`, `best:<score>` and `weighted:<score>` (the CLI's names). */
export type BonSelectorKind = 'pass' | 'random' | 'majority' | 'best' | 'weighted';

/** One curve of the best-of-n chart: accuracy (percent) per n with its bootstrap band over problems. */
export interface BonSeries {
  selector: string;
  kind: BonSelectorKind;
  values: number[];
  lo: number[];
  hi: number[];
}

/** One problem of a best-of-N dataset, as the problem list shows it. */
export interface BonProblemSummary {
  id: string;
  subset: string;
  samples: number;
  /** Samples with a final answer (the others are never chosen). */
  answered: number;
  correct: number;
  /** Whether the best-of-N pick of the chosen score (all samples) is correct: 0..1, a tie splits it. */
  pickCorrect: number | null;
}

/** A score the curves can be drawn for: a per-solution field (`prm_score`) or a critic's step scores aggregated. */
export interface BonScoreChoice {
  /** The score name in selectors (`prm_score`, `checker/min`). */
  name: string;
  /** The field or the critic. */
  source: string;
  /** The aggregation of a critic's step scores; null for a per-solution field. */
  aggregation: string | null;
}

/** Best-of-n accuracy curves of a dataset with several solutions per problem, for the chosen score. */
export interface BonCurvesView {
  problems: number;
  samplesPerProblem: number;
  n: number[];
  scores: BonScoreChoice[];
  /** The score the best/weighted curves use (null: the dataset has none; only the baselines are drawn). */
  score: string | null;
  series: BonSeries[];
  /** Bootstrap over problems (resampled within their subset): resamples, seed and level of the bands. */
  resamples: number;
  seed: number;
  level: number;
  problemList: BonProblemSummary[];
  computeMs: number;
  /**
   * The bands follow in another `metrics/bon` message (the bootstrap takes longer than the curves): meanwhile each
   * series' lo and hi are its values.
   */
  bandsPending?: true;
}

/** One solution of a problem in the problem view. */
export interface BonSolutionView {
  /** Position among the problem's samples (what `metrics/openSolution` names). */
  sample: number;
  /** The solution's rank under the chosen selector (1 = first). */
  rank: number;
  id: string;
  answer: string | null;
  correct: boolean;
  /** The chosen score (null: none for this sample). */
  score: number | null;
  /** Index into `clusters` (null: no answer). */
  cluster: number | null;
  /** The selector's pick over all samples (several when tied). */
  pick: boolean;
  /** The solution can be opened in the editor (it is an item of the dataset). */
  openable: boolean;
  /** The last step (or the answer), one line. */
  preview: string;
}

/** Equivalent answers of a problem's solutions. */
export interface BonCluster {
  answer: string;
  count: number;
  /** Summed chosen score of its members (null: no score). */
  weight: number | null;
  correct: boolean;
  pick: boolean;
}

/** A problem's N solutions ranked by a selector, with its answer clusters. */
export interface BonProblemView {
  id: string;
  subset: string;
  problem: string;
  selector: string;
  /** The selectors it can be ranked by. */
  selectors: string[];
  solutions: BonSolutionView[];
  clusters: BonCluster[];
}

/** Metrics of the calibration subset at each threshold, and every subset's F1 for comparison. */
export interface SweepSeries {
  thresholds: number[];
  f1: (number | null)[];
  accError: (number | null)[];
  accCorrect: (number | null)[];
  subsetF1: Record<string, (number | null)[]>;
}

export interface CalibrationView {
  critic: string;
  calibrationSubset: string;
  threshold: number;
  /** The calibration subset's own sweep (the chart). */
  sweep: SweepSeries;
  /** Every subset at the calibrated threshold, and each at its own optimum (upper bound). */
  rows: MetricsRow[];
  upperBound: MetricsRow[];
  perSubsetThreshold: Record<string, number | null>;
}

export interface Histogram {
  labels: string[];
  counts: number[];
}

export interface CriticCharts {
  critic: string;
  /**
   * Erroneous items by (predicted − true) first-error index: negative = flagged too early, positive = too late;
   * items where the critic found no error or gave no prediction are counted apart.
   */
  offset: Histogram & { missed: number; noPrediction: number; n: number };
  /** All-correct items where the critic still flagged a step (not part of the offset histogram). */
  falseAlarms: number;
  /** Where the minimum step score falls, in tenths of the solution, plus the share at the last step. */
  minPosition?: Histogram & { lastStepShare: number; n: number };
}

export interface MetricsModel {
  dataset: string;
  subsets: string[];
  critics: string[];
  scalarCritics: string[];
  rows: MetricsRow[];
  calibrationSubset: string | null;
  calibrations: CalibrationView[];
  /** Why a scalar critic has no calibration (e.g. the subset lacks all-correct cases). */
  calibrationErrors: { critic: string; message: string }[];
  charts: CriticCharts[];
  /** Items with a result from at least one critic. */
  items: number;
  /** Items in the dataset (null when only results are known): the metrics cover `items` of them. */
  datasetItems: number | null;
  computeMs: number;
}

/** `dataset` is the dataset's URI (kept by the webview so the panel can be restored after a reload). */
export type HostToMetrics =
  | {
      type: 'metrics/model';
      model: MetricsModel | null;
      message?: string;
      dataset?: string;
      calibrationSubset?: string | null;
      /** Counts the models sent: intervals name the version they were computed for. */
      version?: number;
    }
  /** The table's intervals, shown only while the model of the same version is. */
  | { type: 'metrics/intervals'; intervals: MetricsIntervals; version: number }
  /** Best-of-n curves (null with a message: the dataset has one solution per problem, or reading it failed). */
  | { type: 'metrics/bon'; bon: BonCurvesView | null; message?: string }
  | { type: 'metrics/problem'; problem: BonProblemView };

export type MetricsToHost =
  | { type: 'ready' }
  | { type: 'metrics/calibrate'; subset: string }
  | { type: 'metrics/export'; what: 'results' | 'csv' | 'markdown' }
  | { type: 'metrics/bonScore'; score: string }
  | { type: 'metrics/problem'; problem: string; selector: string }
  | { type: 'metrics/openSolution'; problem: string; sample: number };

export interface MetricsState {
  view: 'metrics';
  dataset?: string;
  calibrationSubset?: string;
  bonScore?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Guards for messages from webviews (the host validates everything it receives)

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIndex(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

const isIndexList = (value: unknown): value is number[] => Array.isArray(value) && value.every(isIndex);
const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string');

export function isInspectorToHost(msg: unknown): msg is InspectorToHost {
  if (!isRecord(msg)) return false;
  switch (msg.type) {
    case 'ready':
    case 'inspector/score':
    case 'inspector/openReport':
    case 'inspector/exportLabels':
      return true;
    case 'inspector/reveal':
      return isIndex(msg.step);
    case 'inspector/rerun':
      return msg.criticId === undefined || typeof msg.criticId === 'string';
    case 'inspector/label':
      return isIndex(msg.step) && (msg.label === null || HUMAN_LABELS.includes(msg.label as HumanLabel));
    default:
      return false;
  }
}

export function isDatasetToHost(msg: unknown): msg is DatasetToHost {
  if (!isRecord(msg)) return false;
  switch (msg.type) {
    case 'ready':
    case 'dataset/cancel':
    case 'dataset/metrics':
    case 'dataset/exportResults':
      return true;
    case 'dataset/open':
      return isIndex(msg.i);
    case 'dataset/search':
      return typeof msg.query === 'string';
    case 'dataset/run':
      return (
        isStringList(msg.criticIds) &&
        (msg.scope === 'all' || msg.scope === 'filtered' || msg.scope === 'sample') &&
        (msg.indices === undefined || isIndexList(msg.indices)) &&
        (msg.sample === undefined || (isIndex(msg.sample) && msg.sample > 0))
      );
    default:
      return false;
  }
}

export function isMetricsToHost(msg: unknown): msg is MetricsToHost {
  if (!isRecord(msg)) return false;
  switch (msg.type) {
    case 'ready':
      return true;
    case 'metrics/calibrate':
      return typeof msg.subset === 'string';
    case 'metrics/export':
      return msg.what === 'results' || msg.what === 'csv' || msg.what === 'markdown';
    case 'metrics/bonScore':
      return typeof msg.score === 'string';
    case 'metrics/problem':
      return typeof msg.problem === 'string' && typeof msg.selector === 'string';
    case 'metrics/openSolution':
      return typeof msg.problem === 'string' && isIndex(msg.sample);
    default:
      return false;
  }
}

/** The serializer's view of a webview's saved state (anything else is treated as no state). */
export function isInspectorState(state: unknown): state is InspectorState {
  return isRecord(state) && state.view === 'inspector' && (state.uri === undefined || typeof state.uri === 'string');
}

export function isMetricsState(state: unknown): state is MetricsState {
  return (
    isRecord(state) &&
    state.view === 'metrics' &&
    (state.dataset === undefined || typeof state.dataset === 'string') &&
    (state.calibrationSubset === undefined || typeof state.calibrationSubset === 'string') &&
    (state.bonScore === undefined || typeof state.bonScore === 'string')
  );
}
