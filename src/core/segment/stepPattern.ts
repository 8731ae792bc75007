import { createContext, Script, type Context } from 'node:vm';

/** Longest a user's step pattern may run on one text (`^(a+)+$` backtracks exponentially and would never end). */
export const STEP_REGEX_TIME_LIMIT_MS = 1000;

// Only code run by node:vm can be stopped by a timeout: V8 terminates the running regex at the deadline. The pattern
// is compiled and run inside the context; only the match offsets come out.
const SOURCE =
  '(() => { const at = []; for (const m of text.matchAll(new RegExp(source, flags))) at.push(m.index); return at; })()';

let sandbox: { script: Script; context: Context } | undefined;

/** Where the matches of a global pattern start in `text`; an Error naming the pattern when it runs out of time. */
export function matchStarts(pattern: RegExp, text: string, timeLimitMs = STEP_REGEX_TIME_LIMIT_MS): number[] {
  sandbox ??= { script: new Script(SOURCE), context: createContext({}) };
  const { script, context } = sandbox;
  Object.assign(context, { source: pattern.source, flags: pattern.flags, text });
  try {
    return Array.from(script.runInContext(context, { timeout: timeLimitMs }) as ArrayLike<number>);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
    throw new Error(
      `The step regex "${pattern.source}" ran for more than ${timeLimitMs} ms on this text and was stopped ` +
        '(nested repetition such as (a+)+ can take exponential time): simplify the pattern.',
      { cause: e },
    );
  } finally {
    // The context outlives the call: it must not keep the text alive.
    context.text = '';
  }
}
