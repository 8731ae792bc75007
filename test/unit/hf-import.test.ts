import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { chooseWeights, importCheckpoint, ImportOptions, ImportProgress, WeightFormat } from '../../src/core/hf-import';
import { inverseFrequencies } from '../../src/core/hf-import/config';
import { PrmEngine } from '../../src/onnx-host/engine';
import { HfCheckpointOptions, writeHfCheckpoint } from '../support/hf/checkpoint';
import { asImported } from '../support/hf/precision';
import { DecoderConfig } from '../support/onnx/decoder';
import { referenceForward, ReferenceOptions } from '../support/onnx/reference';
import { runSequence, softmax } from '../support/onnx/run';
import { tempDir } from '../support/onnx/tmp';
import { WeightSource } from '../support/onnx/weights';

// Imports of tiny random Hugging Face checkpoints, checked against the plain reference forward pass. Tolerances
// (largest absolute difference of any output): fp32 1e-4; fp16 and int4 against the reference run on the weights
// as stored (float16-rounded, or dequantized blocks) 1e-4, which isolates the graph's arithmetic from the rounding;
// int8 0.15, since DynamicQuantizeMatMul also quantizes the activations (per tensor, to uint8) at run time.

const tmp = tempDir('hf-import');
after(() => tmp.remove());
let counter = 0;
const fresh = (name: string) => path.join(tmp.dir, `${name}-${counter++}`);

/** hidden 64 over 4 heads: head size 16, the smallest GroupQueryAttention takes. */
const FUSED = { hidden: 64, intermediate: 128 };
const IDS = [1, 5, 9, 33, 100, 7, 3, 200, 17, 4, 99, 150];
const TOLERANCE: Record<WeightFormat, number> = { fp32: 1e-4, fp16: 1e-4, int4: 1e-4, int8: 0.15 };

interface Imported {
  out: string;
  cfg: DecoderConfig;
  weights: WeightSource;
}

async function imported(
  opts: HfCheckpointOptions,
  importOpts: Partial<ImportOptions> = {},
): Promise<Imported & { result: Awaited<ReturnType<typeof importCheckpoint>> }> {
  const source = fresh('src');
  const { cfg, weights } = writeHfCheckpoint(source, opts);
  const out = fresh('out');
  const result = await importCheckpoint({ source, out, weights: 'fp32', ...importOpts });
  return { out, cfg, weights, result };
}

/** Largest difference between the imported graph's outputs and the reference forward pass. */
async function maxDiff(
  m: Imported,
  format: WeightFormat,
  ref: ReferenceOptions = {},
  ids = IDS,
  int4Symmetric = true,
): Promise<number> {
  const session = await ort.InferenceSession.create(path.join(m.out, 'model.onnx'));
  try {
    const got = await runSequence(session, ids);
    const { cfg, weights } = asImported(m.weights, m.cfg, format, int4Symmetric);
    const invFreq = ref.invFreq ?? inverseFrequencies({ headDim: cfg.hidden / cfg.heads, ropeTheta: cfg.ropeTheta });
    const want = referenceForward(cfg, weights, ids, { ...ref, invFreq });
    const width = want[0].length;
    let max = 0;
    want.forEach((row, t) => row.forEach((v, j) => (max = Math.max(max, Math.abs(v - got.data[t * width + j])))));
    return max;
  } finally {
    await session.release();
  }
}

