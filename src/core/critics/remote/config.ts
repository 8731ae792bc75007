import { CriticConfig, CriticConfigError, KeySource } from '../types';
import { DEFAULT_RETRY_POLICY, RetryPolicy } from './http/retry';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * Reads a critic's type-specific fields with messages that name the critic and the field, and rejects fields it
 * does not know (a typo such as "temprature" would otherwise be ignored silently).
 */
export class ConfigReader {
  private readonly used = new Set(['id', 'type', 'label']);

  constructor(readonly config: CriticConfig) {}

  private fail(field: string, message: string): never {
    throw new CriticConfigError(`critic "${this.config.id}" (${this.config.type}): "${field}" ${message}`, this.config.id, field);
  }

  private raw(field: string): unknown {
    this.used.add(field);
    return this.config[field];
  }

  string(field: string): string | undefined;
  string(field: string, fallback: string): string;
  string(field: string, fallback?: string): string | undefined {
    const value = this.raw(field);
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'string' || value.trim() === '') this.fail(field, `must be a non-empty string, got ${JSON.stringify(value)}`);
    return value;
  }

  requiredString(field: string, example: string): string {
    const value = this.string(field);
    if (value === undefined) this.fail(field, `is required (e.g. ${example})`);
    return value;
  }

  /** A string that `check` accepts (it returns why not). */
  checkedString(field: string, fallback: string, check: (value: string) => string | undefined): string {
    const value = this.string(field, fallback);
    const problem = check(value);
    if (problem) this.fail(field, problem);
    return value;
  }

  number(field: string, fallback: number, opts: { min?: number; max?: number; integer?: boolean } = {}): number {
    const value = this.raw(field);
    if (value === undefined) return fallback;
    const { min = -Infinity, max = Infinity, integer = false } = opts;
    if (typeof value !== 'number' || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
      const range = max === Infinity ? `≥ ${min}` : `between ${min} and ${max}`;
      this.fail(field, `must be ${integer ? 'an integer' : 'a number'} ${range}, got ${JSON.stringify(value)}`);
    }
    return value;
  }

  /** A number, or null meaning "do not send this option" (for servers that reject it). */
  optionalNumber(field: string, fallback: number | null, opts: { min?: number; max?: number } = {}): number | null {
    const value = this.raw(field);
    if (value === null) return null;
    if (value === undefined) return fallback;
    return this.number(field, 0, opts);
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.raw(field);
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(field, `must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }

  oneOf<T extends string>(field: string, choices: readonly T[], fallback: T): T {
    const value = this.raw(field);
    if (value === undefined) return fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) this.fail(field, `must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(value)}`);
    return value as T;
  }

  url(field: string, fallback?: string): string {
    const value = fallback === undefined ? this.requiredString(field, 'http://localhost:8000/v1') : this.string(field, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      this.fail(field, `must be an http(s) URL, got ${JSON.stringify(value)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') this.fail(field, `must be an http(s) URL, got ${JSON.stringify(value)}`);
    return value.replace(/\/+$/, '');
  }

  /** Call after reading every field: any other field is an error listing the known ones. */
  done(): void {
    const unknown = Object.keys(this.config).filter((k) => !this.used.has(k));
    if (unknown.length > 0) {
      throw new CriticConfigError(
        `critic "${this.config.id}" (${this.config.type}): unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; known fields: ${[...this.used].join(', ')}`,
        this.config.id,
        unknown[0],
      );
    }
  }
}

/** Fields every networked critic has. */
export interface RemoteSettings {
  baseURL: string;
  model: string | undefined;
  concurrency: number;
  timeoutMs: number;
  retry: RetryPolicy;
  apiKey: string | undefined;
  keyHint: string;
}

export async function readRemoteSettings(reader: ConfigReader, keys: KeySource, opts: { defaultURL?: string; modelRequired: boolean; timeoutMs: number }): Promise<RemoteSettings> {
  const baseURL = reader.url('baseURL', opts.defaultURL);
  const model = opts.modelRequired ? reader.requiredString('model', '"gpt-4o" or "Qwen/Qwen2.5-72B-Instruct"') : reader.string('model');
  // The name of an environment variable: read by the CLI's key source, never a key itself.
  const keyEnv = reader.string('apiKeyEnv');
  if (keyEnv !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(keyEnv)) {
    throw new CriticConfigError(`critic "${reader.config.id}" (${reader.config.type}): "apiKeyEnv" must be the NAME of an environment variable (e.g. "OPENAI_API_KEY"), not a key`, reader.config.id, 'apiKeyEnv');
  }
  const concurrency = reader.number('concurrency', 4, { min: 1, max: 256, integer: true });
  const timeoutMs = reader.number('timeoutMs', opts.timeoutMs, { min: 1 });
  const retries = reader.number('retries', DEFAULT_RETRY_POLICY.retries, { min: 0, max: 20, integer: true });
  const baseDelayMs = reader.number('retryDelayMs', DEFAULT_RETRY_POLICY.baseDelayMs, { min: 0 });
  const apiKey = (await keys.apiKey?.(reader.config)) || undefined;
  const keyHint = keys.keyHint?.(reader.config) ?? 'the API key configured for this critic';
  if (!apiKey && baseURL === OPENAI_BASE_URL) {
    throw new CriticConfigError(`critic "${reader.config.id}" talks to the OpenAI API and needs an API key: set ${keyHint}`, reader.config.id, 'apiKeyEnv');
  }
  return { baseURL, model, concurrency, timeoutMs, retry: { ...DEFAULT_RETRY_POLICY, retries, baseDelayMs }, apiKey, keyHint };
}
