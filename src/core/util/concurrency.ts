/**
 * Maps `fn` over an async source with at most `limit` calls in flight, yielding results in source order.
 * Stops pulling new items once `signal` is aborted; calls already started are awaited so nothing finished is lost.
 */
export async function* mapConcurrent<T, R>(source: AsyncIterable<T> | Iterable<T>, limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): AsyncGenerator<R> {
  const inFlight: Promise<R>[] = [];
  for await (const item of source) {
    if (signal?.aborted) break;
    inFlight.push(fn(item));
    if (inFlight.length >= Math.max(1, limit)) yield await (inFlight.shift() as Promise<R>);
  }
  while (inFlight.length > 0) yield await (inFlight.shift() as Promise<R>);
}