describe('imported graphs compute what the reference forward pass computes', () => {
  test('Qwen2 with Qwen2.5-Math-PRM’s 2-label head (q/k/v biases), fp32 safetensors', async () => {
    const m = await imported({ family: 'qwen2', head: 'token-classification', model: FUSED });
    assert.equal(m.result.preset, 'qwen2.5-math-prm-7b');
    assert.equal(m.result.head, 'token-classification');
    assert.ok((await maxDiff(m, 'fp32')) < TOLERANCE.fp32);
  });

  test('Qwen2 with Skywork’s value head from bfloat16 safetensors; the unused LM head is reported', async () => {
    const m = await imported({
      family: 'qwen2',
      head: 'value',
      model: { ...FUSED, tieEmbeddings: false },
      dtype: 'BF16',
    });
    assert.equal(m.result.preset, 'skywork-o1-open-prm-qwen-2.5-7b');
    assert.ok((await maxDiff(m, 'fp32')) < TOLERANCE.fp32);
  });

  test('a value head saved under a causal-LM architecture name is found by its tensors', async () => {
    const m = await imported({
      family: 'qwen2',
      head: 'value',
      model: FUSED,
      configOverrides: { architectures: ['Qwen2ForCausalLM'] },
    });
    assert.equal(m.result.head, 'value');
    assert.ok((await maxDiff(m, 'fp32')) < TOLERANCE.fp32);
  });

  test('Qwen2 causal LM with tied embeddings, float16 shards with their index, a preset named', async () => {
    const m = await imported(
      { family: 'qwen2', head: 'lm', model: FUSED, dtype: 'F16', shards: 3 },
      { preset: 'rlhflow-llama3.1-8b-prm' },
    );
    assert.ok((await maxDiff(m, 'fp32')) < TOLERANCE.fp32);
  });

  const LLAMA3 = { factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 256 };
  test('Llama with Llama-3 rope scaling (all three frequency bands in use)', async () => {
    const m = await imported({ family: 'llama', head: 'lm', model: FUSED, ropeScaling: LLAMA3, maxPositions: 1024 });
    assert.equal(m.result.preset, 'rlhflow-llama3.1-8b-prm');
    const invFreq = inverseFrequencies({
      headDim: 16,
      ropeTheta: 10000,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 256 },
    });
    assert.ok((await maxDiff(m, 'fp32', { invFreq })) < TOLERANCE.fp32);
    // Without the scaling the outputs differ: the test sees the frequencies.
    assert.ok((await maxDiff(m, 'fp32')) > 1e-3);
  });

  test('Mistral with a sliding window shorter than the input', async () => {
    const m = await imported({ family: 'mistral', head: 'lm', model: FUSED, slidingWindow: 4 });
    assert.equal(m.result.preset, 'math-shepherd-mistral-7b-prm');
    assert.ok(m.result.notes.some((n) => n.includes('sliding window')));
    assert.ok((await maxDiff(m, 'fp32', { slidingWindow: 4 })) < TOLERANCE.fp32);
    assert.ok((await maxDiff(m, 'fp32')) > 1e-3, 'the window matters for this input');
  });

  test('head size 8 (below what GroupQueryAttention takes): attention from standard operators', async () => {
    const m = await imported({
      family: 'llama',
      head: 'lm',
      ropeScaling: LLAMA3,
      maxPositions: 1024,
    });
    const invFreq = inverseFrequencies({
      headDim: 8,
      ropeTheta: 10000,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 256 },
    });
    assert.ok((await maxDiff(m, 'fp32', { invFreq })) < TOLERANCE.fp32);
    const mistral = await imported({ family: 'mistral', head: 'lm', slidingWindow: 5 });
    assert.ok((await maxDiff(mistral, 'fp32', { slidingWindow: 5 })) < TOLERANCE.fp32);
    assert.ok((await maxDiff(mistral, 'fp32')) > 1e-3, 'the window matters for this input');
  });

  for (const format of ['fp16', 'int8', 'int4'] as const) {
    test(`${format} weights: within ${TOLERANCE[format]} of the reference on the stored weights`, async () => {
      const m = await imported({ family: 'qwen2', head: 'token-classification', model: FUSED }, { weights: format });
      assert.equal(m.result.weights, format);
      assert.ok((await maxDiff(m, format)) < TOLERANCE[format]);
    });
  }

  test('int4 where K is not a multiple of the block (MLP width 72): the last block of each row is zero-padded', async () => {
    for (const int4Asymmetric of [false, true]) {
      const m = await imported(
        { family: 'qwen2', head: 'token-classification', model: { ...FUSED, intermediate: 72 } },
        { weights: 'int4', int4Asymmetric },
      );
      assert.ok((await maxDiff(m, 'int4', {}, IDS, !int4Asymmetric)) < TOLERANCE.int4);
    }
  });

  test('int4 with zero points (asymmetric blocks)', async () => {
    const m = await imported(
      { family: 'qwen2', head: 'value', model: FUSED },
      { weights: 'int4', int4Asymmetric: true },
    );
    assert.ok((await maxDiff(m, 'int4', {}, IDS, false)) < TOLERANCE.int4);
  });
});

