import { CancelledError } from '../../types';
import { sleep } from './signal';

/** Time for the rate window; tests inject one that moves only when asked. */
export interface Clock {
  now(): number;
  /** Waits `ms`, rejecting with CancelledError when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** A provider's published caps: requests and tokens (prompt + completion) per minute; Infinity for none. */
export interface RateCaps {
  rpm: number;
  tpm: number;
}

export const SYSTEM_CLOCK: Clock = { now: () => Date.now(), sleep };

const MINUTE_MS = 60_000;

interface Admitted {
  at: number;
  tokens: number;
}

/** A request admitted by a RateWindow; its token count is corrected once the server reports usage. */
export class Reservation {
  constructor(
    private readonly window: RateWindow,
    private readonly entry: Admitted,
  ) {}

  /** Replaces the estimate with what the server counted (prompt + completion tokens). */
  settle(tokens: number): void {
    this.entry.tokens = Math.max(0, Math.round(tokens));
  }

  /** The request was never sent: it does not count. */
  cancel(): void {
    this.window.forget(this.entry);
  }
}

/**
 * The requests and tokens sent to one endpoint (baseURL + model) in the last minute, by every critic and every run
 * of this process. A request waits, in arrival order, until it fits under its critic's caps: fewer than `rpm`
 * requests and at most `tpm` tokens (its own estimate included) in the trailing 60 s. A request estimated above
 * `tpm` on its own goes when the minute holds no tokens, rather than never.
 */
export class RateWindow {
  private readonly admitted: Admitted[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly clock: Clock) {}

  async acquire(estimate: number, caps: RateCaps, signal?: AbortSignal): Promise<Reservation> {
    const turn = this.queue.then(() => this.admit(estimate, caps, signal));
    this.queue = turn.catch(() => undefined);
    return abortable(turn, signal);
  }

  forget(entry: Admitted): void {
    const i = this.admitted.indexOf(entry);
    if (i >= 0) this.admitted.splice(i, 1);
  }

  private async admit(estimate: number, caps: RateCaps, signal?: AbortSignal): Promise<Reservation> {
    for (;;) {
      if (signal?.aborted) throw new CancelledError();
      const now = this.clock.now();
      while (this.admitted.length > 0 && this.admitted[0].at <= now - MINUTE_MS) this.admitted.shift();
      const wait = this.waitFor(estimate, caps, now);
      if (wait <= 0) {
        const entry = { at: now, tokens: estimate };
        this.admitted.push(entry);
        return new Reservation(this, entry);
      }
      await this.clock.sleep(wait, signal);
    }
  }

  /** Milliseconds until enough of the oldest requests have left the minute for this one to fit; 0 when it fits now. */
  private waitFor(estimate: number, caps: RateCaps, now: number): number {
    let requests = this.admitted.length;
    let tokens = this.admitted.reduce((sum, e) => sum + e.tokens, 0);
    let leaving = 0;
    // Ends at the latest when every request has left: 0 requests, 0 tokens (rpm is at least 1).
    while (!(requests < caps.rpm && (tokens === 0 || tokens + estimate <= caps.tpm))) {
      requests -= 1;
      tokens -= this.admitted[leaving].tokens;
      leaving += 1;
    }
    return leaving === 0 ? 0 : this.admitted[leaving - 1].at + MINUTE_MS - now;
  }
}

/** Rejects with CancelledError as soon as `signal` aborts; a reservation granted after that is given back. */
function abortable(turn: Promise<Reservation>, signal: AbortSignal | undefined): Promise<Reservation> {
  if (!signal) return turn;
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(new CancelledError());
      turn.then(
        (r) => r.cancel(),
        () => undefined,
      );
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    turn.then(
      (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

const windows = new Map<string, RateWindow>();

/** The process-wide window of an endpoint, made on first use (with `clock`, which tests replace). */
export function rateWindow(baseURL: string, model: string | undefined, clock: Clock): RateWindow {
  const key = `${baseURL} ${model ?? ''}`;
  let window = windows.get(key);
  if (!window) {
    window = new RateWindow(clock);
    windows.set(key, window);
  }
  return window;
}

/** Rough prompt size before sending: about 4 characters a token, the usual ratio of English text for BPE tokenizers. */
export function estimateTokens(value: unknown): number {
  return Math.ceil(JSON.stringify(value).length / 4);
}
