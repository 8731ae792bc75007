/** Why a request to a remote critic failed, and whether trying again can help. */
export type RemoteFailureKind =
  | 'bad-key'
  | 'forbidden'
  | 'unknown-model'
  | 'wrong-url'
  | 'bad-request'
  | 'rate-limited'
  | 'server'
  | 'timeout'
  | 'connection'
  | 'malformed';

/** A failed call to a critic's server. `message` says what to fix; it never contains the API key. */
export class RemoteError extends Error {
  constructor(
    message: string,
    readonly kind: RemoteFailureKind,
    readonly retryable: boolean,
    /** The wait the server asked for (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RemoteError';
  }
}

/** A non-2xx answer from a plain `fetch` call (the /pooling endpoint). */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly headers: Headers,
    readonly body: string,
  ) {
    super(`HTTP ${status}`);
    this.name = 'HttpStatusError';
  }
}

/** A 2xx answer whose body is not what the protocol promises; `retryable` for truncated or non-JSON bodies. */
export class MalformedResponseError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
  ) {
    super(message);
    this.name = 'MalformedResponseError';
  }
}

/** What a failure message needs to know about the critic that made the call. */
export interface CallContext {
  criticId: string;
  url: string;
  model?: string;
  /** How the user sets this critic's key, e.g. `the environment variable OPENAI_API_KEY (apiKeyEnv)`. */
  keyHint: string;
  /** The key in use, removed from any text a server sends back before it reaches a message. */
  apiKey?: string;
}

/** Replaces every occurrence of the key (servers sometimes echo it) so messages and logs stay clean. */
export function redact(text: string, apiKey: string | undefined): string {
  return apiKey && apiKey.length >= 4 ? text.split(apiKey).join('***') : text;
}

/** Parses Retry-After (seconds or an HTTP date) and the non-standard retry-after-ms; undefined when absent. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number.parseFloat(headers.get('retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (value === null || value.trim() === '') return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Turns an HTTP status and the server's own message into a RemoteError that says what to fix. */
export function statusError(status: number, serverMessage: string, headers: Headers | undefined, ctx: CallContext): RemoteError {
  const said = serverMessage.trim() ? `: ${oneLine(redact(serverMessage, ctx.apiKey), 300)}` : '';
  const who = `critic "${ctx.criticId}"`;
  if (status === 401) {
    return new RemoteError(`${who}: ${ctx.url} rejected the API key (401${said}). Check ${ctx.keyHint}.`, 'bad-key', false, undefined, status);
  }
  if (status === 403) {
    return new RemoteError(`${who}: ${ctx.url} refused access (403${said}). The API key may lack access to model "${ctx.model ?? '?'}"; check ${ctx.keyHint}.`, 'forbidden', false, undefined, status);
  }
  if (status === 404) {
    if (/model/i.test(serverMessage)) {
      return new RemoteError(`${who}: the server at ${ctx.url} does not know model "${ctx.model ?? '?'}" (404${said}). Fix "model" in the critic's configuration (the server's GET /models lists its names).`, 'unknown-model', false, undefined, status);
    }
    return new RemoteError(`${who}: ${ctx.url} does not exist (404${said}). Fix "baseURL": ${wrongUrlHint(ctx.url)}`, 'wrong-url', false, undefined, status);
  }
  if (status === 429) {
    return new RemoteError(`${who}: rate limited by ${ctx.url} (429${said}). Lower "concurrency" or wait.`, 'rate-limited', true, retryAfterMs(headers), status);
  }
  if (status === 408 || status >= 500) {
    return new RemoteError(`${who}: server error ${status} from ${ctx.url}${said}.`, 'server', true, retryAfterMs(headers), status);
  }
  return new RemoteError(`${who}: ${ctx.url} rejected the request (${status}${said}). Check the critic's options (model, maxTokens, temperature, mode) against what this server supports.`, 'bad-request', false, undefined, status);
}

function wrongUrlHint(url: string): string {
  if (/\/v1\/pooling$/.test(url)) return 'vLLM serves /pooling at the server root, so leave "/v1" out of this critic\'s baseURL.';
  if (/\/chat\/completions$/.test(url) && !/\/v1\//.test(url)) return 'OpenAI-compatible servers usually serve the API under /v1 (e.g. http://localhost:8000/v1).';
  return 'it should be the server\'s API root, e.g. http://localhost:8000/v1 for OpenAI-compatible servers.';
}

export function oneLine(text: string, width: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= width ? flat : `${flat.slice(0, width - 1)}…`;
}
