/**
 * Runs background jobs one at a time, keeping only the newest request: a request made while a job runs replaces any
 * waiting one and starts when the job ends. Results streamed in during a run so cost one job in flight, not a queue.
 */
export class LatestOnly {
  private busy = false;
  private next: { job: () => Promise<void>; onError: (e: unknown) => void } | undefined;
  private requests = 0;

  run(job: () => Promise<void>, onError: (e: unknown) => void): void {
    if (this.busy) {
      this.next = { job, onError };
      return;
    }
    this.busy = true;
    void job()
      .catch(onError)
      .finally(() => {
        this.busy = false;
        const next = this.next;
        this.next = undefined;
        if (next) this.run(next.job, next.onError);
      });
  }

  /**
   * One request in steps, each its own job (the curves, then their bands): a newer request replaces the steps not
   * yet started, and `current()` turns false once one is made, so a step drops its stale result. A step returns
   * whether to go on. Use either this or `run` on one instance.
   */
  request(steps: readonly ((current: () => boolean) => Promise<boolean>)[], onError: (e: unknown) => void): void {
    const id = ++this.requests;
    const current = () => id === this.requests;
    const step = (k: number) => async () => {
      if ((await steps[k](current)) && current() && k + 1 < steps.length) this.run(step(k + 1), onError);
    };
    this.run(step(0), onError);
  }
}
