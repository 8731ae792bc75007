import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { PrmEngine } from '../../src/onnx-host/engine';
import { buildModelFolder, TEST_TOKENIZER_CONFIG, testTokenizer } from '../support/onnx/fixtures';
import { applyChatTemplate } from '../support/onnx/realTokenizers';
import { lastRow, runSequence, softmax } from '../support/onnx/run';
import { tempDir } from '../support/onnx/tmp';
import { assertClose, oracleIds } from '../support/onnx/oracle';

// The other PRM families: RLHFlow's chat layout, Skywork's value head and EurusPRM's implicit rewards. Each is
// checked against an oracle that builds the input itself and runs the bare graph on prefixes.

const tmp = tempDir('onnx-families');
after(() => tmp.remove());

const PROBLEM = 'A shop sells 3 pens for 6 dollars. How much do 5 pens cost?';
const STEPS = ['One pen costs 6 / 3 = 2 dollars.', 'Five pens cost 5 * 2 = 10 dollars.', 'The answer is \\boxed{12}.'];
const OTHER = { problem: 'What is 2 + 2? 🙂', steps: ['2 + 2 = 4 数', 'So the answer is 4.'] };

async function batchInvariance(engine: PrmEngine): Promise<void> {
  const solutions = [{ problem: PROBLEM, steps: STEPS }, OTHER];
  const batched = await engine.score(solutions);
  for (const [i, s] of solutions.entries()) {
    const [alone] = await engine.score([s]);
    alone.steps.forEach((step, k) =>
      assertClose(batched[i].steps[k].score as number, step.score as number, 1e-5, `solution ${i} step ${k}`),
    );
  }
}

describe('chat-tag-token (RLHFlow layout)', () => {
  let folder: string;
  let engine: PrmEngine;
  before(async () => {
    folder = buildModelFolder(path.join(tmp.dir, 'chat'), { family: 'chat-tag-token', llama: true });
    engine = await PrmEngine.load(folder);
  });
  after(() => engine.release());

  test('one user turn per step (problem + step first), an assistant "+" after each; p(+) read just before it', async () => {
    const tok = testTokenizer();
    const [plus, minus] = [tok.idOf('+'), tok.idOf('-')];
    const userBefore = '<|start_header_id|>user<|end_header_id|>\n\n';
    const assistantBefore = '<|start_header_id|>assistant<|end_header_id|>\n\n';
    // The conversation as one string; like RLHFlow's code, step k is read at position -3 of the conversation that
    // ends with its "+<|eot_id|>".
    let text = '<|endoftext|>';
    const reads: number[] = [];
    for (const [k, s] of STEPS.entries()) {
      text += `${userBefore}${k === 0 ? `${PROBLEM}\n\n${s}` : s}<|eot_id|>${assistantBefore}+<|eot_id|>`;
      reads.push((await oracleIds(text)).length - 3);
    }
    const expected = await oracleIds(text);
    const { sequences, fitted } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    assert.deepEqual(sequences[0].ids, expected);
    assert.deepEqual(sequences[0].reads, reads);
    // Nothing after the last read position is fed: the trailing "+<|eot_id|>" cannot change any score.
    assert.equal(fitted[0].ids.length, reads.at(-1)! + 1);

    const [result] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
    const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    for (const [k, position] of reads.entries()) {
      const logits = lastRow(await runSequence(session, expected.slice(0, position + 1)));
      assertClose(result.steps[k].score as number, softmax([logits[plus], logits[minus]])[0], 1e-5, `step ${k}`);
    }
    await session.release();
  });

  test('batches of padded conversations score like single ones', () => batchInvariance(engine));
});