describe('right-padded batches, as PRM Lens runs them', () => {
  for (const [name, opts] of [
    ['GroupQueryAttention', { family: 'qwen2', head: 'token-classification', model: FUSED }],
    ['standard operators', { family: 'llama', head: 'lm' }],
  ] as const) {
    test(`${name}: each row of a padded batch equals the row run alone`, async () => {
      const m = await imported(opts as HfCheckpointOptions);
      const session = await ort.InferenceSession.create(path.join(m.out, 'model.onnx'));
      const rows = [IDS, IDS.slice(0, 5).reverse()];
      const S = IDS.length;
      const ints = (v: number[]) => new ort.Tensor('int64', BigInt64Array.from(v, BigInt), [2, S]);
      const ids = rows.flatMap((r) => [...r, ...new Array<number>(S - r.length).fill(0)]);
      const mask = rows.flatMap((r) => [...r.map(() => 1), ...new Array<number>(S - r.length).fill(0)]);
      const out = (await session.run({ input_ids: ints(ids), attention_mask: ints(mask) }))[session.outputNames[0]];
      const width = out.dims[2];
      for (const [b, row] of rows.entries()) {
        const alone = await runSequence(session, row);
        for (let i = 0; i < row.length * width; i++) {
          const batched = (out.data as Float32Array)[b * S * width + i];
          assert.ok(Math.abs(batched - alone.data[i]) < 1e-5, `row ${b} value ${i}`);
        }
      }
      await session.release();
    });
  }
});

