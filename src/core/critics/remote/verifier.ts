import { createContext, Script, type Context } from 'node:vm';
import { isCorrectScore } from '../judgement';
import { CriticConfigError, type CriticConfig, type CriticResult, type StepJudgement } from '../types';
import type { CriticFields } from '../../config/critics';

/**
 * Generative verifiers (ThinkPRM, GenPRM, R-PRM, …): the model writes a verification of the whole solution with a
 * verdict per step, in order ("… The step is \boxed{correct}"). The k-th match of the verdict pattern is step k's
 * verdict; its score is P(yes) / (P(yes) + P(no)) from the top log-probabilities at the verdict's first token when
 * the server sends them, else 1 or 0 from the word written. Anything the model writes — GenPRM's verification
 * programs included — is only text shown to the user: nothing is ever executed.
 */
export interface VerifierFormat {
  /** A regex with one capture group around the verdict word, e.g. `\\boxed\{\s*(correct|incorrect)\s*\}`. */
  pattern: string;
  yes: string;
  no: string;
}

/** One completion token with its alternatives, as OpenAI-compatible servers return them (`logprobs.content`). */
export interface TokenLogprobs {
  token: string;
  top_logprobs?: { token: string; logprob: number }[];
}

export const VERIFIER_TIME_LIMIT_MS = 1000;

// Only code run by node:vm can be stopped by a timeout (as the segmenter's step patterns, segment/stepPattern.ts).
const SOURCE = `(() => JSON.stringify(Array.from(text.matchAll(new RegExp(source, 'gid')),
  (m) => m[1] === undefined ? null : [m.indices[1][0], m[1]])))()`;
let sandbox: { script: Script; context: Context } | undefined;

/** Offset and text of the first capture of every match, within the time limit. */
function verdictMatches(pattern: string, text: string): ([number, string] | null)[] {
  sandbox ??= { script: new Script(SOURCE), context: createContext({}) };
  const { script, context } = sandbox;
  Object.assign(context, { source: pattern, text });
  try {
    return JSON.parse(script.runInContext(context, { timeout: VERIFIER_TIME_LIMIT_MS }) as string);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw e;
    throw new Error(
      `the verdictPattern "${pattern}" ran for more than ${VERIFIER_TIME_LIMIT_MS} ms and was stopped: simplify it`,
      { cause: e },
    );
  } finally {
    context.text = '';
  }
}

/** Which word an alternative token starts (after the part of its token before the verdict), if only one. */
function wordOf(alternative: string, before: string, { yes, no }: VerifierFormat): 'yes' | 'no' | undefined {
  if (!alternative.startsWith(before)) return undefined;
  const rest = alternative.slice(before.length).trimStart().toLowerCase();
  if (rest === '') return undefined;
  const y = yes.toLowerCase().startsWith(rest) || rest.startsWith(yes.toLowerCase());
  const n = no.toLowerCase().startsWith(rest) || rest.startsWith(no.toLowerCase());
  return y && !n ? 'yes' : n && !y ? 'no' : undefined;
}

/** P(yes) / (P(yes) + P(no)) at the token holding offset `at`, or undefined without usable log-probabilities. */
function verdictShare(
  text: string,
  tokens: readonly TokenLogprobs[],
  at: number,
  format: VerifierFormat,
): number | undefined {
  // Offsets are only trusted when the tokens spell the text exactly (byte-split tokens do not).
  if (tokens.map((t) => t.token).join('') !== text) return undefined;
  let start = 0;
  for (const t of tokens) {
    if (at < start + t.token.length) {
      const before = text.slice(start, at);
      let p = 0;
      let q = 0;
      for (const alt of t.top_logprobs ?? []) {
        if (typeof alt.logprob !== 'number' || !(alt.logprob <= 0)) return undefined;
        const word = wordOf(alt.token, before, format);
        if (word === 'yes') p += Math.exp(alt.logprob);
        else if (word === 'no') q += Math.exp(alt.logprob);
      }
      return p + q > 0 ? p / (p + q) : undefined;
    }
    start += t.token.length;
  }
  return undefined;
}

/**
 * Step verdicts from one verification. Verdicts beyond the steps are ignored; steps without one (verifiers stop at
 * the first error) stay unknown. A verdict is correct when its score is above 0.5: the more likely of the two words.
 */
export function verifierJudgement(
  text: string,
  tokens: readonly TokenLogprobs[] | undefined,
  stepCount: number,
  format: VerifierFormat,
): Pick<CriticResult, 'steps' | 'firstError'> {
  const found = verdictMatches(format.pattern, text);
  const steps: StepJudgement[] = Array.from({ length: stepCount }, (_, i) => {
    const m = found[i];
    if (!m) return { score: null, verdict: 'unknown', reason: 'the verification gives no verdict for this step' };
    const [at, said] = m;
    const word = wordOf(said, '', format);
    const share = tokens ? verdictShare(text, tokens, at, format) : undefined;
    if (share !== undefined) {
      const verdict = isCorrectScore(share, 0.5) ? 'correct' : 'incorrect';
      return {
        score: share,
        verdict,
        reason: `wrote "${said}"; P(${format.yes}) = ${share.toFixed(3)} at the verdict`,
      };
    }
    if (word === undefined)
      return { score: null, verdict: 'unknown', reason: `the verdict "${said.slice(0, 20)}" is neither word` };
    const score = word === 'yes' ? 1 : 0;
    return { score, verdict: word === 'yes' ? 'correct' : 'incorrect', reason: `wrote "${said}" (no probabilities)` };
  });
  const decided = steps.findIndex((s) => s.verdict !== 'correct');
  const firstError = decided === -1 ? -1 : steps[decided].verdict === 'incorrect' ? decided : null;
  return { steps, firstError };
}

/** The verifier settings of an openai-critic (the table checks the pattern); votes in verifier mode are refused. */
export function verifierOptions(
  config: CriticConfig,
  fields: CriticFields<'openai-critic'>,
): VerifierFormat & { topLogprobs: number } {
  const fail = (field: string, message: string): never => {
    throw new CriticConfigError(`critic "${config.id}" (openai-critic): "${field}" ${message}`, config.id, field);
  };
  if (fields.mode === 'verifier' && fields.votes > 1)
    fail('votes', 'must be 1 with "mode": "verifier" (one verification)');
  return { pattern: fields.verdictPattern, yes: fields.yesWord, no: fields.noWord, topLogprobs: fields.topLogprobs };
}
