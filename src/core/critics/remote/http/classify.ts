import { formatBytes, ResponseTooLargeError } from './body';
import { CallContext, HttpStatusError, MalformedResponseError, RemoteError, statusError } from './errors';
import { serverText } from './redact';
import { errorMessage } from '../../../util/errors';

/** How much of a malformed answer a message quotes. */
const SAMPLE_CHARS = 80;

/**
 * Maps anything a request can throw (our HttpStatusError from `cappedFetch`, a body that is not JSON, a fetch
 * failure, the openai client's wrappers around them) to a RemoteError. Cancellation and timeouts are decided by
 * the caller, which knows which signal fired.
 */
export function classifyError(err: unknown, ctx: CallContext): RemoteError {
  if (err instanceof RemoteError) return err;
  const tooLarge = findInCauses(err, (e): e is ResponseTooLargeError => e instanceof ResponseTooLargeError);
  if (tooLarge) {
    return new RemoteError(
      `critic "${ctx.criticId}": ${ctx.url} sent more than ${formatBytes(tooLarge.limit)}, the limit set by ` +
        '"maxResponseBytes"; the request was stopped. Raise "maxResponseBytes" if answers this long are expected.',
      'too-large',
      false,
    );
  }
  const status = findInCauses(err, (e): e is HttpStatusError => e instanceof HttpStatusError);
  if (status) return statusError(status.status, serverMessage(status.body), status.headers, ctx);
  const malformed = findInCauses(err, (e): e is MalformedResponseError => e instanceof MalformedResponseError);
  if (malformed) {
    const got = malformed.sample === undefined ? '' : `, got ${serverText(malformed.sample, ctx.apiKey, SAMPLE_CHARS)}`;
    const what = `${ctx.url} sent an answer PRM Lens cannot read: ${malformed.message}${got}`;
    return new RemoteError(`critic "${ctx.criticId}": ${what}`, 'malformed', malformed.retryable);
  }
  if (findInCauses(err, (e): e is SyntaxError => e instanceof SyntaxError)) {
    return new RemoteError(
      `critic "${ctx.criticId}": ${ctx.url} sent malformed JSON (truncated or not JSON at all). Check that "baseURL" points at the API.`,
      'malformed',
      true,
    );
  }
  const code = errorCode(err);
  const reset = code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE';
  const what = reset ? `the connection to ${ctx.url} was reset` : `cannot reach ${ctx.url}`;
  const detail = code ?? serverText(errorMessage(err), ctx.apiKey, 200);
  return new RemoteError(
    `critic "${ctx.criticId}": ${what} (${detail}). Is the server running, and is "baseURL" right?`,
    'connection',
    true,
  );
}

/** The human part of an error body: OpenAI's {error: {message}}, Ollama's {error: "…"}, vLLM's {message}, FastAPI's {detail}. */
export function serverMessage(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // Plain text or an HTML error page: keep the words, drop the markup.
    return body.replace(/<[^>]*>/g, ' ');
  }
  if (typeof parsed !== 'object' || parsed === null) return String(parsed);
  const o = parsed as Record<string, unknown>;
  const error = o.error;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string')
    return (error as { message: string }).message;
  if (typeof o.message === 'string') return o.message;
  if (typeof o.detail === 'string') return o.detail;
  if (Array.isArray(o.detail))
    return o.detail
      .map((d) =>
        typeof d === 'object' && d !== null && 'msg' in d ? String((d as { msg: unknown }).msg) : JSON.stringify(d),
      )
      .join('; ');
  return body;
}

function findInCauses<T>(err: unknown, match: (e: unknown) => e is T): T | undefined {
  for (
    let e: unknown = err, depth = 0;
    e !== undefined && e !== null && depth < 6;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    if (match(e)) return e;
  }
  return undefined;
}

/** The first system error code (ECONNREFUSED, ECONNRESET, UND_ERR_SOCKET…) along the `cause` chain. */
function errorCode(err: unknown): string | undefined {
  const found = findInCauses(err, (e): e is { code: string } => typeof (e as { code?: unknown }).code === 'string');
  return found?.code;
}