describe('the imported folder loads and scores with the ONNX critic unchanged', () => {
  test('Qwen2.5-Math-PRM layout: step scores are the reference’s label-1 probabilities at each <extra_0>', async () => {
    const m = await imported({ family: 'qwen2', head: 'token-classification', model: FUSED }, { weights: 'int4' });
    const prm = JSON.parse(readFileSync(path.join(m.out, 'prm.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(prm.family, 'token-classification');
    const engine = await PrmEngine.load(m.out, { threads: 1 });
    try {
      const solution = { problem: 'What is 2 + 3?', steps: ['2 + 3 = 5.', 'So the answer is 5.'] };
      const [scored] = await engine.score([solution]);
      const { sequences } = await engine.prepare([solution]);
      const { cfg, weights } = asImported(m.weights, m.cfg, 'int4');
      const want = referenceForward(cfg, weights, sequences[0].ids, {
        invFreq: inverseFrequencies({ headDim: 16, ropeTheta: cfg.ropeTheta }),
      });
      sequences[0].reads.forEach((position, k) => {
        const expected = softmax(Array.from(want[position]))[1];
        assert.ok(Math.abs((scored.steps[k].score as number) - expected) < 1e-4, `step ${k}`);
      });
    } finally {
      await engine.release();
    }
  });
});

describe('mutations the checks catch', () => {
  test('a wrong weight name: the import names the missing tensor', async () => {
    await assert.rejects(
      imported({
        family: 'qwen2',
        head: 'token-classification',
        model: FUSED,
        rename: { 'model.layers.1.self_attn.q_proj.weight': 'model.layers.1.self_attn.query.weight' },
      }),
      /lacks 1 tensor .*model\.layers\.1\.self_attn\.q_proj\.weight/,
    );
  });

  test('a transposed square projection: the import succeeds, the outputs are wrong', async () => {
    const m = await imported({
      family: 'qwen2',
      head: 'token-classification',
      model: FUSED,
      transposeTensor: 'model.layers.0.self_attn.o_proj.weight',
    });
    assert.ok((await maxDiff(m, 'fp32')) > 1e-2);
  });

  test('a transposed rectangular projection: the shape check names it', async () => {
    await assert.rejects(
      imported({ family: 'llama', head: 'lm', model: FUSED, transposeTensor: 'model.layers.0.mlp.up_proj.weight' }),
      /"model\.layers\.0\.mlp\.up_proj\.weight" has shape \[64, 128\]; the config says \[128, 64\]/,
    );
  });

  test('a missing bias on a Qwen2 projection', async () => {
    await assert.rejects(
      imported({ family: 'qwen2', head: 'value', model: FUSED, drop: ['model.layers.0.self_attn.k_proj.bias'] }),
      /model\.layers\.0\.self_attn\.k_proj\.bias/,
    );
  });

  test('a wrong rope theta in config.json: the outputs are wrong', async () => {
    const m = await imported({
      family: 'qwen2',
      head: 'token-classification',
      model: FUSED,
      configOverrides: { rope_theta: 10000 },
    });
    assert.ok((await maxDiff(m, 'fp32')) > 1e-2);
  });
});

describe('bad inputs get specific errors and leave nothing behind', () => {
  async function rejectsCleanly(source: string, pattern: RegExp): Promise<void> {
    const out = fresh('out');
    await assert.rejects(importCheckpoint({ source, out, weights: 'fp32' }), pattern);
    assert.equal(existsSync(out), false, 'no output folder');
  }
  const source = (opts: Partial<HfCheckpointOptions> = {}) => {
    const dir = fresh('src');
    writeHfCheckpoint(dir, { family: 'qwen2', head: 'token-classification', model: FUSED, ...opts });
    return dir;
  };

  test('a truncated safetensors file', async () => {
    const dir = source();
    const file = path.join(dir, 'model.safetensors');
    truncateSync(file, readFileSync(file).length - 100);
    await rejectsCleanly(
      dir,
      /model\.safetensors: not a valid safetensors file: tensor ".*": data_offsets end at \d+, past the \d+ data bytes the file holds \(truncated\?\)/,
    );
  });

  test('a header whose offsets do not match the dtype and shape', async () => {
    const dir = source();
    const file = path.join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    const length = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + length).toString()) as Record<string, { data_offsets: number[] }>;
    header['model.norm.weight'].data_offsets[1] += 4;
    let json = JSON.stringify(header);
    json += ' '.repeat(Math.max(0, length - json.length));
    assert.equal(json.length, length, 'the edited header keeps its length');
    writeFileSync(file, Buffer.concat([bytes.subarray(0, 8), Buffer.from(json), bytes.subarray(8 + length)]));
    await rejectsCleanly(
      dir,
      /tensor "model\.norm\.weight": data_offsets \[\d+, \d+\] hold 260 bytes; F32 \[64\] needs 256/,
    );
  });

  test('a header length beyond the file', async () => {
    const dir = source();
    const file = path.join(dir, 'model.safetensors');
    const bytes = readFileSync(file);
    bytes.writeBigUInt64LE(BigInt(bytes.length), 0);
    writeFileSync(file, bytes);
    await rejectsCleanly(dir, /header length \d+ runs past the end of the file/);
  });

  test('an unknown architecture', async () => {
    await rejectsCleanly(
      source({ configOverrides: { architectures: ['GPT2LMHeadModel'], model_type: 'gpt2' } }),
      /config\.json: unsupported architecture \["GPT2LMHeadModel"\]/,
    );
  });

  test('no tokenizer.json', async () => {
    await rejectsCleanly(source({ noTokenizer: true }), /no tokenizer\.json/);
  });

  test('no preset for the architecture and head', async () => {
    await rejectsCleanly(
      source({ head: 'lm' }),
      /no preset matches a qwen2 model with a lm head: name the prm\.json to use with --preset/,
    );
  });
});

describe('progress and cancel', () => {
  test('progress counts every tensor; a cancel removes what the import wrote and the folder it created', async () => {
    const dir = fresh('src');
    writeHfCheckpoint(dir, { family: 'qwen2', head: 'token-classification', model: FUSED });
    const seen: ImportProgress[] = [];
    await importCheckpoint({ source: dir, out: fresh('out'), weights: 'fp32', onProgress: (p) => seen.push(p) });
    const last = seen[seen.length - 1];
    assert.equal(last.tensors, last.totalTensors);
    assert.equal(last.totalTensors, 2 * 12 + 1 + 1 + 4);
    assert.ok(last.bytesWritten > 0);

    const out = fresh('out');
    const controller = new AbortController();
    await assert.rejects(
      importCheckpoint({
        source: dir,
        out,
        weights: 'fp32',
        signal: controller.signal,
        onProgress: (p) => p.tensors === 3 && controller.abort(),
      }),
      { name: 'AbortError' },
    );
    assert.equal(existsSync(out), false);

    // An existing empty folder stays (empty); a non-empty one is refused and left as it was.
    const empty = fresh('empty');
    mkdirSync(empty);
    const again = new AbortController();
    await assert.rejects(
      importCheckpoint({
        source: dir,
        out: empty,
        weights: 'fp32',
        signal: again.signal,
        onProgress: () => again.abort(),
      }),
      { name: 'AbortError' },
    );
    assert.deepEqual(readdirSync(empty), []);
    writeFileSync(path.join(empty, 'notes.txt'), 'mine');
    await assert.rejects(importCheckpoint({ source: dir, out: empty, weights: 'fp32' }), /not empty/);
    assert.deepEqual(readdirSync(empty), ['notes.txt']);
  });
});

describe('weights: auto and rope scaling', () => {
  test('int8 with VNNI or AMX; else fp32 when its weights take at most half the memory, else int4', () => {
    const GiB = 2 ** 30;
    assert.equal(chooseWeights(['avx2', 'avx512f', 'amx_int8'], 28 * GiB, 24 * GiB).weights, 'int8');
    assert.equal(chooseWeights(['avx2', 'avx_vnni'], 2 * GiB, 24 * GiB).weights, 'int8');
    assert.equal(chooseWeights(['avx2', 'fma'], 2 * GiB, 24 * GiB).weights, 'fp32');
    assert.equal(chooseWeights(['avx2', 'fma'], 28 * GiB, 24 * GiB).weights, 'int4');
    assert.equal(chooseWeights([], 13 * GiB, 24 * GiB).weights, 'int4');
  });

  test('the import applies the rule to the flags and memory it is given', async () => {
    const m = await imported(
      { family: 'qwen2', head: 'value', model: FUSED },
      { weights: 'auto', cpuFlags: () => ['avx2'], totalMemory: 1e12 },
    );
    assert.equal(m.result.weights, 'fp32');
    assert.match(m.result.weightsReason, /no int8 dot-product instructions/);
  });

  test('llama3 frequencies: high frequencies kept, low ones divided by the factor, the band between smoothed', () => {
    const spec = { headDim: 16, ropeTheta: 10000 };
    const base = inverseFrequencies(spec);
    const scaled = inverseFrequencies({
      ...spec,
      ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 256 },
    });
    // Wavelengths 2π/f: 6.3, 19.9, 62.8 (< 256/4: kept), 198.7 (between: smoothed), 628 and longer (> 256: / 8).
    for (const i of [0, 1, 2]) assert.equal(scaled[i], base[i]);
    const smooth = (256 / ((2 * Math.PI) / base[3]) - 1) / 3;
    assert.ok(Math.abs(scaled[3] - ((1 - smooth) * base[3]) / 8 - smooth * base[3]) < 1e-15);
    for (const i of [4, 5, 6, 7]) assert.equal(scaled[i], base[i] / 8);
  });
});
