import type { CriticConfig } from '../core/critics/types';
import { OPENAI_BASE_URL } from '../core/config/critics';

/** The critics that talk to a server, as "Add Critic…" offers them. */
export type ApiCriticType = 'openai-critic' | 'chat-prm' | 'vllm-pooling';

export interface ApiCriticKind {
  type: ApiCriticType;
  label: string;
  description: string;
  /** Where the base URL points (the input box's prompt) and the URL it starts from. */
  urlPrompt: string;
  defaultURL: string;
  /** The server needs the model's name (vLLM's pooling API serves one model and may go without). */
  modelRequired: boolean;
  modelExample: string;
}

export const API_CRITIC_KINDS: readonly ApiCriticKind[] = [
  {
    type: 'openai-critic',
    label: 'LLM critic (OpenAI-compatible chat)',
    description: 'OpenAI, vLLM, llama.cpp, Ollama, LM Studio: the model names the first wrong step',
    urlPrompt: 'The API root of an OpenAI-compatible server, usually ending in /v1 (OpenAI itself by default).',
    defaultURL: OPENAI_BASE_URL,
    modelRequired: true,
    modelExample: 'gpt-4o or Qwen/QwQ-32B',
  },
  {
    type: 'chat-prm',
    label: 'Chat PRM (RLHFlow style)',
    description: 'a PRM behind a chat endpoint: the score of a step is p(+)',
    urlPrompt: 'The API root of the OpenAI-compatible server running the PRM, usually ending in /v1.',
    defaultURL: 'http://127.0.0.1:8000/v1',
    modelRequired: true,
    modelExample: 'RLHFlow/Llama3.1-8B-PRM-Deepseek-Data',
  },
  {
    type: 'vllm-pooling',
    label: 'vLLM pooling PRM',
    description: "a PRM served by vLLM's pooling API (POST /pooling), e.g. Qwen2.5-Math-PRM",
    urlPrompt: 'The root of the vLLM server, without /v1 (the pooling API is served at /pooling).',
    defaultURL: 'http://127.0.0.1:8000',
    modelRequired: false,
    modelExample: 'Qwen/Qwen2.5-Math-PRM-7B',
  },
];

export function apiCriticKind(type: string): ApiCriticKind | undefined {
  return API_CRITIC_KINDS.find((k) => k.type === type);
}

/** Why a base URL cannot be used, or undefined when it can. */
export function baseURLProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return 'Enter an http:// or https:// URL, e.g. http://127.0.0.1:8000/v1.';
  }
  return url.protocol === 'http:' || url.protocol === 'https:' ? undefined : 'Enter an http:// or https:// URL.';
}

/** Why a critic id cannot be used (its shape, or another critic has it), or undefined when it can. */
export function criticIdProblem(value: string, taken: ReadonlySet<string>): string | undefined {
  if (!/^[\w.-]+$/.test(value)) return 'Use letters, digits, "_", "-" and "." only.';
  return taken.has(value) ? `A critic "${value}" exists already.` : undefined;
}

/** An unused id from a model name ("Qwen/Qwen2.5-Math-PRM-7B" → "qwen2.5-math-prm-7b"), or the type without one. */
export function suggestCriticId(model: string | undefined, type: ApiCriticType, taken: ReadonlySet<string>): string {
  const name = model?.split('/').pop() ?? '';
  const base =
    name
      .toLowerCase()
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || type;
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

export interface ApiCriticDraft {
  type: ApiCriticType;
  id: string;
  baseURL: string;
  model?: string;
}

/** The `prmLens.critics` entry for a draft, or every problem with it. */
export function apiCriticConfig(
  draft: ApiCriticDraft,
  taken: ReadonlySet<string>,
): { config: CriticConfig } | { problems: string[] } {
  const kind = apiCriticKind(draft.type);
  if (!kind) {
    const types = API_CRITIC_KINDS.map((k) => k.type).join(', ');
    return { problems: [`"${draft.type}" is not a critic that talks to a server (${types})`] };
  }
  const model = draft.model?.trim() || undefined;
  const problems = [
    criticIdProblem(draft.id, taken),
    baseURLProblem(draft.baseURL),
    kind.modelRequired && !model ? `A ${kind.label} needs the model's name (e.g. ${kind.modelExample}).` : undefined,
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) return { problems };
  const baseURL = draft.baseURL.trim().replace(/\/+$/, '');
  return { config: { id: draft.id, type: draft.type, baseURL, ...(model ? { model } : {}) } };
}
