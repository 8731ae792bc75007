/**
 * A model folder's chat template, rendered the way transformers' `apply_chat_template(messages, tokenize=False,
 * add_generation_prompt=False)` renders it: the Jinja template from tokenizer_config.json (or chat_template.jinja)
 * with `messages`, `add_generation_prompt` and the tokenizer's special tokens (`bos_token` …) as variables.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Template as JinjaTemplate } from '@huggingface/jinja' with { 'resolution-mode': 'import' };
import { errorMessage } from '../../util/errors';

// @huggingface/jinja ships CommonJS, but its typings are ECMAScript-module ones, which a CommonJS file may only
// import as types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Template } = require('@huggingface/jinja') as { Template: typeof JinjaTemplate };

export interface ChatMessage {
  role: string;
  content: string;
}

/** What PRM Lens reads from tokenizer_config.json: the chat template and the text of the special tokens. */
export interface TokenizerConfig {
  file: string;
  chatTemplate?: string;
  /** `bos_token`, `eos_token`, `pad_token`, `unk_token` as text, for those the config sets. */
  specials: Record<string, string>;
}

export const SPECIAL_TOKEN_FIELDS = ['bos_token', 'eos_token', 'pad_token', 'unk_token'] as const;

export class ChatTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatTemplateError';
  }
}

/**
 * Reads `<folder>/<relative>`; undefined when it does not exist. transformers ≥ 4.43 may keep the template in
 * chat_template.jinja next to it instead; a list of named templates gives the one named "default".
 */
export async function readTokenizerConfig(folder: string, relative: string): Promise<TokenizerConfig | undefined> {
  const file = path.join(folder, relative);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new ChatTemplateError(`${file}: cannot be read: ${err.message}`);
  });
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ChatTemplateError(`${file}: not valid JSON: ${errorMessage(err)}`);
  }
  const jinja = await readFile(path.join(path.dirname(file), 'chat_template.jinja'), 'utf8').catch(() => undefined);
  return parseTokenizerConfig(raw, file, jinja);
}

export function parseTokenizerConfig(raw: unknown, file: string, jinjaFile?: string): TokenizerConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ChatTemplateError(`${file}: must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const specials: Record<string, string> = {};
  for (const field of SPECIAL_TOKEN_FIELDS) {
    // A special token is saved as its text or as an AddedToken object {"content": …}.
    const v = o[field];
    const content =
      typeof v === 'string' ? v : v && typeof v === 'object' ? (v as Record<string, unknown>).content : undefined;
    if (typeof content === 'string') specials[field] = content;
  }
  let chatTemplate: string | undefined;
  const t = o.chat_template;
  if (typeof t === 'string') chatTemplate = t;
  else if (Array.isArray(t)) {
    const named = t.find((x) => x && typeof x === 'object' && (x as Record<string, unknown>).name === 'default') as
      Record<string, unknown> | undefined;
    if (typeof named?.template === 'string') chatTemplate = named.template;
  }
  return { file, chatTemplate: chatTemplate ?? jinjaFile, specials };
}

const compiled = new Map<string, JinjaTemplate>();

/** The rendered conversation, as the reference code's apply_chat_template(..., tokenize=False) returns it. */
export function renderChat(config: TokenizerConfig, messages: readonly ChatMessage[]): string {
  const source = config.chatTemplate;
  if (source === undefined)
    throw new ChatTemplateError(
      `${config.file}: has no chat_template (and there is no chat_template.jinja next to it)`,
    );
  let template = compiled.get(source);
  if (!template) {
    try {
      template = new Template(source);
    } catch (err) {
      throw new ChatTemplateError(`${config.file}: its chat_template cannot be parsed: ${errorMessage(err)}`);
    }
    compiled.set(source, template);
  }
  try {
    return template.render({
      ...config.specials,
      messages: messages.map((m) => ({ ...m })),
      add_generation_prompt: false,
    });
  } catch (err) {
    throw new ChatTemplateError(`${config.file}: its chat_template fails to render: ${errorMessage(err)}`);
  }
}

/** Where a message's content landed in the rendered text: `length` characters of it, from `skip`, at `start`. */
export interface LocatedContent {
  start: number;
  skip: number;
  length: number;
}

/**
 * Renders the messages and finds each message's content in the result. The template's own text comes from a render
 * with placeholder contents; a content may appear trimmed of surrounding whitespace (Llama 3's `| trim`), but any other
 * change (a template that rewrites thinking blocks, say) is an error: step boundaries would be guesses.
 */
export function renderLocated(
  config: TokenizerConfig,
  messages: readonly ChatMessage[],
): { text: string; contents: LocatedContent[] } {
  const marker = (i: number) => `\u{F0000}${i}\u{F0001}`;
  const skeleton = renderChat(
    config,
    messages.map((m, i) => ({ role: m.role, content: marker(i) })),
  );
  const between: string[] = [];
  let from = 0;
  messages.forEach((_, i) => {
    const at = skeleton.indexOf(marker(i), from);
    if (at < 0 || skeleton.indexOf(marker(i), at + 1) >= 0) {
      throw new ChatTemplateError(
        `${config.file}: its chat_template does not write the content of message ${i + 1} (${messages[i].role}) ` +
          'exactly once',
      );
    }
    between.push(skeleton.slice(from, at));
    from = at + marker(i).length;
  });
  between.push(skeleton.slice(from));

  const text = renderChat(config, messages);
  if (!text.startsWith(between[0]))
    throw new ChatTemplateError(`${config.file}: its chat_template renders differently depending on the message text`);
  let pos = between[0].length;
  const contents = messages.map((m, i) => {
    const found = locate(text, pos, m.content, between[i + 1], i === messages.length - 1);
    if (!found) {
      const shown = JSON.stringify(text.slice(pos, pos + 60));
      throw new ChatTemplateError(
        `${config.file}: its chat_template changes the text of message ${i + 1} (${m.role}): it writes ${shown}…; ` +
          'PRM Lens follows templates that copy message text (possibly trimmed of surrounding whitespace)',
      );
    }
    pos = found.start + found.length + between[i + 1].length;
    return found;
  });
  return { text, contents };
}

/** The content, or a whitespace-trimmed slice of it, at `pos`, followed by `after` (ending the text for the last). */
function locate(text: string, pos: number, content: string, after: string, last: boolean): LocatedContent | undefined {
  const lead = content.length - content.trimStart().length;
  const trail = content.length - content.trimEnd().length;
  for (let skip = 0; skip <= lead; skip++) {
    for (let cut = 0; cut <= trail && skip + cut <= content.length; cut++) {
      const length = content.length - skip - cut;
      if (
        text.startsWith(content.slice(skip, skip + length), pos) &&
        text.startsWith(after, pos + length) &&
        (!last || pos + length + after.length === text.length)
      ) {
        return { start: pos, skip, length };
      }
    }
  }
  return undefined;
}

/** Python's str.strip() with no argument (what the EurusPRM card applies to the rendered conversation). */
export function pythonStrip(text: string): string {
  // Python's whitespace: JavaScript's except U+FEFF, plus the separators U+001C–U+001F and U+0085.
  const isSpace = (c: string) => {
    const code = c.charCodeAt(0);
    return (/\s/.test(c) && code !== 0xfeff) || (code >= 0x1c && code <= 0x1f) || code === 0x85;
  };
  let start = 0;
  let end = text.length;
  while (start < end && isSpace(text[start])) start++;
  while (end > start && isSpace(text[end - 1])) end--;
  return text.slice(start, end);
}
