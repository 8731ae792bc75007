/** Where progress goes: stderr, or a stand-in in tests. */
export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface ProgressState {
  done: number;
  /** Undefined when the input was not counted. */
  total: number | undefined;
  cached: number;
  failed: number;
  /** Prompt + completion tokens spent so far by remote critics; undefined when none reported any. */
  tokens?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  /** Milliseconds; injected so tests control time. */
  now: () => number;
  /** Plain (not a terminal) output: a line at least this often… */
  plainIntervalMs?: number;
  /** …or whenever this share of the total more is done. */
  plainStep?: number;
}

/** A terminal's line is redrawn at most this often: fast enough to look live, slow enough to cost nothing. */
const TTY_REDRAW_MS = 100;

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

function tokens(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

/**
 * One progress line: done/total, %, rate, ETA, failures and tokens. The rate counts judged items only (answers from
 * the cache come at once and would make the ETA lie).
 */
export function formatProgress(s: ProgressState, elapsedMs: number): string {
  const parts = [
    s.total === undefined
      ? `${s.done} items`
      : `${s.done}/${s.total} (${s.total ? Math.floor((100 * s.done) / s.total) : 100}%)`,
  ];
  const judged = s.done - s.cached;
  const rate = elapsedMs > 0 ? (judged * 1000) / elapsedMs : 0;
  parts.push(`${rate.toFixed(1)} items/s`);
  if (s.total !== undefined && s.done < s.total)
    parts.push(rate > 0 ? `ETA ${duration(((s.total - s.done) / rate) * 1000)}` : 'ETA —');
  if (s.cached) parts.push(`${s.cached} cached`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.tokens !== undefined) parts.push(`${tokens(s.tokens)} tokens`);
  return `eval: ${parts.join(' · ')}`;
}

/**
 * Progress of `prm-lens eval` on stderr. On a terminal: one line rewritten in place. Otherwise (a log file, CI):
 * a plain line every `plainIntervalMs` (10 s) or every `plainStep` (10%) of the total, whichever comes first.
 */
export class ProgressReporter {
  private readonly started: number;
  private lastDraw = -Infinity;
  private lastPlain: number;
  private lastStep = 0;
  private shown = false;
  private state: ProgressState = { done: 0, total: undefined, cached: 0, failed: 0 };

  constructor(private readonly opts: ProgressOptions) {
    this.started = opts.now();
    this.lastPlain = this.started;
  }

  private get tty(): boolean {
    return this.opts.stream.isTTY === true;
  }

  update(state: ProgressState): void {
    this.state = state;
    const now = this.opts.now();
    if (this.tty) {
      if (now - this.lastDraw < TTY_REDRAW_MS) return;
      this.lastDraw = now;
      this.draw(now);
      return;
    }
    // The last step is left to finish(), which says it with the elapsed time.
    if (state.total !== undefined && state.done >= state.total) return;
    const stepSize = this.opts.plainStep ?? 0.1;
    const step = state.total ? Math.floor(state.done / state.total / stepSize) : 0;
    if (now - this.lastPlain >= (this.opts.plainIntervalMs ?? 10_000) || step > this.lastStep) {
      this.lastPlain = now;
      this.lastStep = step;
      this.opts.stream.write(`${formatProgress(state, now - this.started)}\n`);
    }
  }

  /** Prints a message without tearing the live line: the line is cleared, the message written, the line redrawn. */
  log(message: string): void {
    if (this.tty && this.shown) this.opts.stream.write('\r\x1b[K');
    this.opts.stream.write(`${message}\n`);
    if (this.tty && this.shown) this.draw(this.opts.now());
  }

  /** The last state, then a newline on a terminal (or one final plain line), with the elapsed time. */
  finish(): void {
    const now = this.opts.now();
    const line = `${formatProgress(this.state, now - this.started)} · ${duration(now - this.started)} elapsed`;
    this.opts.stream.write(this.tty ? `\r\x1b[K${line}\n` : `${line}\n`);
    this.shown = false;
  }

  private draw(now: number): void {
    this.opts.stream.write(`\r\x1b[K${formatProgress(this.state, now - this.started)}`);
    this.shown = true;
  }
}
