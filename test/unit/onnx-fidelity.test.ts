import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { Tokenizer } from '@anush008/tokenizers';
import { readPrmSpec } from '../../src/core/critics/onnx/folder';
import { SolutionInput } from '../../src/core/critics/onnx/protocol';
import { InputBuilder } from '../../src/onnx-host/inputs';
import { NativePieceTokenizer } from '../../src/onnx-host/tokenizer';
import {
  applyChatTemplate,
  encodeIds,
  presetFolder,
  PresetFolderOptions,
  random,
  randomSolution,
  rawTokenizer,
  tokenizerConfig,
  tokenizerJson,
  withExtra0,
} from '../support/onnx/realTokenizers';
import { buildSentencePieceTokenizer, MATH_CORPUS } from '../support/onnx/tokenizer';
import { tempDir } from '../support/onnx/tmp';

// Every preset in models/ feeds exactly the ids its model's reference code feeds, and reads each score where that
// code reads it, on the real Qwen (byte-level BPE with Qwen2's split rule) and Llama-3.1 tokenizers. Each reference
// procedure is written here as the model's own code does it, on many generated problems and steps: punctuation
// followed by newlines, LaTeX, CJK, emoji, trailing spaces.

const tmp = tempDir('onnx-fidelity');
after(() => tmp.remove());

const CASES = 60;

async function builderFor(name: string, preset: string, options: PresetFolderOptions): Promise<InputBuilder> {
  const dir = presetFolder(path.join(tmp.dir, name), preset, options);
  return InputBuilder.create(
    dir,
    await readPrmSpec(dir),
    NativePieceTokenizer.fromFile(path.join(dir, 'tokenizer.json')),
  );
}

async function prepared(builder: InputBuilder, solution: SolutionInput) {
  const { sequences } = await builder.prepare([solution]);
  return sequences[0];
}

/** Runs `check` on CASES generated solutions; a failure names the seed and the solution. */
async function forSolutions(
  seed: number,
  newlines: boolean,
  check: (s: SolutionInput) => Promise<void>,
): Promise<void> {
  const rng = random(seed);
  for (let i = 0; i < CASES; i++) {
    const solution = randomSolution(rng, { newlines });
    try {
      await check(solution);
    } catch (err) {
      (err as Error).message = `seed ${seed}, case ${i}: ${JSON.stringify(solution)}\n${(err as Error).message}`;
      throw err;
    }
  }
}

const positionsOf = (ids: readonly number[], id: number) => ids.flatMap((x, i) => (x === id ? [i] : []));

describe('Qwen2.5-Math-PRM preset (Qwen tokenizer with <extra_0>, Qwen3 chat template)', () => {
  let builder: InputBuilder;
  let tok: Tokenizer;
  const config = tokenizerConfig('qwen3');
  before(async () => {
    builder = await builderFor('qwen-prm', 'qwen2.5-math-prm-7b', { tokenizer: 'qwen3', editTokenizer: withExtra0 });
    tok = rawTokenizer(withExtra0(tokenizerJson('qwen3')));
  });

  test('ids = encode(apply_chat_template(system, user, steps each + <extra_0>)); reads at each <extra_0>', async () => {
    const system = 'Please reason step by step, and put your final answer within \\boxed{}.';
    const extra0 = tok.tokenToId('<extra_0>') as number;
    assert.equal(extra0, 151651);
    await forSolutions(1, true, async ({ problem, steps }) => {
      // The model card: conversation_str = apply_chat_template(messages, tokenize=False), then
      // tokenizer.encode(conversation_str).
      const messages = [
        { role: 'system', content: system },
        { role: 'user', content: problem },
        { role: 'assistant', content: steps.map((s) => `${s}<extra_0>`).join('') },
      ];
      const text = applyChatTemplate(config, messages);
      const ids = await encodeIds(tok, text, true);
      const seq = await prepared(builder, { problem, steps });
      assert.deepEqual(seq.ids, ids);
      assert.deepEqual(seq.reads, positionsOf(ids, extra0));
      assert.equal(seq.text, text, 'the input shown is the rendered conversation');
    });
  });
});

