import { errorMessage } from '../util/errors';
/**
 * Chat transcripts from OpenAI-compatible servers with a reasoning parser (vLLM, DeepSeek's API): the thinking is in
 * the assistant message's `reasoning_content` (newer vLLM: `reasoning`), the answer in its `content`. Accepted JSON:
 * - a chat completion response: the message is `choices[0].message`;
 * - a message `{role, content, reasoning_content}`;
 * - a conversation: an array of messages, or `{messages: [...]}`; JSONL is a conversation with one message a line.
 * In a conversation the trace is the last assistant message and the problem the last user message before it.
 * `content` may be a string or an array of `{type: "text", text}` parts.
 */
export interface Transcript {
  problem: string;
  /** The thinking, or null when the message has no reasoning field. */
  reasoning: string | null;
  answer: string;
}

/** Parses a JSON or JSONL transcript; a string saying why when the text is not one. */
export function parseTranscript(text: string): Transcript | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    try {
      value = lines.map((line) => JSON.parse(line) as unknown);
    } catch (e) {
      return `neither JSON nor JSONL (${errorMessage(e)})`;
    }
  }
  return fromValue(value);
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function fromValue(value: unknown): Transcript | string {
  if (Array.isArray(value)) return fromConversation(value);
  if (!isObject(value)) return 'not a chat message, conversation or completion response';
  if (Array.isArray(value.choices)) {
    const first: unknown = value.choices[0];
    if (!isObject(first) || !isObject(first.message)) return 'choices[0].message is missing';
    return fromMessage(first.message, '', 'choices[0].message');
  }
  if (Array.isArray(value.messages)) return fromConversation(value.messages);
  if ('role' in value) return fromMessage(value, '', 'the message');
  return 'not a chat message, conversation or completion response';
}

function fromConversation(messages: readonly unknown[]): Transcript | string {
  const lastWith = (role: string, before: number): number => {
    for (let i = before - 1; i >= 0; i--) if (isObject(messages[i]) && (messages[i] as Json).role === role) return i;
    return -1;
  };
  const at = lastWith('assistant', messages.length);
  if (at === -1) return 'the conversation has no assistant message';
  const user = lastWith('user', at);
  const problem = user === -1 ? '' : textOf((messages[user] as Json).content);
  return fromMessage(messages[at] as Json, problem ?? '', `message ${at}`);
}

function fromMessage(message: Json, problem: string, where: string): Transcript | string {
  const answer = textOf(message.content ?? '');
  if (answer === null) return `${where}: "content" is neither text nor a list of text parts`;
  const reasoning = message.reasoning_content ?? message.reasoning ?? null;
  if (reasoning !== null && typeof reasoning !== 'string') return `${where}: the reasoning is not a string`;
  return { problem, reasoning, answer };
}

/** A message content as text: a string, or the texts of `{type: "text", text}` parts joined; null otherwise. */
function textOf(content: unknown): string | null {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return null;
  const texts = content.map((p) => (isObject(p) && typeof p.text === 'string' ? p.text : null));
  return texts.includes(null) ? null : texts.join('');
}

/**
 * The trace text a transcript stands for: the problem under `## Problem` and `## Solution` headings (so a problem
 * with blank lines stays whole), the reasoning inside `<think>` tags, then the answer. Segmenting this text gives
 * the transcript's parts, sections and steps; offsets refer to it.
 */
export function renderTranscript(t: Transcript): string {
  const head = t.problem.trim() === '' ? '' : `## Problem\n\n${t.problem}\n\n## Solution\n\n`;
  const thinking = t.reasoning === null ? '' : `<think>\n${t.reasoning}\n</think>\n\n`;
  return `${head}${thinking}${t.answer}`;
}