describe('value-head (Skywork layout)', () => {
  let folder: string;
  let engine: PrmEngine;
  before(async () => {
    folder = buildModelFolder(path.join(tmp.dir, 'value'), { family: 'value-head' });
    engine = await PrmEngine.load(folder);
  });
  after(() => engine.release());

  test('sigmoid of the value head at the "\\n" after each step equals prefix runs', async () => {
    const newline = (await oracleIds('\n'))[0];
    // Skywork's prepare_input: the prompt as one string (the problem's "?" and the newline are one token), then
    // each step on its own followed by the newline's id.
    const expected = await oracleIds(`<|endoftext|>${PROBLEM}\n`);
    assert.equal(expected.at(-1), testTokenizer().idOf('?\n'));
    for (const s of STEPS) expected.push(...(await oracleIds(s)), newline);
    const { sequences } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    assert.deepEqual(sequences[0].ids, expected);
    const [result] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
    const session = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    for (const [k, position] of sequences[0].reads.entries()) {
      assert.equal(expected[position], newline);
      const value = lastRow(await runSequence(session, expected.slice(0, position + 1)))[0];
      assertClose(result.steps[k].raw as number, value, 1e-4, `step ${k} value`);
      assertClose(result.steps[k].score as number, 1 / (1 + Math.exp(-value)), 1e-5, `step ${k}`);
    }
    await session.release();
  });

  test('activation "none" passes the head\'s output through (clamped to [0, 1])', async () => {
    const dir = path.join(tmp.dir, 'value-none');
    cpSync(folder, dir, { recursive: true });
    const prm = JSON.parse(readFileSync(path.join(dir, 'prm.json'), 'utf8'));
    writeFileSync(path.join(dir, 'prm.json'), JSON.stringify({ ...prm, activation: 'none' }));
    const none = await PrmEngine.load(dir);
    try {
      const [result] = await none.score([{ problem: PROBLEM, steps: STEPS }]);
      for (const s of result.steps) assert.equal(s.score, Math.min(1, Math.max(0, s.raw as number)));
    } finally {
      await none.release();
    }
  });

  test('batches of padded solutions score like single ones', () => batchInvariance(engine));
});

