import { serverText } from './redact';

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
  | 'malformed'
  | 'too-large';

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

/**
 * A 2xx answer whose body is not what the protocol promises; `retryable` for truncated or non-JSON bodies. The
 * message says what was expected and never quotes the server: what it sent is `sample`, shown (redacted, then cut)
 * only when the error becomes a RemoteError.
 */
export class MalformedResponseError extends Error {
  constructor(
    message: string,
    readonly retryable = false,
    readonly sample?: string,
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

/** Longest wait a Retry-After is read as: larger values (or years away dates) say the same, "not soon". */
const RETRY_AFTER_CAP_MS = 24 * 3600_000;

/**
 * Parses Retry-After (delay-seconds or an HTTP date) and the non-standard retry-after-ms, capped at a day.
 * Undefined when absent or invalid (a negative number, junk), so the caller backs off instead. Only a real
 * HTTP date is read as one: Date.parse would read "-5" as a day in 2001, i.e. "retry now".
 */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms')?.trim() || Number.NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, RETRY_AFTER_CAP_MS);
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(Number(value) * 1000, RETRY_AFTER_CAP_MS);
  if (!HTTP_DATE.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.min(Math.max(0, date - now), RETRY_AFTER_CAP_MS);
}

/** IMF-fixdate, RFC 850 and asctime dates all start with the day's name (RFC 9110 §5.6.7). */
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/** Turns an HTTP status and the server's own message into a RemoteError that says what to fix. */
export function statusError(
  status: number,
  serverMessage: string,
  headers: Headers | undefined,
  ctx: CallContext,
): RemoteError {
  const said = serverMessage.trim() ? `: ${serverText(serverMessage, ctx.apiKey, 300)}` : '';
  const who = `critic "${ctx.criticId}"`;
  if (status === 401) {
    return new RemoteError(
      `${who}: ${ctx.url} rejected the API key (401${said}). Check ${ctx.keyHint}.`,
      'bad-key',
      false,
      undefined,
      status,
    );
  }
  if (status === 403) {
    return new RemoteError(
      `${who}: ${ctx.url} refused access (403${said}). The API key may lack access to model "${ctx.model ?? '?'}"; check ${ctx.keyHint}.`,
      'forbidden',
      false,
      undefined,
      status,
    );
  }
  if (status === 404) {
    if (/model/i.test(serverMessage)) {
      return new RemoteError(
        `${who}: the server at ${ctx.url} does not know model "${ctx.model ?? '?'}" (404${said}). Fix "model" in the critic's configuration (the server's GET /models lists its names).`,
        'unknown-model',
        false,
        undefined,
        status,
      );
    }
    return new RemoteError(
      `${who}: ${ctx.url} does not exist (404${said}). Fix "baseURL": ${wrongUrlHint(ctx.url)}`,
      'wrong-url',
      false,
      undefined,
      status,
    );
  }
  if (status === 429) {
    return new RemoteError(
      `${who}: rate limited by ${ctx.url} (429${said}). Lower "concurrency" or wait.`,
      'rate-limited',
      true,
      retryAfterMs(headers),
      status,
    );
  }
  if (status === 408 || status >= 500) {
    return new RemoteError(
      `${who}: server error ${status} from ${ctx.url}${said}.`,
      'server',
      true,
      retryAfterMs(headers),
      status,
    );
  }
  return new RemoteError(
    `${who}: ${ctx.url} rejected the request (${status}${said}). Check the critic's options (model, maxTokens, temperature, mode) against what this server supports.`,
    'bad-request',
    false,
    undefined,
    status,
  );
}

function wrongUrlHint(url: string): string {
  if (/\/v1\/pooling$/.test(url))
    return 'vLLM serves /pooling at the server root, so leave "/v1" out of this critic\'s baseURL.';
  if (/\/chat\/completions$/.test(url) && !/\/v1\//.test(url))
    return 'OpenAI-compatible servers usually serve the API under /v1 (e.g. http://localhost:8000/v1).';
  return "it should be the server's API root, e.g. http://localhost:8000/v1 for OpenAI-compatible servers.";
}
