import { CriticUsage } from '../types';

/** The `usage` of an OpenAI-style or vLLM answer, as sent (any field may be missing or wrong). */
export type ReportedUsage = { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined;

/** Tokens and HTTP requests (retries included) spent on one score() call. */
export class UsageTally {
  promptTokens = 0;
  completionTokens = 0;
  requests = 0;
  private sawTokens = false;

  addTokens(usage: ReportedUsage): void {
    if (!usage) return;
    if (typeof usage.prompt_tokens === 'number') {
      this.promptTokens += usage.prompt_tokens;
      this.sawTokens = true;
    }
    if (typeof usage.completion_tokens === 'number') {
      this.completionTokens += usage.completion_tokens;
      this.sawTokens = true;
    }
  }

  /** Token counts only when the server reported them (many local servers do not). */
  toUsage(): CriticUsage {
    return this.sawTokens
      ? { promptTokens: this.promptTokens, completionTokens: this.completionTokens, requests: this.requests }
      : { requests: this.requests };
  }
}

/** Prompt + completion tokens of one answer, when the server reported either (what `tpm` caps count). */
export function reportedTokens(usage: ReportedUsage): number | undefined {
  const counts = [usage?.prompt_tokens, usage?.completion_tokens].filter((n): n is number => Number.isFinite(n));
  return counts.length === 0 ? undefined : counts.reduce((a, b) => a + b, 0);
}
