import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@anush008/tokenizers';
import { PrmEngine } from '../../src/onnx-host/engine';
import { codePointSpansToUtf16 } from '../../src/core/critics/onnx/tokens';
import { buildModelFolder, testTokenizer } from '../support/onnx/fixtures';
import { buildSentencePieceTokenizer, MATH_CORPUS } from '../support/onnx/tokenizer';
import { lastRow, runSequence, softmax } from '../support/onnx/run';
import { tempDir } from '../support/onnx/tmp';
import { assertClose, oracleIds } from '../support/onnx/oracle';

// The inference core on tiny Qwen2/Llama-style models: inputs built from token ids piece by piece, one forward pass
// per solution, scores read at the right tokens, batching and the context policy.

const tmp = tempDir('onnx-engine');
after(() => tmp.remove());

const PROBLEM = 'Tom has 12 apples and buys 7 more. How many apples does he have?';
const STEPS = [
  'Step 1: He starts with 12 apples.',
  'Step 2: He buys 7 more, so 12 + 7 = 19.',
  'Step 3: Then 19 - 4 = 15.',
  'Step 4: The answer is \\boxed{19}.',
];
const OTHER = { problem: 'What is 3x + 5 = 20?', steps: ['Let x be the number.', 'Then 3x = 15 and x = 5.'] };
const UNICODE = {
  problem: 'Ana 🙂 has 数学 homework: 2 + 2?',
  steps: ['First 🙂 we add: 2 + 2 = 4 数', 'Answer: 4 ✅'],
};

describe('token-classification (Qwen2.5-Math-PRM layout)', () => {
  let folder: string;
  let engine: PrmEngine;
  before(async () => {
    folder = buildModelFolder(path.join(tmp.dir, 'tc'), { family: 'token-classification' });
    engine = await PrmEngine.load(folder);
  });
  after(() => engine.release());

  test('the input is the whole string (template, problem, steps each followed by <extra_0>) encoded once', async () => {
    const tag = testTokenizer().idOf('<extra_0>');
    const template =
      '<|im_start|>system\nPlease reason step by step.<|im_end|>\n<|im_start|>user\n{problem}<|im_end|>\n' +
      '<|im_start|>assistant\n';
    const text = template.replace('{problem}', PROBLEM) + STEPS.map((s) => `${s}<extra_0>`).join('');
    const expected = await oracleIds(text);
    const { sequences } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    assert.deepEqual(sequences[0].ids, expected);
    assert.equal(sequences[0].text, text);
    // Every score is read at a step tag, the k-th tag for step k.
    assert.deepEqual(
      sequences[0].reads,
      expected.flatMap((id, i) => (id === tag ? [i] : [])),
    );
    sequences[0].ranges.forEach(([, end], k) =>
      assert.equal(end, sequences[0].reads[k], `step ${k} ends right before its tag`),
    );
  });

  test('one pass gives the scores a separate run on each prefix gives (softmax at the tag, label 1)', async () => {
    const [result] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
    const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    const { sequences } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    for (let k = 0; k < STEPS.length; k++) {
      const prefix = sequences[0].ids.slice(0, sequences[0].reads[k] + 1);
      const expected = softmax(lastRow(await runSequence(session, prefix)))[1];
      assertClose(result.steps[k].score as number, expected, 1e-5, `step ${k}`);
      assert.equal(result.steps[k].position, sequences[0].reads[k]);
    }
    const scores = result.steps.map((s) => s.score as number);
    assert.ok(Math.max(...scores) - Math.min(...scores) > 1e-3, 'steps get different scores');
    assert.equal(result.tokens, sequences[0].ids.length);
    await session.release();
  });

  test('a batch of padded solutions scores like each solution alone', async () => {
    const solutions = [
      { problem: PROBLEM, steps: STEPS },
      OTHER,
      UNICODE,
      { problem: PROBLEM, steps: STEPS.slice(0, 1) },
    ];
    const batched = await engine.score(solutions);
    const single = await PrmEngine.load(folder);
    try {
      for (const [i, solution] of solutions.entries()) {
        const [alone] = await single.score([solution]);
        alone.steps.forEach((step, k) =>
          assertClose(batched[i].steps[k].score as number, step.score as number, 1e-5, `solution ${i} step ${k}`),
        );
      }
    } finally {
      await single.release();
    }
  });

  test('progress reports token counts and one forward pass per batch', async () => {
    const seen: string[] = [];
    await engine.score([{ problem: PROBLEM, steps: STEPS }, OTHER], (p) =>
      seen.push(`${p.stage}:${p.tokens}:${p.batch ?? ''}/${p.batches ?? ''}`),
    );
    const { fitted } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }, OTHER]);
    const total = fitted[0].ids.length + fitted[1].ids.length;
    assert.deepEqual(seen, [`tokenizing:${total}:/`, `running:${2 * fitted[0].ids.length}:1/1`]);
  });
});