describe('implicit (EurusPRM: policy and reference LMs)', () => {
  let folder: string;
  let engine: PrmEngine;
  before(async () => {
    folder = buildModelFolder(path.join(tmp.dir, 'implicit'), { family: 'implicit' });
    engine = await PrmEngine.load(folder);
  });
  after(() => engine.release());

  /** Σ over tokens [start, end) of log p(token | prefix), from a bare run of the graph on the prefix. */
  async function logProb(session: ort.InferenceSession, seq: number[], start: number, end: number): Promise<number> {
    let sum = 0;
    for (let t = start; t < end; t++) {
      const logits = lastRow(await runSequence(session, seq.slice(0, t)));
      sum += Math.log(softmax(logits)[seq[t]]);
    }
    return sum;
  }

  test("step reward = β · Σ over the step's tokens of log π − log π_ref, each token predicted from its prefix", async () => {
    // The whole string, encoded once; each step's tokens are those its text's offsets fall in (a step's final "."
    // and the blank line after it are the one token ".\n\n", which the step owns).
    const prompt = `<|im_start|>user\n${PROBLEM}<|im_end|>\n<|im_start|>assistant\n`;
    const expected = await oracleIds(`${prompt}${STEPS.join('\n\n')}`);
    const ranges: [number, number][] = [];
    let start = (await oracleIds(prompt)).length;
    for (const [k, s] of STEPS.entries()) {
      const end = start + (await oracleIds(k < STEPS.length - 1 ? `${s}\n\n` : s)).length;
      ranges.push([start, end]);
      start = end;
    }
    const { sequences } = await engine.prepare([{ problem: PROBLEM, steps: STEPS }]);
    assert.deepEqual(sequences[0].ids, expected);
    assert.deepEqual(sequences[0].ranges, ranges);

    const [result] = await engine.score([{ problem: PROBLEM, steps: STEPS }]);
    const policy = await ort.InferenceSession.create(path.join(folder, 'model.onnx'));
    const reference = await ort.InferenceSession.create(path.join(folder, 'reference', 'model.onnx'));
    for (const [k, [start, end]] of ranges.entries()) {
      const reward =
        0.5 * ((await logProb(policy, expected, start, end)) - (await logProb(reference, expected, start, end)));
      assertClose(result.steps[k].raw as number, reward, 1e-3, `step ${k} reward`);
      assertClose(result.steps[k].score as number, 1 / (1 + Math.exp(-reward)), 1e-4, `step ${k} score`);
      assert.equal(result.steps[k].tokens, end - start);
      const note = result.steps[k].note ?? '';
      assert.match(note, /^token least favoured by the policy over the reference: ".+" \(log-ratio -?\d+\.\d{3}\)/);
      const straddles = /; token straddles the boundary: "\.\\n\\n" holds this step's last characters and the/;
      assert.equal(straddles.test(note), k < STEPS.length - 1, `step ${k}: ${note}`);
    }
    await policy.release();
    await reference.release();
  });

  test('rewardMode "cumulative" gives the EurusPRM card\'s numbers: boundaries, shifted ratios, cumsum', async () => {
    const dir = buildModelFolder(path.join(tmp.dir, 'implicit-card'), {
      family: 'implicit',
      prm: { template: undefined, chatTemplate: 'tokenizer_config', stepSeparator: '\n\n', rewardMode: 'cumulative' },
    });
    const card = await PrmEngine.load(dir);
    try {
      const [result] = await card.score([{ problem: PROBLEM, steps: STEPS }]);
      // The card, step by step (coef = β = 0.5 here).
      const chat = (k: number) => [
        { role: 'user', content: PROBLEM },
        { role: 'assistant', content: STEPS.slice(0, k).join('\n\n') },
      ];
      const ids = await oracleIds(applyChatTemplate(TEST_TOKENIZER_CONFIG, chat(STEPS.length)));
      const last: number[] = [];
      for (let k = 0; k <= STEPS.length; k++) {
        const middle = k !== 0 && k !== STEPS.length;
        const conv = applyChatTemplate(TEST_TOKENIZER_CONFIG, chat(k)).trim() + (middle ? '\n\n' : '');
        last.push((await oracleIds(conv)).length - 2);
      }
      const logps = async (file: string) => {
        const session = await ort.InferenceSession.create(path.join(dir, file));
        const out = await runSequence(session, ids);
        await session.release();
        const V = out.dims[2];
        // per_token_logps[t] = log p(ids[t + 1] | ids[..t]).
        const row = (t: number) => Array.from(out.data.subarray(t * V, (t + 1) * V));
        return ids.slice(1).map((next, t) => Math.log(softmax(row(t))[next]));
      };
      const [policy, reference] = [await logps('model.onnx'), await logps(path.join('reference', 'model.onnx'))];
      let sum = 0;
      const cumsum = policy.map((lp, t) => (sum += 0.5 * (lp - reference[t]) * (t + 1 >= last[0] ? 1 : 0)));
      last.slice(1).forEach((b, k) => {
        assertClose(result.steps[k].raw as number, cumsum[b], 1e-4, `step ${k}`);
        const runs = /running total over tokens \d+–\d+, as the EurusPRM card sums it; the sum runs \d tokens? past/;
        assert.match(result.steps[k].note ?? '', runs);
      });
    } finally {
      await card.release();
    }
  });

  test('the same model as policy and reference gives zero reward on every step', async () => {
    const dir = path.join(tmp.dir, 'implicit-same');
    cpSync(folder, dir, { recursive: true });
    cpSync(path.join(dir, 'model.onnx'), path.join(dir, 'reference', 'model.onnx'));
    cpSync(path.join(dir, 'model.onnx.data'), path.join(dir, 'reference', 'model.onnx.data'));
    const same = await PrmEngine.load(dir);
    try {
      const [result] = await same.score([{ problem: PROBLEM, steps: STEPS }]);
      for (const s of result.steps) {
        assert.equal(s.raw, 0);
        assert.equal(s.score, 0.5);
      }
    } finally {
      await same.release();
    }
  });

  test('batches of padded solutions score like single ones', () => batchInvariance(engine));
});
