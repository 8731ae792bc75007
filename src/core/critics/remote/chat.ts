import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { CallContext, MalformedResponseError } from './http/errors';
import { checkedFetch } from './http/fetch';
import { Limiter } from './http/limiter';
import { withRetry } from './http/retry';
import { RemoteSettings } from './config';
import { UsageTally } from './usage';

export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model' | 'stream'>;

/**
 * An OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp, Ollama, LM Studio) through the `openai` client, with
 * PRM Lens's own retry policy (the client's retries are off) and at most `concurrency` requests in flight.
 */
export class ChatEndpoint {
  private readonly client: OpenAI;
  private readonly limiter: Limiter;
  private readonly context: CallContext;

  constructor(
    criticId: string,
    private readonly settings: RemoteSettings,
  ) {
    this.client = new OpenAI({
      baseURL: settings.baseURL,
      // Always explicit: the client would otherwise read OPENAI_API_KEY / OPENAI_ORG_ID from the environment and
      // send the user's OpenAI credentials to whatever server this critic names.
      apiKey: settings.apiKey ?? 'no-key',
      organization: null,
      project: null,
      maxRetries: 0,
      // Our per-attempt timeout (withRetry) also covers reading the body, which the client's does not.
      timeout: settings.timeoutMs + 1000,
      logLevel: 'off',
      fetch: checkedFetch,
    });
    this.limiter = new Limiter(settings.concurrency);
    this.context = { criticId, url: `${settings.baseURL}/chat/completions`, model: settings.model, keyHint: settings.keyHint, apiKey: settings.apiKey };
  }

  /** One chat completion (non-streaming), retried per policy; tokens and requests go to `usage`. */
  async complete(request: ChatRequest, usage: UsageTally, signal?: AbortSignal): Promise<ChatCompletion> {
    return this.limiter.run(
      () =>
        withRetry(
          async (attemptSignal) => {
            const completion: unknown = await this.client.chat.completions.create({ ...request, model: this.settings.model ?? '', stream: false }, { signal: attemptSignal });
            checkCompletion(completion);
            usage.addTokens(completion.usage);
            return completion;
          },
          { policy: this.settings.retry, timeoutMs: this.settings.timeoutMs, signal, context: this.context, onAttempt: () => (usage.requests += 1) },
        ),
      signal,
    );
  }
}

function checkCompletion(value: unknown): asserts value is ChatCompletion {
  if (typeof value === 'string') {
    throw new MalformedResponseError(`expected a chat completion in JSON, got text starting ${JSON.stringify(value.slice(0, 60))}; check that "baseURL" is the API root (usually ending in /v1)`);
  }
  const choices = (value as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new MalformedResponseError('the chat completion has no "choices"');
  }
  for (const c of choices) {
    const message = (c as { message?: { content?: unknown } } | null)?.message;
    if (typeof message !== 'object' || message === null || (message.content !== null && message.content !== undefined && typeof message.content !== 'string')) {
      throw new MalformedResponseError('a choice of the chat completion has no "message" with text "content"');
    }
  }
}
