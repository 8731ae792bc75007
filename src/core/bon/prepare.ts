import { answerKey } from '../answers/equivalent';
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

/** Prepares best-of-N problems for bonCurves: answer classes, correctness, scores and process marks as arrays. */
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
  const problems = all.map((p): PreparedProblem => {
    const samples = p.samples.slice(0, slots);
    for (const s of samples) {
      for (const k of Object.keys(s.scores)) names.add(k);
      for (const k of Object.keys(s.processError ?? {})) judges.add(k);
    }
    const ids = new Map<string, number>();
    const classes = Int32Array.from(samples, (s) => {
      if (s.answer === null) return -1;
      const k = key(s.answer);
      let id = ids.get(k);
      if (id === undefined) ids.set(k, (id = ids.size));
      return id;
    });
    return {
      id: p.id,
      subset: p.subset,
      classes,
      classCount: ids.size,
      correct: Uint8Array.from(samples, (s) => (s.correct ? 1 : 0)),
      scores: columns(
        samples,
        (s) => Object.keys(s.scores),
        Float64Array,
        NaN,
        (s, k) => finite(s.scores[k]),
      ),
      processError: columns(
        samples,
        (s) => Object.keys(s.processError ?? {}),
        Int8Array,
        -1,
        (s, k) => flag(s.processError?.[k]),
      ),
      lowestStep: columns(
        samples,
        (s) => Object.keys(s.lowestStep ?? {}),
        Int8Array,
        -1,
        (s, k) => flag(s.lowestStep?.[k] === undefined ? undefined : s.lowestStep[k] === 'earlier'),
      ),
    };
  });
  return { slots, problems, scoreNames: [...names].sort(), judges: [...judges].sort() };
}

function finite(v: number | undefined): number {
  return v !== undefined && Number.isFinite(v) ? v : NaN;
}

function flag(v: boolean | undefined): number {
  return v === undefined ? -1 : v ? 1 : 0;
}

/** One typed column per key any sample has: `value` where a sample has it, `missing` elsewhere. */
function columns<A extends Float64Array | Int8Array>(
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
