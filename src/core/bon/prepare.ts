import { answerKey } from '../answers/equivalent';
import { rank, type Ranked } from './exact';
import type { BonProblem, BonSample } from './types';

/** One problem's samples as typed arrays, indexed by sample (its first N samples only). */
export interface PreparedProblem {
  id: string;
  subset: string;
  /** Answer class per sample: equal ids for equivalent answers, -1 for a sample without an answer. */
  classes: Int32Array;
  /** Distinct classes (ids are 0 … classCount − 1). */
  classCount: number;
  /** 1 where the sample's answer is right. */
  correct: Uint8Array;
  /** Per score name, per sample: the score, NaN where the sample has none (or a non-finite one). */
  scores: ReadonlyMap<string, Float64Array>;
  /** Per judge (a critic id or "label"), per sample: 1 marks a wrong step, 0 none, -1 unknown. */
  processError: ReadonlyMap<string, Int8Array>;
  /** Per critic, per sample: 1 when its lowest step score is before the final step, 0 at it, -1 unknown. */
  lowestStep: ReadonlyMap<string, Int8Array>;
  /** The samples with an answer, ranked alike (the candidates of pass@n and random choice). */
  answered: Ranked;
  /** Per score name, the candidates of `best:<name>` ranked, with their diagnostic values (see rankBy). */
  ranked: ReadonlyMap<string, Ranked>;
}

/**
 * Best-of-N samples prepared once for re-aggregation (bonCurves, curves.ts): answers are grouped into equivalence
 * classes here, once, so changing n, N, the selectors or the aggregation never parses an answer again.
 */
export interface PreparedBon {
  /** N: slots per problem (problems with fewer samples are padded with empty slots). */
  slots: number;
  problems: PreparedProblem[];
  /** Score names present on any sample, sorted (fields like prm_score, then critic/aggregation names). */
  scoreNames: string[];
  /** Judges of the process: "label" and critic ids that marked some sample's steps, sorted. */
  judges: string[];
}

export interface PrepareOptions {
  /** N (default the most samples any problem has); problems with more samples keep their first N. */
  slots?: number;
  /**
   * The equivalence key of an answer (default answerKey: the PRM800K grader's normalisation, constants by value).
   * Called once per distinct answer text.
   */
  answerKey?: (answer: string) => string;
}

/**
 * Prepares best-of-N problems for bonCurves: answer classes, correctness, scores and process marks as arrays, and
 * every selector's candidates ranked. The result is read, never changed, by bonCurves.
 */
export function prepareBon(all: readonly BonProblem[], opts: PrepareOptions = {}): PreparedBon {
  const most = all.reduce((m, p) => Math.max(m, p.samples.length), 0);
  const slots = opts.slots ?? most;
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError(`N (slots per problem) must be ≥ 1; got ${slots}`);
  const keyOf = opts.answerKey ?? answerKey;
  const keys = new Map<string, string>();
  const key = (answer: string): string => {
    let k = keys.get(answer);
    if (k === undefined) keys.set(answer, (k = keyOf(answer)));
    return k;
  };
  const names = new Set<string>();
  const judges = new Set<string>();
  const columns = all.map((p) => {
    const samples = p.samples.slice(0, slots);
    for (const s of samples) {
      for (const k of Object.keys(s.scores)) names.add(k);
      for (const k of Object.keys(s.processError ?? {})) judges.add(k);
    }
    const ids = new Map<string, number>();
    const classes = new Int32Array(samples.length);
    samples.forEach((s, i) => {
      if (s.answer === null) return (classes[i] = -1);
      const k = key(s.answer);
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = ids.size));
      classes[i] = id;
    });
    return {
      id: p.id,
      subset: p.subset,
      classes,
      classCount: ids.size,
      correct: Uint8Array.from(samples, (s) => (s.correct ? 1 : 0)),
      scores: column(
        samples,
        (s) => Object.keys(s.scores),
        Float64Array,
        NaN,
        (s, k) => finite(s.scores[k]),
      ),
      processError: column(
        samples,
        (s) => Object.keys(s.processError ?? {}),
        Int8Array,
        -1,
        (s, k) => flag(s.processError?.[k]),
      ),
      lowestStep: column(
        samples,
        (s) => Object.keys(s.lowestStep ?? {}),
        Int8Array,
        -1,
        (s, k) => flag(s.lowestStep?.[k] === undefined ? undefined : s.lowestStep[k] === 'earlier'),
      ),
    };
  });
  const scoreNames = [...names].sort();
  const judgeNames = [...judges].sort();
  const problems = columns.map((c) => withRanks(c, scoreNames, judgeNames));
  return { slots, problems, scoreNames, judges: judgeNames };
}

