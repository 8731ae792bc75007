/** A response body (success or error) longer than the critic's `maxResponseBytes` once decompressed. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`the answer is longer than ${formatBytes(limit)}`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * The same response with a body that counts the bytes it hands out (fetch has already decompressed them, so a
 * gzip bomb is counted at its real size) and, past `limit`, errors with ResponseTooLargeError and cancels the
 * download. Whoever reads it (our code, the openai client's json()/text()) holds at most `limit` bytes plus one
 * chunk, whatever the server sends.
 */
export function capBody(response: Response, limit: number): Response {
  if (!response.body) return response;
  const reader = response.body.getReader();
  let seen = 0;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) return controller.close();
        seen += value.byteLength;
        if (seen > limit) {
          const err = new ResponseTooLargeError(limit);
          controller.error(err);
          await reader.cancel(err).catch(() => undefined);
          return;
        }
        controller.enqueue(value);
      },
      cancel: (reason) => reader.cancel(reason),
    },
    // Pull only when the reader asks: nothing is read ahead of the consumer.
    { highWaterMark: 0 },
  );
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
}

export function formatBytes(n: number): string {
  if (n >= 1 << 30 && n % (1 << 30) === 0) return `${n / (1 << 30)} GiB`;
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}
