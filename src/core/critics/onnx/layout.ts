import path from 'node:path';
import {
  ChatMessage,
  ChatTemplateError,
  pythonStrip,
  readTokenizerConfig,
  renderChat,
  renderLocated,
  TokenizerConfig,
} from './chatTemplate';
import { PrmSpec } from './spec';
import { errorMessage } from '../../util/errors';

/**
 * The input of one solution as the model's reference code builds it: the strings it encodes, each in one call, and
 * the token ids it appends as they are. Every string knows which of its characters are the problem, each step, each
 * tag or answer and the template's markup, so the tokens' offsets say which step each token belongs to.
 */
export type PartRole = 'template' | 'problem' | 'step' | 'separator' | 'tag' | 'answer';

/**
 * Where a step's score is read: `end`, at the token holding the part's last character (a step tag, or the step itself);
 * `before`, at the token just before the one holding the part's first character (the assistant's answer).
 */
export type ReadAt = 'end' | 'before';

export interface Part {
  role: PartRole;
  /** UTF-16 range in its segment's text. */
  start: number;
  end: number;
  step?: number;
  /** Step parts: the offset in the step's own text where this part starts (a template may trim the step). */
  from?: number;
  read?: ReadAt;
  /** Tag parts: the id the tag should encode to, to notice a tag merged with its neighbours. */
  tagId?: number;
}

export interface TextSegment {
  kind: 'text';
  text: string;
  parts: Part[];
}

/** Token ids appended without encoding (per-step: the step tag after each step). */
export interface IdSegment {
  kind: 'ids';
  ids: number[];
  /** How the ids read, to show the input as text. */
  text: string;
  step: number;
  read: boolean;
}

export type Segment = TextSegment | IdSegment;

/** Token ids that prm.json names (resolved against the tokenizer once per model). */
export interface ResolvedTokens {
  stepTag?: number;
  positive?: number;
  negative?: number;
}

/** What a layout needs besides prm.json: the resolved tokens and, when the folder has one, its tokenizer config. */
export interface LayoutContext {
  tokens: ResolvedTokens;
  config?: TokenizerConfig;
  /** The step tag's text when prm.json gives it as an id (per-step inputs show it in the input text). */
  tagText?: string;
}

/** Builds one string out of parts. */
class TextBuilder {
  text = '';
  readonly parts: Part[] = [];

  add(role: PartRole, text: string, extra: Omit<Part, 'role' | 'start' | 'end'> = {}): void {
    // Steps keep a part even when empty, so every step has a place in the input.
    if (text === '' && role !== 'step') return;
    this.parts.push({ role, start: this.text.length, end: this.text.length + text.length, ...extra });
    this.text += text;
  }

  segment(): TextSegment {
    return { kind: 'text', text: this.text, parts: this.parts };
  }
}

/** A piece of a message's content: what it is, and its text. */
interface Piece {
  role: PartRole;
  text: string;
  extra?: Omit<Part, 'role' | 'start' | 'end'>;
}

/** Placeholders a template may hold besides its own: the special tokens of tokenizer_config.json. */
const SPECIAL_PLACEHOLDER = /^(bos|eos|pad|unk)_token$/;

/**
 * Writes a template into the builder: literal text as template parts, `{name}` through `fill`, `{bos_token}` and the
 * like as the tokenizer config's special tokens. Unknown placeholders stay literal text.
 */
function addTemplate(
  b: TextBuilder,
  template: string,
  fill: Record<string, () => void>,
  config: TokenizerConfig | undefined,
): void {
  let last = 0;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const name = m[1];
    const special = SPECIAL_PLACEHOLDER.test(name);
    if (!fill[name] && !special) continue;
    b.add('template', template.slice(last, m.index));
    if (fill[name]) fill[name]();
    else b.add('template', specialToken(config, name));
    last = m.index + m[0].length;
  }
  b.add('template', template.slice(last));
}

