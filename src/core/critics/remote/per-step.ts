/** One step's verdict in a `per-step` critic's JSON answer. */
export interface StepVerdict {
  correct: boolean;
  explanation?: string;
}

export interface ParseOptions {
  /**
   * Also read near-JSON (trailing commas, comments, single quotes, Python's True/False) by repairing it. Never for an
   * answer cut by the token limit: repair would close the cut JSON and pass a partial answer off as a whole one.
   */
  repair?: boolean;
}

/**
 * Reads `{"steps": [{"paragraph", "explanation", "correct"}, …]}`, also from a fenced code block or with prose
 * around it (servers without structured output). Entries are placed by "paragraph" when it is a valid index, else
 * by position. Undefined when there is no such object.
 */
export async function parseStepVerdicts(
  text: string,
  stepCount: number,
  options: ParseOptions = {},
): Promise<(StepVerdict | undefined)[] | undefined> {
  const list = stepList([text, ...excerpts(text)]) ?? (options.repair ? await repairedStepList(text) : undefined);
  if (list === undefined) return undefined;
  const out: (StepVerdict | undefined)[] = new Array(stepCount).fill(undefined);
  let any = false;
  list.forEach((entry, position) => {
    if (typeof entry !== 'object' || entry === null) return;
    const e = entry as Record<string, unknown>;
    const correct =
      typeof e.correct === 'boolean'
        ? e.correct
        : typeof e.correct === 'string'
          ? ({ true: true, false: false } as Record<string, boolean>)[e.correct.toLowerCase()]
          : undefined;
    if (correct === undefined) return;
    const index =
      Number.isInteger(e.paragraph) && (e.paragraph as number) >= 0 && (e.paragraph as number) < stepCount
        ? (e.paragraph as number)
        : position;
    if (index >= stepCount || out[index] !== undefined) return;
    out[index] =
      typeof e.explanation === 'string' && e.explanation.trim() ? { correct, explanation: e.explanation } : { correct };
    any = true;
  });
  return any ? out : undefined;
}

/** The step entries, a top-level array or the "steps" of an object, of the first candidate that holds them. */
function stepList(candidates: readonly string[]): unknown[] | undefined {
  for (const candidate of candidates) {
    const value = tryParse(candidate);
    const list = Array.isArray(value) ? value : (value as { steps?: unknown } | undefined)?.steps;
    if (Array.isArray(list)) return list;
  }
  return undefined;
}

/**
 * The same from repaired excerpts, once strict JSON failed on every candidate (a well-formed answer never goes
 * through the repairer). Not the whole text: repairing prose around the JSON would make its words strings of an array.
 */
async function repairedStepList(text: string): Promise<unknown[] | undefined> {
  // jsonrepair's typings are ESM-only: imported dynamically, like stream-json, and only when an answer needs it.
  const { jsonrepair } = await import('jsonrepair');
  for (const excerpt of excerpts(text)) {
    let repaired: string;
    try {
      repaired = jsonrepair(excerpt);
    } catch {
      continue;
    }
    const list = stepList([repaired]);
    if (list) return list;
  }
  return undefined;
}

/** A ```json fence, the outermost braces, the outermost brackets. */
function excerpts(text: string): string[] {
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1];
  return [fenced, sliceBetween(text, '{', '}'), sliceBetween(text, '[', ']')].filter((c) => c !== undefined);
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function sliceBetween(text: string, open: string, close: string): string | undefined {
  const a = text.indexOf(open);
  const b = text.lastIndexOf(close);
  return a >= 0 && b > a ? text.slice(a, b + 1) : undefined;
}
