import { capBody, ResponseTooLargeError } from './body';
import { HttpStatusError, MalformedResponseError } from './errors';

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * `fetch` whose every body is read under a cap of `maxBytes` (see capBody), and that throws HttpStatusError for
 * any non-2xx answer, keeping the (capped) body. The openai client gets this as its `fetch`, so both protocols
 * report server errors the same way (the client would otherwise drop vLLM's `{"message": …}` error bodies) and
 * no answer, error or not, can exhaust memory.
 */
export function cappedFetch(maxBytes: number): Fetch {
  return async (input, init) => {
    const response = capBody(await fetch(input, init), maxBytes);
    if (!response.ok) {
      const body = await response.text().catch((err: unknown) => {
        if (err instanceof ResponseTooLargeError) throw err;
        return '';
      });
      throw new HttpStatusError(response.status, response.headers, body);
    }
    return response;
  };
}

/** POSTs JSON and parses the JSON answer; a body that is not JSON is a (retryable) MalformedResponseError. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string>,
  signal: AbortSignal,
  maxBytes: number,
): Promise<unknown> {
  const response = await cappedFetch(maxBytes)(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`the answer is not valid JSON (${text.length} characters)`, true, text);
  }
}