function specialToken(config: TokenizerConfig | undefined, name: string): string {
  const value = config?.specials[name];
  if (value === undefined) {
    throw new ChatTemplateError(
      `prm.json uses {${name}}, but ` +
        (config ? `${config.file} sets no ${name}` : 'the model folder has no tokenizer_config.json'),
    );
  }
  return value;
}

/** Whether prm.json needs tokenizer_config.json: for the chat template, or for a {bos_token} in its markup. */
function needsTokenizerConfig(spec: PrmSpec): boolean {
  const texts = [spec.template, spec.chat?.user ?? '', spec.chat?.assistant ?? ''];
  return (
    spec.chatTemplate !== undefined ||
    texts.some((t) => [...t.matchAll(/\{(\w+)\}/g)].some((m) => SPECIAL_PLACEHOLDER.test(m[1])))
  );
}

const EXAMPLE = { problem: 'What is 1 + 1?', steps: ['1 + 1 = 2.', 'So the answer is 2.'] };

/**
 * Reads what the layout needs from the model folder and lays out a small example, so that a missing tokenizer config
 * or a chat template PRM Lens cannot follow fails when the model is added or loaded, not on the first solution.
 */
export async function loadLayoutContext(
  folder: string,
  spec: PrmSpec,
  tokens: ResolvedTokens,
  tagText?: string,
): Promise<LayoutContext> {
  let config: TokenizerConfig | undefined;
  if (needsTokenizerConfig(spec)) {
    config = await readTokenizerConfig(folder, spec.tokenizerConfig);
    const why = spec.chatTemplate
      ? 'prm.json sets "chatTemplate": "tokenizer_config"'
      : 'prm.json uses a special token such as {bos_token}';
    if (!config)
      throw new ChatTemplateError(
        `${path.join(folder, spec.tokenizerConfig)}: missing (${why}; copy it from the model's download)`,
      );
  }
  const context: LayoutContext = { tokens, config, tagText };
  planInput(spec, context, EXAMPLE.problem, EXAMPLE.steps);
  if (spec.rewardMode === 'cumulative') cumulativePrefixTexts(spec, context, EXAMPLE.problem, EXAMPLE.steps);
  return context;
}

/** loadLayoutContext's problems as messages, for the folder check. */
export async function layoutProblems(folder: string, spec: PrmSpec, tokens: ResolvedTokens): Promise<string[]> {
  try {
    await loadLayoutContext(folder, spec, tokens);
    return [];
  } catch (err) {
    return [errorMessage(err)];
  }
}

export function planInput(spec: PrmSpec, ctx: LayoutContext, problem: string, steps: readonly string[]): Segment[] {
  if (spec.encoding === 'per-step') return perStepPlan(spec, ctx, problem, steps);
  if (spec.family === 'chat-tag-token')
    return [spec.chatTemplate ? chatFromTemplate(spec, ctx, problem, steps) : chatByHand(spec, ctx, problem, steps)];
  const pieces = stepPieces(spec, ctx, steps);
  if (spec.chatTemplate) {
    const messages = [
      ...systemPieces(spec),
      { role: 'user', pieces: [{ role: 'problem', text: problem } as Piece] },
      { role: 'assistant', pieces },
    ];
    return [located(ctx, messages)];
  }
  const b = new TextBuilder();
  addTemplate(b, spec.template, { problem: () => b.add('problem', problem) }, ctx.config);
  for (const p of pieces) b.add(p.role, p.text, p.extra);
  return [b.segment()];
}

/** The steps with their separators and tags, as one run of text (the assistant's content in a chat). */
function stepPieces(spec: PrmSpec, ctx: LayoutContext, steps: readonly string[]): Piece[] {
  const tag = typeof spec.stepTag === 'string' ? spec.stepTag : undefined;
  const pieces: Piece[] = [];
  steps.forEach((text, k) => {
    if (k > 0 && spec.stepSeparator) pieces.push({ role: 'separator', text: spec.stepSeparator });
    const readStep = spec.family !== 'implicit' && tag === undefined;
    pieces.push({ role: 'step', text, extra: { step: k, from: 0, ...(readStep ? { read: 'end' as const } : {}) } });
    if (tag !== undefined)
      pieces.push({ role: 'tag', text: tag, extra: { step: k, read: 'end', tagId: ctx.tokens.stepTag } });
  });
  return pieces;
}

