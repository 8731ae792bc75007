import { CancelledError } from '../../types';

/**
 * At most `limit` tasks at once, started in arrival order. A task still waiting when its signal aborts is dropped
 * at once (it never reaches the server); running tasks are aborted by their own signal.
 */
export class Limiter {
  private running = 0;
  private readonly waiting: { start: () => void; cancel: () => void }[] = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(new CancelledError());
    if (this.running < this.limit) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          signal?.removeEventListener('abort', entry.cancel);
          this.running += 1;
          resolve();
        },
        cancel: () => {
          const i = this.waiting.indexOf(entry);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(new CancelledError());
        },
      };
      signal?.addEventListener('abort', entry.cancel, { once: true });
      this.waiting.push(entry);
    });
  }

  private release(): void {
    this.running -= 1;
    this.waiting.shift()?.start();
  }
}
