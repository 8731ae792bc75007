import { HttpStatusError, MalformedResponseError } from './errors';

/**
 * `fetch` that throws HttpStatusError for any non-2xx answer, keeping the body. The openai client gets this as its
 * `fetch`, so both protocols report server errors the same way (the client would otherwise drop vLLM's
 * `{"message": …}` error bodies).
 */
export async function checkedFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const response = await fetch(input, init);
  if (!response.ok) {
    const body = await response.text().catch(() => '');
    throw new HttpStatusError(response.status, response.headers, body);
  }
  return response;
}

/** POSTs JSON and parses the JSON answer; a body that is not JSON is a (retryable) MalformedResponseError. */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<unknown> {
  const response = await checkedFetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`the answer is not valid JSON (${text.length} bytes, starting ${JSON.stringify(text.slice(0, 60))})`, true);
  }
}
