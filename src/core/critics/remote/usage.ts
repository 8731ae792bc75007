import { CriticUsage } from '../types';

/** Tokens and HTTP requests (retries included) spent on one score() call. */
export class UsageTally {
  promptTokens = 0;
  completionTokens = 0;
  requests = 0;
  private sawTokens = false;

  addTokens(usage: { prompt_tokens?: unknown; completion_tokens?: unknown } | null | undefined): void {
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
    return this.sawTokens ? { promptTokens: this.promptTokens, completionTokens: this.completionTokens, requests: this.requests } : { requests: this.requests };
  }
}
