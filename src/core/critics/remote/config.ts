import { OPENAI_BASE_URL } from '../../config/critics';
import { CriticConfig, CriticConfigError, KeySource } from '../types';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from './http/retry';

/** The fields every networked critic reads (see the critic table in src/core/config/critics.ts). */
export interface RemoteFields {
  baseURL: string;
  model: string | undefined;
  concurrency: number;
  timeoutMs: number;
  retries: number;
  retryDelayMs: number;
  maxResponseBytes: number;
  maxConsecutiveFailures: number;
  /** Undefined: no cap. */
  rpm: number | undefined;
  tpm: number | undefined;
}

/** What every networked critic runs with. */
export interface RemoteSettings {
  baseURL: string;
  model: string | undefined;
  concurrency: number;
  timeoutMs: number;
  retry: RetryPolicy;
  apiKey: string | undefined;
  keyHint: string;
  /** Largest answer (success or error body, decompressed) read before the request fails. */
  maxResponseBytes: number;
  /** Attempts in a row that fail to reach the server before the critic stops (0: never). */
  maxConsecutiveFailures: number;
  /** Requests and tokens per minute to this baseURL + model, shared by the whole process; Infinity: no cap. */
  rpm: number;
  tpm: number;
}

/** The checked fields plus the API key; the OpenAI API refuses every request without one, so that fails here. */
export async function remoteSettings(
  config: CriticConfig,
  fields: RemoteFields,
  keys: KeySource,
): Promise<RemoteSettings> {
  const { baseURL, model, concurrency, timeoutMs, retries, retryDelayMs } = fields;
  const { maxResponseBytes, maxConsecutiveFailures } = fields;
  const limits = { maxResponseBytes, maxConsecutiveFailures, rpm: fields.rpm ?? Infinity, tpm: fields.tpm ?? Infinity };
  const apiKey = (await keys.apiKey?.(config)) || undefined;
  const keyHint = keys.keyHint?.(config) ?? 'the API key configured for this critic';
  if (!apiKey && baseURL === OPENAI_BASE_URL) {
    const message = `critic "${config.id}" talks to the OpenAI API and needs an API key: set ${keyHint}`;
    throw new CriticConfigError(message, config.id, 'apiKeyEnv');
  }
  const retry = { ...DEFAULT_RETRY_POLICY, retries, baseDelayMs: retryDelayMs };
  return { baseURL, model, concurrency, timeoutMs, retry, apiKey, keyHint, ...limits };
}
