/**
 * Runs background jobs one at a time, keeping only the newest request: a request made while a job runs replaces any
 * waiting one and starts when the job ends. Results streamed in during a run so cost one job in flight, not a queue.
 */
export class LatestOnly {
  private busy = false;
  private next: { job: () => Promise<void>; onError: (e: unknown) => void } | undefined;

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
}