describe('Math-Shepherd preset (whole string, BOS from the tokenizer)', () => {
  test('Llama-3.1 tokenizer: ids = encode(f"{question} {output}"); reads at every " ки"', async () => {
    const builder = await builderFor('shepherd-llama', 'math-shepherd-mistral-7b-prm', { tokenizer: 'llama3_1' });
    const tok = rawTokenizer(tokenizerJson('llama3_1'));
    // The card takes the tag's id as tokenizer.encode("ки")[-1], which is "▁ки" for its SentencePiece tokenizer; in a
    // byte-level vocabulary the same token is that of " ки".
    const tag = (await encodeIds(tok, ' ки', false)).at(-1) as number;
    await forSolutions(2, true, async ({ problem, steps }) => {
      const ids = await encodeIds(tok, `${problem} ${steps.map((s) => `${s} ки`).join('\n')}`, true);
      const seq = await prepared(builder, { problem, steps });
      assert.deepEqual(seq.ids, ids);
      assert.deepEqual(seq.reads, positionsOf(ids, tag));
      assert.equal(ids[0], 128000, 'BOS comes from the tokenizer, as tokenizer.encode adds it');
    });
  });

  test('SentencePiece (Mistral layout): the card\'s code as written, tag = tokenizer.encode("ки")[-1]', async () => {
    const sp = buildSentencePieceTokenizer({
      corpus: MATH_CORPUS,
      merges: 150,
      forcedWords: ['▁ки'],
      alphabet: '+-\n',
    });
    const builder = await builderFor('shepherd-sp', 'math-shepherd-mistral-7b-prm', {
      tokenizer: 'llama3_1',
      editTokenizer: () => JSON.parse(sp.json),
      editPrm: (p) => ({ ...p, positiveToken: '+', negativeToken: '-' }),
    });
    const tok = rawTokenizer(sp.json);
    const tag = (await encodeIds(tok, 'ки', true)).at(-1) as number;
    assert.equal(tag, sp.idOf('▁ки'));
    await forSolutions(3, true, async ({ problem, steps }) => {
      const ids = await encodeIds(tok, `${problem} ${steps.map((s) => `${s} ки`).join('\n')}`, true);
      const seq = await prepared(builder, { problem, steps });
      assert.deepEqual(seq.ids, ids);
      assert.deepEqual(seq.reads, positionsOf(ids, tag));
    });
  });
});

describe('RLHFlow preset (Llama-3.1 tokenizer and chat template)', () => {
  let builder: InputBuilder;
  const tok = rawTokenizer(tokenizerJson('llama3_1'));
  const config = tokenizerConfig('llama3_1');
  before(async () => {
    builder = await builderFor('rlhflow', 'rlhflow-llama3.1-8b-prm', { tokenizer: 'llama3_1' });
  });

  test('each step is read where the reference reads it: -3 of apply_chat_template(turns up to that step)', async () => {
    await forSolutions(4, true, async ({ problem, steps }) => {
      const seq = await prepared(builder, { problem, steps });
      const conversation: { role: string; content: string }[] = [];
      for (const [k, step] of steps.entries()) {
        conversation.push(
          { role: 'user', content: k === 0 ? `${problem} ${step}` : step },
          { role: 'assistant', content: '+' },
        );
        // apply_chat_template(conversation) tokenizes the rendered text without adding special tokens.
        const ids = await encodeIds(tok, applyChatTemplate(config, conversation), false);
        assert.deepEqual(
          seq.ids.slice(0, ids.length),
          ids,
          `the conversation up to step ${k} is the start of the input`,
        );
        assert.equal(seq.reads[k], ids.length - 3, `step ${k} is read at -3 of its conversation`);
      }
      assert.equal(seq.ids.filter((id) => id === 128000).length, 1, 'one BOS, written by the template');
    });
  });

  test("Llama 3's template trims each message; the steps' tokens still map back into the steps", async () => {
    const steps = ['First we add 2 and 2.', '  Then we get 4.\n'];
    const seq = await prepared(builder, { problem: 'What is 2 + 2?', steps });
    assert.ok(seq.text.includes('<|start_header_id|>user<|end_header_id|>\n\nThen we get 4.<|eot_id|>'), seq.text);
    assert.deepEqual(seq.spans[1].at(0), [2, 6], 'the first token of step 1 is "Then", after its trimmed indent');
    assert.equal(seq.spans[1].at(-1)?.[1], 16, 'its last token ends before the trimmed newline');
    assert.equal(seq.notes[1], undefined);
  });
});

