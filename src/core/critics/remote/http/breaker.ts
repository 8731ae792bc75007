import { RemoteError, RemoteFailureKind } from './errors';

/** Failures that say the server is down, unreachable, stuck or refusing this key: the next request fares no better. */
const COUNTED: ReadonlySet<RemoteFailureKind> = new Set(['connection', 'timeout', 'bad-key', 'forbidden']);

/** How long an open breaker refuses requests before letting one through to see whether the server is back. */
export const BREAKER_COOLDOWN_MS = 60_000;

/**
 * One critic's circuit breaker. After `threshold` attempts in a row fail to reach the server (connection refused
 * or reset, timeout, rejected key), every request of the critic fails at once with one message naming the cause,
 * instead of each item paying timeouts and backoff all over again. After BREAKER_COOLDOWN_MS one request is let
 * through: a success closes the breaker (a critic kept by the editor recovers when the server is back), a failure
 * keeps it open. Any answer from the server (even a 500) ends a streak. `threshold` 0 turns it off.
 */
export class CircuitBreaker {
  private streak = 0;
  private openedAt: number | undefined;
  private probing = false;
  private last: RemoteError | undefined;

  constructor(
    readonly criticId: string,
    readonly threshold: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Throws the breaker's error while it is open; otherwise the attempt may go (perhaps as the one probe). */
  admit(): void {
    if (this.openedAt === undefined || this.last === undefined) return;
    if (!this.probing && this.now() - this.openedAt >= BREAKER_COOLDOWN_MS) {
      this.probing = true;
      return;
    }
    const cause = this.last.message.replace(`critic "${this.criticId}": `, '');
    throw new RemoteError(
      `critic "${this.criticId}": stopped after ${this.threshold} consecutive ` +
        `failure${this.threshold === 1 ? '' : 's'}` +
        ` (one request is tried again every ${BREAKER_COOLDOWN_MS / 1000} s); the last: ${cause}`,
      this.last.kind,
      false,
      undefined,
      this.last.status,
    );
  }

  /** An admitted attempt was cancelled by the user: it says nothing about the server. */
  cancelled(): void {
    this.probing = false;
  }

  /** The outcome of an admitted attempt: undefined for an answer, else the failure. */
  record(failure: RemoteError | undefined): void {
    this.probing = false;
    if (this.threshold === 0) return;
    if (failure === undefined || !COUNTED.has(failure.kind)) {
      this.streak = 0;
      this.openedAt = undefined;
      return;
    }
    this.streak += 1;
    this.last = failure;
    if (this.streak >= this.threshold) this.openedAt = this.now();
  }
}
