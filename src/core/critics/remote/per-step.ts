/** One step's verdict in a `per-step` critic's JSON answer. */
export interface StepVerdict {
  correct: boolean;
  explanation?: string;
}

/**
 * Reads `{"steps": [{"paragraph", "explanation", "correct"}, …]}`, also from a fenced code block or with prose
 * around it (servers without structured output). Entries are placed by "paragraph" when it is a valid index, else
 * by position. Undefined when there is no such object.
 */
export function parseStepVerdicts(text: string, stepCount: number): (StepVerdict | undefined)[] | undefined {
  const value = firstJsonObject(text);
  const list = Array.isArray(value) ? value : (value as { steps?: unknown } | undefined)?.steps;
  if (!Array.isArray(list)) return undefined;
  const out: (StepVerdict | undefined)[] = new Array(stepCount).fill(undefined);
  let any = false;
  list.forEach((entry, position) => {
    if (typeof entry !== 'object' || entry === null) return;
    const e = entry as Record<string, unknown>;
    const correct = typeof e.correct === 'boolean' ? e.correct : typeof e.correct === 'string' ? ({ true: true, false: false } as Record<string, boolean>)[e.correct.toLowerCase()] : undefined;
    if (correct === undefined) return;
    const index = Number.isInteger(e.paragraph) && (e.paragraph as number) >= 0 && (e.paragraph as number) < stepCount ? (e.paragraph as number) : position;
    if (index >= stepCount || out[index] !== undefined) return;
    out[index] = typeof e.explanation === 'string' && e.explanation.trim() ? { correct, explanation: e.explanation } : { correct };
    any = true;
  });
  return any ? out : undefined;
}

/** The first parseable JSON object or array in the text (whole text, a ```json fence, or the outermost braces). */
function firstJsonObject(text: string): unknown {
  const candidates = [text, /```(?:json)?\s*([\s\S]*?)```/i.exec(text)?.[1], sliceBetween(text, '{', '}'), sliceBetween(text, '[', ']')];
  for (const c of candidates) {
    if (c === undefined) continue;
    try {
      return JSON.parse(c);
    } catch {
      // try the next candidate
    }
  }
  return undefined;
}

function sliceBetween(text: string, open: string, close: string): string | undefined {
  const a = text.indexOf(open);
  const b = text.lastIndexOf(close);
  return a >= 0 && b > a ? text.slice(a, b + 1) : undefined;
}
