import { isCachedResult } from '../../core/critics/cache';
import { CriticResult } from '../../core/critics/types';
import { table } from '../io';

interface Tally {
  items: number;
  cached: number;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  sawTokens: boolean;
  latencies: number[];
  lenientOnly: number;
}

/**
 * Token usage, requests and latency per critic over a run. Cached results count as items but not as spending:
 * their usage and timing describe the call that produced them earlier.
 */
export class UsageTotals {
  private readonly byCritic = new Map<string, Tally>();

  add(result: CriticResult): void {
    let t = this.byCritic.get(result.criticId);
    if (!t) {
      t = {
        items: 0,
        cached: 0,
        requests: 0,
        promptTokens: 0,
        completionTokens: 0,
        sawTokens: false,
        latencies: [],
        lenientOnly: 0,
      };
      this.byCritic.set(result.criticId, t);
    }
    t.items += 1;
    // Parsing is deterministic: a cached answer counts here like a fresh one.
    t.lenientOnly += result.usage?.lenientOnlyAnswers ?? 0;
    if (isCachedResult(result)) {
      t.cached += 1;
      return;
    }
    t.latencies.push(result.timing.durationMs);
    const u = result.usage;
    if (!u) return;
    t.requests += u.requests ?? 0;
    if (u.promptTokens !== undefined || u.completionTokens !== undefined) t.sawTokens = true;
    t.promptTokens += u.promptTokens ?? 0;
    t.completionTokens += u.completionTokens ?? 0;
  }

  /** Prompt plus completion tokens spent so far, or undefined while no server has reported any. */
  tokens(): number | undefined {
    let total: number | undefined;
    for (const t of this.byCritic.values()) if (t.sawTokens) total = (total ?? 0) + t.promptTokens + t.completionTokens;
    return total;
  }

  /** One line per critic with critic answers that only answerParsing "lenient" would have read. */
  lenientOnlyLines(): string[] {
    return [...this.byCritic]
      .filter(([, t]) => t.lenientOnly > 0)
      .map(
        ([id, t]) =>
          `critic ${id}: ${t.lenientOnly} answer(s) only answerParsing "lenient" would have read ` +
          `(missed under ProcessBench's rule, as in the benchmark)`,
      );
  }

  /** Only critics that made requests or hit the cache (the offline checker has nothing to report). */
  private remote(): [string, Tally][] {
    return [...this.byCritic].filter(([, t]) => t.requests > 0 || t.cached > 0);
  }

  format(): string | undefined {
    const rows = this.remote().map(([id, t]) => {
      const sorted = [...t.latencies].sort((a, b) => a - b);
      const pct = (q: number) =>
        sorted.length ? String(Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))])) : '—';
      return [
        id,
        String(t.items),
        String(t.cached),
        String(t.requests),
        t.sawTokens ? String(t.promptTokens) : '—',
        t.sawTokens ? String(t.completionTokens) : '—',
        sorted.length ? String(Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length)) : '—',
        pct(0.5),
        pct(0.95),
      ];
    });
    if (rows.length === 0) return undefined;
    return table(
      ['critic', 'items', 'cached', 'requests', 'prompt_tokens', 'completion_tokens', 'mean_ms', 'p50_ms', 'p95_ms'],
      rows,
    );
  }
}