describe('Skywork preset (the prompt as one string, then each step on its own with the newline id)', () => {
  let builder: InputBuilder;
  const tok = rawTokenizer(tokenizerJson('qwen3'));
  const bos = '<|endoftext|>';
  before(async () => {
    // Skywork's tokenizer_config.json names a BOS token (its reference code needs one); Qwen3's has none.
    builder = await builderFor('skywork', 'skywork-o1-open-prm-qwen-2.5-7b', {
      tokenizer: 'qwen3',
      editConfig: (c) => ({ ...c, bos_token: bos }),
    });
  });

  test('ids = prepare_input: encode(bos + problem + "\\n"), encode(step) + [newline id] per step', async () => {
    const newline = (await encodeIds(tok, '\n', true)).at(-1) as number;
    await forSolutions(5, false, async ({ problem, steps }) => {
      // skywork-o1-prm-inference's prepare_input, with the response as the steps joined by the step token.
      const ids = await encodeIds(tok, `${bos}${problem}\n`, true);
      const reads: number[] = [];
      for (const step of steps.join('\n').split('\n')) {
        ids.push(...(step !== '' ? await encodeIds(tok, step, true) : []), newline);
        reads.push(ids.length - 1);
      }
      const seq = await prepared(builder, { problem, steps });
      assert.deepEqual(seq.ids, ids);
      assert.deepEqual(seq.reads, reads);
    });
  });

  test('a problem ending in "?" ends in the one token "?\\n", as in the reference (not when apart)', async () => {
    const seq = await prepared(builder, { problem: 'How many?', steps: ['Two.'] });
    const prompt = await encodeIds(tok, `${bos}How many?\n`, true);
    assert.equal(tok.idToToken(prompt.at(-1) as number), '?Ċ');
    assert.deepEqual(seq.ids.slice(0, prompt.length), prompt);
  });

  test('without a bos_token in tokenizer_config.json the folder does not load, and says why', async () => {
    const dir = presetFolder(path.join(tmp.dir, 'skywork-nobos'), 'skywork-o1-open-prm-qwen-2.5-7b', {
      tokenizer: 'qwen3',
    });
    await assert.rejects(
      InputBuilder.create(dir, await readPrmSpec(dir), NativePieceTokenizer.fromFile(path.join(dir, 'tokenizer.json'))),
      /prm\.json uses \{bos_token\}, but .*tokenizer_config\.json sets no bos_token/,
    );
  });
});

describe("EurusPRM preset (whole chat; the card's cumulative rewards)", () => {
  let builder: InputBuilder;
  const tok = rawTokenizer(tokenizerJson('qwen3'));
  const config = tokenizerConfig('qwen3');
  before(async () => {
    builder = await builderFor('eurus', 'eurusprm-stage2', { tokenizer: 'qwen3' });
  });

  /** A stand-in log-ratio for token j (the card's raw_reward before β). */
  const ratio = (j: number) => Math.sin(j * 1.7) + 0.25 * Math.cos(j * 0.3);

  test('ids = apply_chat_template(user, steps joined by blank lines); each step sums what the card sums', async () => {
    await forSolutions(6, true, async ({ problem, steps }) => {
      const chat = (k: number) => [
        { role: 'user', content: problem },
        { role: 'assistant', content: steps.slice(0, k).join('\n\n') },
      ];
      const ids = await encodeIds(tok, applyChatTemplate(config, chat(steps.length)), false);
      // The card: step_last_tokens from each shorter conversation, stripped, with "\n\n" after a middle step.
      const last: number[] = [];
      for (let k = 0; k <= steps.length; k++) {
        let conv = applyChatTemplate(config, chat(k)).trim();
        if (k !== 0 && k !== steps.length) conv += '\n\n';
        last.push((await encodeIds(tok, conv, false)).length - 2);
      }
      // raw_reward[t] scores token t + 1; label_mask[:, 1:] keeps t + 1 >= step_last_tokens[0]; cumsum; gather.
      const cumsum: number[] = [];
      for (let t = 0; t < ids.length - 1; t++)
        cumsum.push((cumsum.at(-1) ?? 0) + (t + 1 >= last[0] ? ratio(t + 1) : 0));
      const expected = last.slice(1).map((b) => cumsum[b]);

      const seq = await prepared(builder, { problem, steps });
      assert.deepEqual(seq.ids, ids);
      const got = seq.sums.map(([s, e]) => {
        let sum = 0;
        for (let j = s; j < e; j++) sum += ratio(j);
        return sum;
      });
      got.forEach((g, k) =>
        assert.ok(Math.abs(g - expected[k]) < 1e-9, `step ${k}: ${g} vs the card's ${expected[k]}`),
      );
    });
  });

  test('rewardMode "step": a step sums its own tokens; a token straddling its end is named in its note', async () => {
    const stepBuilder = await builderFor('eurus-step', 'eurusprm-stage2', {
      tokenizer: 'qwen3',
      editPrm: (p) => ({ ...p, rewardMode: 'step' }),
    });
    const steps = ['We add 2 and 2.', 'So the answer is 4']; // "." and the blank line after it are one token, ".\n\n"
    const seq = await prepared(stepBuilder, { problem: 'What is 2 + 2?', steps });
    assert.deepEqual(seq.sums, seq.ranges);
    const [start, end] = seq.ranges[0];
    assert.equal(
      tok.idToToken(seq.ids[end - 1]),
      '.ĊĊ',
      'the straddling token belongs to the step whose text it holds',
    );
    assert.equal(seq.ranges[1][0], end);
    assert.match(
      seq.notes[0] ?? '',
      /token straddles the boundary: "\.\\n\\n" holds this step's last characters and the text after it/,
    );
    assert.equal(seq.notes[1], undefined);
    assert.equal(seq.text.slice(seq.ends[start - 1], seq.ends[end - 1]), 'We add 2 and 2.\n\n');
  });
});