function systemPieces(spec: PrmSpec): { role: string; pieces: Piece[] }[] {
  return spec.system === undefined ? [] : [{ role: 'system', pieces: [{ role: 'template', text: spec.system }] }];
}

/** Renders messages with the folder's chat template; each piece of a message's content becomes a part of the text. */
function located(ctx: LayoutContext, messages: { role: string; pieces: Piece[] }[]): TextSegment {
  const config = requireTemplate(ctx);
  const { text, contents } = renderLocated(
    config,
    messages.map((m) => ({ role: m.role, content: m.pieces.map((p) => p.text).join('') })),
  );
  const parts: Part[] = [];
  const template = (start: number, end: number) => {
    if (end > start) parts.push({ role: 'template', start, end });
  };
  let pos = 0;
  messages.forEach((m, i) => {
    const { start, skip, length } = contents[i];
    template(pos, start);
    let offset = 0;
    for (const p of m.pieces) {
      // The piece's characters that the template kept (it may trim the content's ends); a step trimmed away
      // entirely keeps an empty part where it would have been.
      let from = Math.max(offset, skip);
      let to = Math.min(offset + p.text.length, skip + length);
      if (to < from) from = to = Math.min(Math.max(offset, skip), skip + length);
      if (to > from || p.role === 'step') {
        const extra = p.role === 'step' ? { ...p.extra, from: Math.max(0, from - offset) } : p.extra;
        parts.push({ role: p.role, start: start + from - skip, end: start + to - skip, ...extra });
      }
      offset += p.text.length;
    }
    pos = start + length;
  });
  template(pos, text.length);
  return { kind: 'text', text, parts };
}

function requireTemplate(ctx: LayoutContext): TokenizerConfig {
  if (!ctx.config)
    throw new ChatTemplateError(
      'prm.json sets "chatTemplate": "tokenizer_config", but the model folder has no tokenizer_config.json',
    );
  return ctx.config;
}

/** The first user turn's content: `firstUser` with the problem and step 0. */
function firstUserPieces(firstUser: string, problem: string, step: Piece): Piece[] {
  const pieces: Piece[] = [];
  let last = 0;
  for (const m of firstUser.matchAll(/\{(problem|step)\}/g)) {
    if (m.index > last) pieces.push({ role: 'template', text: firstUser.slice(last, m.index) });
    pieces.push(m[1] === 'problem' ? { role: 'problem', text: problem } : step);
    last = m.index + m[0].length;
  }
  if (last < firstUser.length) pieces.push({ role: 'template', text: firstUser.slice(last) });
  return pieces;
}

/** RLHFlow's conversation: one user turn per step (the first with the problem), an assistant answer after each. */
function chatTurns(spec: PrmSpec, problem: string, steps: readonly string[]): { role: string; pieces: Piece[] }[] {
  const chat = spec.chat as NonNullable<PrmSpec['chat']>;
  return steps.flatMap((text, k) => {
    const step: Piece = { role: 'step', text, extra: { step: k, from: 0 } };
    const user = k === 0 ? firstUserPieces(chat.firstUser, problem, step) : [step];
    return [
      { role: 'user', pieces: user },
      {
        role: 'assistant',
        pieces: [{ role: 'answer', text: spec.positiveToken as string, extra: { step: k, read: 'before' } } as Piece],
      },
    ];
  });
}

