import OpenAI from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { CriticCaller } from './http/caller';
import { MalformedResponseError } from './http/errors';
import { cappedFetch } from './http/fetch';
import { serverText } from './http/redact';
import { RemoteSettings } from './config';
import { reportedTokens, UsageTally } from './usage';

export type ChatRequest = Omit<ChatCompletionCreateParamsNonStreaming, 'model' | 'stream'>;

/**
 * An OpenAI-compatible chat endpoint (OpenAI, vLLM, llama.cpp, Ollama, LM Studio) through the `openai` client, with
 * PRM Lens's own retry policy (the client's retries are off), breaker and rate caps, at most `concurrency`
 * requests in flight, and every answer read under `maxResponseBytes`.
 */
export class ChatEndpoint {
  private readonly client: OpenAI;
  private readonly caller: CriticCaller;

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
      fetch: cappedFetch(settings.maxResponseBytes),
    });
    const { model, keyHint, apiKey } = settings;
    const url = `${settings.baseURL}/chat/completions`;
    this.caller = new CriticCaller({ criticId, url, model, keyHint, apiKey }, settings);
  }

  /**
   * One chat completion (non-streaming), retried per policy; tokens and requests go to `usage`. The texts of its
   * choices come back with the API key removed, so no critique, reason or cached result can carry it.
   */
  async complete(request: ChatRequest, usage: UsageTally, signal?: AbortSignal): Promise<ChatCompletion> {
    return this.caller.call(
      async (attemptSignal) => {
        const body = { ...request, model: this.settings.model ?? '', stream: false as const };
        const completion: unknown = await this.client.chat.completions.create(body, { signal: attemptSignal });
        checkCompletion(completion);
        usage.addTokens(completion.usage);
        for (const { message } of completion.choices) {
          if (typeof message.content === 'string') message.content = serverText(message.content, this.settings.apiKey);
        }
        return completion;
      },
      { usage, signal, prompt: request.messages, tokens: (completion) => reportedTokens(completion.usage) },
    );
  }
}

function checkCompletion(value: unknown): asserts value is ChatCompletion {
  if (typeof value === 'string') {
    const what = 'expected a chat completion in JSON (check that "baseURL" is the API root, usually ending in /v1)';
    throw new MalformedResponseError(what, false, value);
  }
  const choices = (value as { choices?: unknown } | null)?.choices;
  if (!Array.isArray(choices) || choices.length === 0) {
    throw new MalformedResponseError('the chat completion has no "choices"');
  }
  for (const c of choices) {
    const message = (c as { message?: { content?: unknown } } | null)?.message;
    if (
      typeof message !== 'object' ||
      message === null ||
      (message.content !== null && message.content !== undefined && typeof message.content !== 'string')
    ) {
      throw new MalformedResponseError('a choice of the chat completion has no "message" with text "content"');
    }
  }
}
