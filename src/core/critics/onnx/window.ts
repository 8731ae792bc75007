import type { SolutionScores, StepScore } from './protocol';

/**
 * The opt-in sliding window of local PRMs (`window: "sliding"`) for a solution longer than the model's context.
 * The first window is the ordinary run: the problem and every step that fits. Each later window restates the
 * problem, carries the steps before its new ones that fit in `overlap` × the context (context only: they were scored
 * in an earlier window), then takes as many new steps as fit. A step is scored in the first window that holds it,
 * which is the one where it has the most preceding context (windows start later and later); every window is scored
 * exactly as a solution of its own steps would be, so a windowed score equals scoring that window alone.
 */
export interface StepWindow {
  /** First step sent (context from here on). */
  first: number;
  /** First step scored from this window (`first` for the first window). */
  from: number;
  /** Last step scored (and sent). */
  last: number;
}

export interface Windowed {
  /** Every step's score: from its window, or null with a note when it does not fit even alone. */
  steps: StepScore[];
  /** Each step's window (an index into `windows`), -1 for a step no window could score. */
  windowOf: number[];
  windows: StepWindow[];
  /** Each window's scored input, in order. */
  inputs: string[];
}

/** Scores the problem and the given steps alone: one ordinary run of the model (cut at its context). */
export type ScoreRun = (steps: readonly string[]) => Promise<SolutionScores>;

/** How many leading steps a run scored before its cut (the steps past the context have no score). */
export function scoredPrefix(result: SolutionScores): number {
  for (let k = result.steps.length - 1; k >= 0; k--) if (result.steps[k].score !== null) return k + 1;
  return 0;
}

/**
 * The next window's steps from token estimates: `tokens[k]` is step k's own tokens in the whole solution's
 * encoding and `budget` the tokens of the context left for steps (after the problem and markup). New steps start at
 * `next`; before them go as many preceding steps as fit in `overlap` × budget, after them as many as fit in the rest
 * (at least one). The run cuts the window exactly where the model's context ends, so an estimate only sets how much
 * is sent.
 */
export function planWindow(
  tokens: readonly number[],
  next: number,
  budget: number,
  overlap: number,
): { first: number; last: number } {
  let first = next;
  let used = 0;
  while (first > 0 && used + tokens[first - 1] <= overlap * budget) used += tokens[--first];
  let last = next;
  used += tokens[next];
  while (last + 1 < tokens.length && used + tokens[last + 1] <= budget) used += tokens[++last];
  return { first, last };
}

/**
 * Scores the steps past the first run's cut in further windows (see StepWindow). `firstRun` is the ordinary run over
 * all the steps; `run` scores a window's steps alone. A window whose new steps do not fit behind its carried steps
 * is sent again without them; a step that does not fit even alone stays unscored, with a note.
 */
export async function slideWindows(
  steps: readonly string[],
  firstRun: SolutionScores,
  maxTokens: number,
  overlap: number,
  run: ScoreRun,
): Promise<Windowed> {
  const n = steps.length;
  const tokens = firstRun.steps.map((s) => s.tokens);
  const fit = scoredPrefix(firstRun);
  const windows: StepWindow[] = fit > 0 ? [{ first: 0, from: 0, last: fit - 1 }] : [];
  const out: Windowed = {
    steps: firstRun.steps.slice(),
    windowOf: steps.map((_, k) => (k < fit ? 0 : -1)),
    windows,
    inputs: fit > 0 && firstRun.input !== undefined ? [firstRun.input] : [],
  };
  // The problem and markup: what the first run fed besides the steps it scored.
  let own = 0;
  for (let k = 0; k < fit; k++) own += tokens[k];
  const budget = Math.max(1, maxTokens - Math.max(0, firstRun.tokens - own));
  let next = fit;
  while (next < n) {
    let { first, last } = planWindow(tokens, next, budget, overlap);
    let result = await run(steps.slice(first, last + 1));
    if (first < next && first + scoredPrefix(result) <= next) {
      ({ first, last } = planWindow(tokens, next, budget, 0));
      result = await run(steps.slice(first, last + 1));
    }
    const end = first + scoredPrefix(result);
    if (end <= next) {
      out.steps[next] = {
        score: null,
        tokens: tokens[next],
        note: `not scored: the problem and this step need more than the model's ${maxTokens} tokens, even in a window of their own`,
      };
      next += 1;
      continue;
    }
    windows.push({ first, from: next, last: end - 1 });
    for (let k = next; k < end; k++) {
      out.steps[k] = result.steps[k - first];
      out.windowOf[k] = windows.length - 1;
    }
    if (result.input !== undefined) out.inputs.push(result.input);
    next = end;
  }
  return out;
}
