export interface MapOptions {
  /**
   * How many items may be started but not yet yielded (running, or finished and waiting for an older one).
   * Default `limit * 8`: enough that a few slow items do not idle the other workers, bounded so memory is too.
   */
  lookahead?: number;
}

type Slot<R> = { state: 'running' } | { state: 'done'; value: R } | { state: 'failed'; error: unknown };

/**
 * Maps `fn` over an async source with at most `limit` calls in flight, yielding results in source order. Workers
 * never wait for the oldest item: finished results wait in a reorder buffer of at most `lookahead` items while the
 * free workers start the next ones. Stops pulling new items once `signal` is aborted; calls already started are
 * still yielded so nothing finished is lost. A rejected call stops new work and is thrown to the caller at its
 * place in the order (the results before it are yielded first); no rejection is ever left unhandled.
 */
export async function* mapConcurrent<T, R>(
  source: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<R>,
  signal?: AbortSignal,
  options: MapOptions = {},
): AsyncGenerator<R> {
  const width = Math.max(1, limit);
  const window = Math.max(width, options.lookahead ?? width * 8);
  const iterator = Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
  const slots: Slot<R>[] = [];
  let running = 0;
  let pulling = false;
  let exhausted = false;
  let stopped = false;
  let sourceError: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const start = (item: T) => {
    const slot: Slot<R> = { state: 'running' };
    slots.push(slot);
    running += 1;
    let call: Promise<R>;
    try {
      call = Promise.resolve(fn(item));
    } catch (error) {
      call = Promise.reject(error);
    }
    // Both outcomes are handled here, at once: a rejection waits in its slot instead of going unhandled.
    call
      .then(
        (value) => Object.assign(slot, { state: 'done', value }),
        (error: unknown) => {
          Object.assign(slot, { state: 'failed', error });
          stopped = true;
        },
      )
      .finally(() => {
        running -= 1;
        notify();
        void fill();
      });
  };
  // One pull at a time: a source (an async generator) must not be asked for its next item twice at once.
  const fill = async () => {
    if (pulling) return;
    pulling = true;
    try {
      while (!exhausted && !stopped && !signal?.aborted && running < width && slots.length < window) {
        const next = await iterator.next();
        if (next.done) exhausted = true;
        else if (!stopped && !signal?.aborted) start(next.value);
      }
    } catch (error) {
      sourceError = { error };
      exhausted = true;
    } finally {
      pulling = false;
      notify();
    }
  };
  try {
    void fill();
    for (;;) {
      const head = slots[0];
      if (head && head.state !== 'running') {
        slots.shift();
        if (head.state === 'failed') throw head.error;
        void fill();
        yield head.value;
        continue;
      }
      if (!head && !pulling && (exhausted || stopped || signal?.aborted)) {
        if (sourceError) throw sourceError.error;
        return;
      }
      if (!pulling) void fill();
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopped = true;
    if (!exhausted) Promise.resolve(iterator.return?.()).catch(() => undefined);
  }
}