/** The first `slots` samples of every problem (views of the arrays; ranks made again). */
export function firstSlots(prepared: PreparedBon, slots: number): PreparedBon {
  const cut = <A extends Float64Array | Int8Array>(m: ReadonlyMap<string, A>) =>
    new Map([...m].map(([k, a]) => [k, a.subarray(0, slots) as A]));
  const problems = prepared.problems.map((p) =>
    withRanks(
      {
        id: p.id,
        subset: p.subset,
        classes: p.classes.subarray(0, slots),
        classCount: p.classCount,
        correct: p.correct.subarray(0, slots),
        scores: cut(p.scores),
        processError: cut(p.processError),
        lowestStep: cut(p.lowestStep),
      },
      prepared.scoreNames,
      prepared.judges,
    ),
  );
  return { ...prepared, slots, problems };
}

type Columns = Omit<PreparedProblem, 'answered' | 'ranked'>;

function withRanks(p: Columns, names: readonly string[], judges: readonly string[]): PreparedProblem {
  const answered = rank(usableScores(p.classes, null), p.correct);
  return { ...p, answered, ranked: new Map(names.map((name) => [name, rankBy(p, name, judges)])) };
}

/**
 * The candidates of `best:<name>` ranked, with the indicator values its diagnostics take expectations of: per judge
 * [correct ∧ wrong step, correct ∧ judged], then for a critic's score (`<critic>/<aggregation>`) [lowest step
 * earlier, lowest step known].
 */
function rankBy(p: Columns, name: string, judges: readonly string[]): Ranked {
  const size = p.classes.length;
  const scores = usableScores(p.classes, p.scores.get(name) ?? new Float64Array(size).fill(NaN));
  const lowest = name.includes('/') ? p.lowestStep.get(name.slice(0, name.lastIndexOf('/'))) : undefined;
  const width = 2 * judges.length + (name.includes('/') ? 2 : 0);
  const values = new Float64Array(size * width);
  judges.forEach((j, k) => {
    const marks = p.processError.get(j);
    if (!marks) return;
    for (let i = 0; i < size; i++) {
      if (p.correct[i] === 0 || marks[i] === -1) continue;
      values[i * width + 2 * k] = marks[i];
      values[i * width + 2 * k + 1] = 1;
    }
  });
  if (lowest) {
    for (let i = 0; i < size; i++) {
      if (lowest[i] === -1) continue;
      values[i * width + width - 2] = lowest[i];
      values[i * width + width - 1] = 1;
    }
  }
  return rank(scores, p.correct, values, width);
}

/** Scores of the samples with an answer (0 each when `scores` is null), NaN for the others. */
function usableScores(classes: Int32Array, scores: Float64Array | null): Float64Array {
  const out = new Float64Array(classes.length);
  for (let i = 0; i < classes.length; i++) out[i] = classes[i] < 0 ? NaN : scores ? scores[i] : 0;
  return out;
}

function finite(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) ? v : NaN;
}

function flag(v: boolean | undefined): number {
  return v === undefined ? -1 : v ? 1 : 0;
}

/** A typed column per key any sample has: `value` where a sample has it, `missing` elsewhere. */
function column<A extends Float64Array | Int8Array>(
  samples: readonly BonSample[],
  keysOf: (s: BonSample) => string[],
  Kind: new (length: number) => A,
  missing: number,
  value: (s: BonSample, key: string) => number,
): Map<string, A> {
  const out = new Map<string, A>();
  samples.forEach((s, i) => {
    for (const k of keysOf(s)) {
      let column = out.get(k);
      if (!column) {
        out.set(k, (column = new Kind(samples.length)));
        column.fill(missing);
      }
      column[i] = value(s, k);
    }
  });
  return out;
}