describe('tag-token (Math-Shepherd layout)', () => {
  let folder: string;
  let engine: PrmEngine;
  before(async () => {
    folder = buildModelFolder(path.join(tmp.dir, 'tag'), { family: 'tag-token', llama: true });
    engine = await PrmEngine.load(folder);
  });
  after(() => engine.release());

  test('steps are followed by the " ки" token and separated by "\\n"; p(+) vs p(−) at each tag equals prefix runs', async () => {
    const tok = testTokenizer();
    const tag = tok.idOf(' ки');
    // Math-Shepherd's string, encoded once: f"{question} {output}".
    const expected = await oracleIds(`${PROBLEM} ${STEPS.map((s) => `${s} ки`).join('\n')}`);
    const { sequences } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    assert.deepEqual(sequences[0].ids, expected);

    const [result] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
    const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    const [plus, minus] = [tok.idOf('+'), tok.idOf('-')];
    for (let k = 0; k < STEPS.length; k++) {
      const position = sequences[0].reads[k];
      assert.equal(sequences[0].ids[position], tag);
      const logits = lastRow(await runSequence(session, sequences[0].ids.slice(0, position + 1)));
      const [pPlus] = softmax([logits[plus], logits[minus]]);
      assertClose(result.steps[k].score as number, pPlus, 1e-5, `step ${k}`);
      assertClose(result.steps[k].raw as number, logits[plus] - logits[minus], 1e-3, `step ${k} margin`);
    }
    await session.release();
  });

  test('SentencePiece tokenizers: the whole Math-Shepherd string, reads at each tag, exact boundaries', async () => {
    const sp = buildSentencePieceTokenizer({
      corpus: MATH_CORPUS,
      merges: 150,
      forcedWords: ['▁ки'],
      alphabet: '+-\n',
    });
    const dir = buildModelFolder(path.join(tmp.dir, 'tag-sp'), { family: 'tag-token', llama: true });
    writeFileSync(path.join(dir, 'tokenizer.json'), sp.json);
    const spEngine = await PrmEngine.load(dir);
    try {
      const { sequences } = await spEngine.prepare([{ problem: PROBLEM, steps: STEPS }]);
      const whole = await Tokenizer.fromString(sp.json).encode(
        `${PROBLEM} ${STEPS.map((s) => `${s} ки`).join('\n')}`,
        null,
        { addSpecialTokens: false },
      );
      assert.deepEqual(sequences[0].ids, whole.getIds());
      const tag = sp.idOf('▁ки');
      assert.deepEqual(
        sequences[0].reads,
        whole.getIds().flatMap((id, i) => (id === tag ? [i] : [])),
      );
      // The string gets one word-start marker, at its start; step 2 follows a newline, so it starts without one.
      assert.equal(sp.vocab.get('▁Step'), sequences[0].ids[sequences[0].ranges[0][0]]);
      assert.notEqual(sp.vocab.get('▁Step'), sequences[0].ids[sequences[0].ranges[1][0]]);
      sequences[0].spans.forEach((spans, k) => assert.equal(spans.at(-1)?.[1], STEPS[k].length));
    } finally {
      await spEngine.release();
    }
  });

  test('context policy: steps past maxTokens are unscored with a message; the steps that fit keep their scores', async () => {
    const full = (await engine.score([{ problem: PROBLEM, steps: STEPS }]))[0];
    const { sequences } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    const limit = sequences[0].reads[1] + 1;
    const small = buildModelFolder(path.join(tmp.dir, 'tag-small'), {
      family: 'tag-token',
      llama: true,
      prm: { maxTokens: limit },
    });
    const cut = await PrmEngine.load(small);
    try {
      const [result] = await cut.score([{ problem: PROBLEM, steps: STEPS }]);
      assert.equal(result.tokens, limit);
      assert.equal(result.fullTokens, sequences[0].ids.length);
      assertClose(result.steps[0].score as number, full.steps[0].score as number, 1e-6, 'step 0');
      assertClose(result.steps[1].score as number, full.steps[1].score as number, 1e-6, 'step 1');
      for (const k of [2, 3]) {
        assert.equal(result.steps[k].score, null);
        assert.match(
          result.steps[k].note ?? '',
          new RegExp(
            `needs ${sequences[0].ids.length} tokens and the model takes ${limit} \\("maxTokens" in prm.json\\); steps 3–4 do not fit`,
          ),
        );
      }
      // When not even the first step fits, nothing runs and every step says why.
      const [none] = await cut.score([{ problem: PROBLEM.repeat(5), steps: STEPS }]);
      assert.equal(none.tokens, 0);
      assert.ok(none.steps.every((s) => s.score === null && /steps 1–4 do not fit/.test(s.note ?? '')));
    } finally {
      await cut.release();
    }
  });

  test('emoji and CJK: token spans are UTF-16 offsets into each step and cover it', async () => {
    const { sequences } = await engine.prepare([UNICODE]);
    UNICODE.steps.forEach((text, k) => {
      const spans = sequences[0].spans[k];
      assert.equal(spans[0][0], 0);
      assert.equal(spans.at(-1)?.[1], text.length, `the last token of step ${k} ends at its UTF-16 length`);
      for (let i = 1; i < spans.length; i++)
        assert.ok(spans[i][0] >= spans[i - 1][0] && spans[i][0] <= spans[i - 1][1]);
    });
    // The emoji in step 0 is one code point but two UTF-16 units; its byte tokens share one span.
    const emoji = UNICODE.steps[0].indexOf('🙂');
    assert.ok(sequences[0].spans[0].some(([s, e]) => s === emoji && e === emoji + 2));
    const [result] = await engine.score([UNICODE]);
    assert.ok(result.steps.every((s) => s.score !== null && Number.isFinite(s.score)));
  });
});

describe('code point → UTF-16 offsets', () => {
  test('emoji count two units, CJK and accents one', () => {
    const text = 'a🙂b数é😀';
    assert.deepEqual(
      codePointSpansToUtf16(text, [
        [0, 1],
        [1, 2],
        [2, 3],
        [3, 4],
        [4, 5],
        [5, 6],
      ]),
      [
        [0, 1],
        [1, 3],
        [3, 4],
        [4, 5],
        [5, 6],
        [6, 8],
      ],
    );
    assert.deepEqual(codePointSpansToUtf16('', [[0, 0]]), [[0, 0]]);
  });
});
