import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { statSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { Tokenizer } from '@anush008/tokenizers';
import { buildDecoder, DecoderConfig, TINY_LLAMA, TINY_QWEN2 } from '../support/onnx/decoder';
import { referenceForward } from '../support/onnx/reference';
import { buildByteLevelTokenizer, MATH_CORPUS } from '../support/onnx/tokenizer';
import { tempDir } from '../support/onnx/tmp';
import { dequantizeInt4, quantizeInt4 } from '../../src/core/hf-import/quantize';
import { RandomWeights, WeightSource } from '../support/onnx/weights';

// The test-support ONNX writer, decoder builder and tokenizer builder: the models the other onnx tests rely on.

const tmp = tempDir('onnx-model');
after(() => tmp.remove());

let counter = 0;
async function session(cfg: DecoderConfig, seed = 1, external = true): Promise<ort.InferenceSession> {
  const file = path.join(tmp.dir, `m${counter++}.onnx`);
  buildDecoder(cfg, new RandomWeights(seed)).save(
    file,
    external ? { externalData: `${path.basename(file)}.data` } : {},
  );
  return ort.InferenceSession.create(file);
}

function feeds(cfg: DecoderConfig, rows: number[][], pad = 0): Record<string, ort.Tensor> {
  const T = Math.max(...rows.map((r) => r.length));
  const ids = new BigInt64Array(rows.length * T).fill(BigInt(pad));
  const mask = new BigInt64Array(rows.length * T);
  const pos = new BigInt64Array(rows.length * T);
  rows.forEach((r, b) =>
    r.forEach((id, t) => {
      ids[b * T + t] = BigInt(id);
      mask[b * T + t] = 1n;
      pos[b * T + t] = BigInt(t);
    }),
  );
  const out: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, [rows.length, T]),
    attention_mask: new ort.Tensor('int64', mask, [rows.length, T]),
  };
  if (cfg.positionIds) out.position_ids = new ort.Tensor('int64', pos, [rows.length, T]);
  const hd = cfg.hidden / cfg.heads;
  if (cfg.past) {
    for (let i = 0; i < cfg.layers; i++) {
      for (const kv of ['key', 'value'])
        out[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
          rows.length,
          cfg.kvHeads,
          0,
          hd,
        ]);
    }
  }
  return out;
}

async function run(
  s: ort.InferenceSession,
  cfg: DecoderConfig,
  rows: number[][],
): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const out = (await s.run(feeds(cfg, rows)))[s.outputNames[0]];
  return { data: out.data as Float32Array, dims: out.dims };
}