function chatByHand(spec: PrmSpec, ctx: LayoutContext, problem: string, steps: readonly string[]): TextSegment {
  const chat = spec.chat as NonNullable<PrmSpec['chat']>;
  const b = new TextBuilder();
  addTemplate(b, spec.template, { problem: () => b.add('problem', problem) }, ctx.config);
  for (const turn of chatTurns(spec, problem, steps)) {
    const markup = turn.role === 'user' ? (chat.user as string) : (chat.assistant as string);
    addTemplate(b, markup, { content: () => turn.pieces.forEach((p) => b.add(p.role, p.text, p.extra)) }, ctx.config);
  }
  return b.segment();
}

/**
 * The reference scores step k on the conversation that ends with step k's answer. One pass over the whole
 * conversation gives the same scores only when each of those conversations renders as a prefix of the whole one;
 * some templates render the last turn differently (Qwen3 adds an empty thinking block), and then it would not.
 */
function chatFromTemplate(spec: PrmSpec, ctx: LayoutContext, problem: string, steps: readonly string[]): TextSegment {
  const config = requireTemplate(ctx);
  const messages = [...systemPieces(spec), ...chatTurns(spec, problem, steps)];
  const segment = located(ctx, messages);
  const plain: ChatMessage[] = messages.map((m) => ({ role: m.role, content: m.pieces.map((p) => p.text).join('') }));
  const head = spec.system === undefined ? 0 : 1;
  for (let k = 0; k < steps.length - 1; k++) {
    const prefix = renderChat(config, plain.slice(0, head + 2 * (k + 1)));
    if (!segment.text.startsWith(prefix)) {
      throw new ChatTemplateError(
        `${config.file}: its chat_template renders the conversation that ends at step ${k + 1} differently from ` +
          "the start of the whole conversation, so one forward pass cannot reproduce the reference's per-step inputs",
      );
    }
  }
  return segment;
}

/**
 * Per-step encoding: the text before the steps as one string, then each step encoded on its own and followed by the
 * step tag's id (where the score is read), or read at its own last token without a tag.
 */
function perStepPlan(spec: PrmSpec, ctx: LayoutContext, problem: string, steps: readonly string[]): Segment[] {
  const prompt = new TextBuilder();
  addTemplate(prompt, spec.template, { problem: () => prompt.add('problem', problem) }, ctx.config);
  const segments: Segment[] = [prompt.segment()];
  const tag = ctx.tokens.stepTag;
  steps.forEach((text, k) => {
    if (k > 0 && spec.stepSeparator)
      segments.push({
        kind: 'text',
        text: spec.stepSeparator,
        parts: [{ role: 'separator', start: 0, end: spec.stepSeparator.length }],
      });
    const readStep = tag === undefined && spec.family !== 'implicit';
    segments.push({
      kind: 'text',
      text,
      parts: [
        { role: 'step', start: 0, end: text.length, step: k, from: 0, ...(readStep ? { read: 'end' as const } : {}) },
      ],
    });
    if (tag !== undefined)
      segments.push({
        kind: 'ids',
        ids: [tag],
        text: ctx.tagText ?? (typeof spec.stepTag === 'string' ? spec.stepTag : ''),
        step: k,
        read: spec.family !== 'implicit',
      });
  });
  return segments;
}

/**
 * EurusPRM's card finds where step k ends by rendering the conversation with the first k steps, stripping it, adding
 * the separator after a middle step, and encoding that: the k-th boundary is the length of those ids minus 2.
 * These are the strings it encodes, for k = 0 … steps.length.
 */
export function cumulativePrefixTexts(
  spec: PrmSpec,
  ctx: LayoutContext,
  problem: string,
  steps: readonly string[],
): string[] {
  const config = requireTemplate(ctx);
  const system: ChatMessage[] = spec.system === undefined ? [] : [{ role: 'system', content: spec.system }];
  return steps.concat(['']).map((_, k) => {
    const messages = [
      ...system,
      { role: 'user', content: problem },
      { role: 'assistant', content: steps.slice(0, k).join(spec.stepSeparator) },
    ];
    const conversation = pythonStrip(renderChat(config, messages));
    return k !== 0 && k !== steps.length ? conversation + spec.stepSeparator : conversation;
  });
}