/** Output row (all trailing values) at [batch b, position t]. */
function at(out: { data: Float32Array; dims: readonly number[] }, b: number, t: number): number[] {
  const width = out.dims.length === 3 ? out.dims[2] : 1;
  const start = (b * out.dims[1] + t) * width;
  return Array.from(out.data.subarray(start, start + width));
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const IDS = [5, 17, 42, 99, 3, 250, 7, 61];

describe('test-support ONNX models', () => {
  for (const [name, base] of [
    ['Llama', TINY_LLAMA],
    ['Qwen2', TINY_QWEN2],
  ] as const) {
    for (const head of ['lm', 'token-classification', 'value'] as const) {
      test(`${name} decoder with a ${head} head computes what a loop-by-loop reference computes`, async () => {
        const cfg: DecoderConfig = { ...base, vocab: 300, head, positionIds: true };
        const s = await session(cfg, 7);
        const out = await run(s, cfg, [IDS]);
        const width = head === 'lm' ? 300 : head === 'token-classification' ? 2 : 1;
        assert.deepEqual(out.dims, head === 'value' ? [1, IDS.length] : [1, IDS.length, width]);
        const expected = referenceForward(cfg, new RandomWeights(7), IDS);
        IDS.forEach((_, t) =>
          assert.ok(
            maxDiff(at(out, 0, t), expected[t]) < 1e-4,
            `position ${t}: ${maxDiff(at(out, 0, t), expected[t])}`,
          ),
        );
        // Outputs vary along the sequence: a score read one position off is a different number.
        assert.ok(maxDiff(at(out, 0, 3), at(out, 0, 4)) > 1e-3);
      });
    }
  }

  test('causal: a position does not see later tokens; right padding does not change real positions', async () => {
    const cfg: DecoderConfig = { ...TINY_QWEN2, vocab: 300, head: 'token-classification', positionIds: true };
    const s = await session(cfg);
    const full = await run(s, cfg, [IDS]);
    const changedTail = await run(s, cfg, [[...IDS.slice(0, 4), 1, 2, 3, 4]]);
    for (let t = 0; t < 4; t++) assert.ok(maxDiff(at(full, 0, t), at(changedTail, 0, t)) < 1e-6);
    const batch = await run(s, cfg, [IDS, IDS.slice(0, 3)]);
    const short = await run(s, cfg, [IDS.slice(0, 3)]);
    for (let t = 0; t < 3; t++) assert.ok(maxDiff(at(batch, 1, t), at(short, 0, t)) < 1e-5);
    for (let t = 0; t < IDS.length; t++) assert.ok(maxDiff(at(batch, 0, t), at(full, 0, t)) < 1e-5);
  });

  test('exports with an empty KV cache and without position_ids give the same outputs', async () => {
    const plain: DecoderConfig = { ...TINY_LLAMA, vocab: 300, head: 'lm' };
    const withPast: DecoderConfig = { ...plain, past: true, positionIds: true };
    const a = await run(await session(plain, 3), plain, [IDS]);
    const b = await session(withPast, 3);
    assert.deepEqual(b.inputNames.filter((n) => n.startsWith('past_key_values')).length, 2 * TINY_LLAMA.layers);
    assert.ok(maxDiff(a.data, (await run(b, withPast, [IDS])).data) < 1e-5);
  });

  test('weights inside the .onnx file and in an external data file load the same model', async () => {
    const cfg: DecoderConfig = { ...TINY_QWEN2, vocab: 300, head: 'value' };
    const inline = await run(await session(cfg, 4, false), cfg, [IDS]);
    const external = await run(await session(cfg, 4, true), cfg, [IDS]);
    assert.deepEqual(Array.from(inline.data), Array.from(external.data));
  });

  test('4-bit MatMulNBits layers multiply by exactly the dequantized weights', async () => {
    const cfg: DecoderConfig = { ...TINY_QWEN2, vocab: 300, head: 'token-classification', quantizeBlock: 16 };
    const random = new RandomWeights(5);
    // What the 4-bit graph should compute: the float graph with every quantized weight replaced by (q − 8) · scale.
    const dequantized: WeightSource = {
      tensor(name, shape) {
        const w = random.tensor(name, shape);
        if (!/^model\.layers\..*_proj\.weight$/.test(name)) return w;
        const [n, k] = shape;
        return dequantizeInt4(quantizeInt4(w, n, k, 16, true), n, k, 16);
      },
    };
    const q4 = await run(await session(cfg, 5), cfg, [IDS]);
    const floatFile = path.join(tmp.dir, 'dequantized.onnx');
    buildDecoder({ ...cfg, quantizeBlock: undefined }, dequantized).save(floatFile);
    const expected = await run(await ort.InferenceSession.create(floatFile), cfg, [IDS]);
    assert.ok(
      maxDiff(q4.data, expected.data) < 1e-4,
      `MatMulNBits disagrees with the dequantized weights by ${maxDiff(q4.data, expected.data)}`,
    );
    const unquantized = await run(await session({ ...cfg, quantizeBlock: undefined }, 5), cfg, [IDS]);
    assert.ok(maxDiff(q4.data, unquantized.data) > 1e-3, 'the 4-bit graph must actually quantize');
  });

  test('external data file is written next to the model', () => {
    const file = path.join(tmp.dir, 'sized.onnx');
    const bytes = buildDecoder({ ...TINY_LLAMA, vocab: 300, head: 'lm' }, new RandomWeights(1)).save(file, {
      externalData: 'sized.onnx.data',
    });
    assert.ok(statSync(`${file}.data`).size > statSync(file).size);
    assert.equal(bytes, statSync(file).size + statSync(`${file}.data`).size);
  });
});

describe('test-support tokenizer', () => {
  let tok: ReturnType<typeof buildByteLevelTokenizer>;
  let native: Tokenizer;
  before(() => {
    tok = buildByteLevelTokenizer({
      corpus: MATH_CORPUS,
      merges: 120,
      forcedWords: [' ки'],
      specialTokens: ['<|endoftext|>', '<extra_0>'],
    });
    native = Tokenizer.fromString(tok.json);
  });

  test('loads in the native tokenizer; forced words and special tokens are single tokens', async () => {
    assert.equal(native.getVocabSize(true), tok.size);
    const e = await native.encode('Step 1: 12 + 7 = 19 ки<extra_0>', null, { addSpecialTokens: false });
    const ids = e.getIds();
    assert.equal(ids.at(-1), tok.idOf('<extra_0>'));
    assert.equal(ids.at(-2), tok.idOf(' ки'));
    assert.equal(await native.decode(ids, false), 'Step 1: 12 + 7 = 19 ки<extra_0>');
  });

  test('emoji and CJK become byte tokens whose offsets are code points', async () => {
    const text = 'a🙂数b';
    const e = await native.encode(text, null, { addSpecialTokens: false });
    const offsets = e.getOffsets();
    // 🙂 is one code point (two UTF-16 units): its four byte tokens all span code point 1…2.
    assert.ok(offsets.filter(([s, t]) => s === 1 && t === 2).length >= 2);
    assert.ok(offsets.some(([s, t]) => s === 2 && t === 3));
    assert.deepEqual(offsets.at(-1), [3, 4]);
    assert.equal(await native.decode(e.getIds(), false), text);
  });
});
