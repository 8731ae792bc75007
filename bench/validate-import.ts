import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { importCheckpoint, WeightFormat } from '../src/core/hf-import';
import { HeadKind } from '../src/core/hf-import/config';
import { DecoderConfig, TINY_LLAMA, TINY_QWEN2 } from '../test/support/onnx/decoder';
import { testTokenizer, TEST_TOKENIZER_CONFIG, VOCAB } from '../test/support/onnx/fixtures';
import { referenceForward } from '../test/support/onnx/reference';
import { runSequence } from '../test/support/onnx/run';
import { tempDir } from '../test/support/onnx/tmp';
import { RandomWeights, seededRandom } from '../test/support/onnx/weights';
import { Architecture, SafetensorsDtype, writeHfFolder } from './hf-checkpoint';
import { findTorchPython, TorchReference } from './torch-reference';
import {
  decodePiece,
  goldenText,
  llama2cToTokenizerJson,
  readLegacyCheckpoint,
  readLlama2cTokenizer,
} from './validate-stories260k';

/**
 * Independent checks of the Hugging Face import (`npm run validate:models`):
 *  (a) stories260K, a trained Llama, written as a transformers LlamaForCausalLM checkpoint by the project's own code,
 *      imported, must greedy-decode llama2.c's published 200-token text exactly;
 *  (b) Qwen2 with each head and Llama, random weights: the imported graph at each precision against a PyTorch eager
 *      forward pass (scripts/reference/qwen2_reference.py), itself first checked against the project's loop-by-loop
 *      reference forward.
 */

export const PRECISIONS: readonly WeightFormat[] = ['fp32', 'fp16', 'int8', 'int4'];

/**
 * Largest |Δ| of a step score (p(positive) of the 2-label head, sigmoid of the value, p(+) against p(−) of the LM)
 * allowed per precision against the float32 PyTorch reference, on these random-weight models (uniform ±0.1, which
 * quantize worse than trained weights); fp32 is also held to 1e-4 on the raw outputs.
 */
export const SCORE_TOLERANCE: Record<WeightFormat, number> = { fp32: 1e-5, fp16: 2e-3, int8: 0.05, int4: 0.1 };
const RAW_TOLERANCE_FP32 = 1e-4;

interface Reporter {
  check(name: string, ok: boolean, detail: string): void;
  info(line: string): void;
  done(title: string): boolean;
}

function reporter(): Reporter {
  let total = 0;
  let failed = 0;
  return {
    check(name, ok, detail) {
      total++;
      if (!ok) failed++;
      console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
    },
    info(line) {
      console.log(`       ${line}`);
    },
    done(title) {
      console.log(
        failed === 0 ? `${title}: all ${total} checks passed` : `${title}: ${failed} of ${total} checks FAILED`,
      );
      return failed === 0;
    },
  };
}

async function importAs(source: string, out: string, weights: WeightFormat, preset?: string) {
  const t0 = performance.now();
  const result = await importCheckpoint({ source, out, weights, ...(preset ? { preset } : {}) });
  return { result, ms: performance.now() - t0 };
}

// ---- (a) stories260K through a Hugging Face checkpoint ---------------------------------------------------------

const BOS = 1;

/** Greedy decoding, a full forward pass per token (the model is tiny): the generated ids after BOS. */
async function greedy(session: ort.InferenceSession, steps: number): Promise<number[]> {
  const tokens = [BOS];
  for (let step = 0; step < steps; step++) {
    const { data, dims } = await runSequence(session, tokens);
    const V = dims[2];
    const last = data.subarray(data.length - V);
    let next = 0;
    for (let i = 1; i < V; i++) if (last[i] > last[next]) next = i;
    if (next === BOS) break;
    tokens.push(next);
  }
  return tokens.slice(1);
}

export async function validateStories260kImport(dir: string): Promise<boolean> {
  const checkpointFile = path.join(dir, 'stories260K.bin');
  if (!existsSync(checkpointFile)) {
    console.log(`stories260K import validation: skipped (${checkpointFile} not found; it lives in ../shared/models)`);
    return true;
  }
  console.log('stories260K import validation (a trained Llama written as a transformers checkpoint, then imported):');
  const r = reporter();
  const tmp = tempDir('stories-import');
  try {
    // readLegacyCheckpoint already gives wq/wk in Hugging Face's rotate-half row order: the row permutation of
    // transformers' convert_llama_weights_to_hf.py `permute` (llama2.c's export.py applies its inverse).
    const { config, seqLen, weights } = readLegacyCheckpoint(readFileSync(checkpointFile));
    const vocab = readLlama2cTokenizer(readFileSync(path.join(dir, 'tok512.bin')), config.vocab);
    const hf = writeHfFolder(path.join(tmp.dir, 'hf'), config, weights, {
      arch: 'llama',
      dtype: 'F32',
      maxPositions: seqLen,
      bos: 1,
      eos: 2,
      tokenizerJson: llama2cToTokenizerJson(vocab),
      tokenizerConfig: {
        add_bos_token: true,
        add_eos_token: false,
        bos_token: '<s>',
        eos_token: '</s>',
        unk_token: '<unk>',
        model_max_length: seqLen,
        tokenizer_class: 'LlamaTokenizer',
      },
    });
    const golden = goldenText(readFileSync(path.join(dir, 'SOURCE.md'), 'utf8'));
    const decode = async (precision: WeightFormat) => {
      const out = path.join(tmp.dir, precision);
      const { result, ms } = await importAs(hf, out, precision);
      const session = await ort.InferenceSession.create(path.join(out, 'model.onnx'));
      try {
        const t0 = performance.now();
        const ids = await greedy(session, 200);
        const text = Buffer.concat(ids.map((id, i) => decodePiece(vocab, i === 0 ? BOS : ids[i - 1], id))).toString(
          'utf8',
        );
        const firstDiff = [...golden].findIndex((c, i) => text[i] !== c);
        const detail =
          text === golden
            ? `${ids.length} tokens identical (${golden.length} characters), decoded in ${(performance.now() - t0).toFixed(0)} ms`
            : `differs at character ${firstDiff}: …${JSON.stringify(text.slice(Math.max(0, firstDiff - 20), firstDiff + 20))}`;
        return {
          same: text === golden,
          detail,
          imported: `${result.architecture}, ${result.head} head, preset ${result.preset}, ${ms.toFixed(0)} ms`,
        };
      } finally {
        await session.release();
      }
    };
    for (const precision of PRECISIONS) {
      const outcome = await decode(precision).catch((err: unknown) => ({
        same: false,
        detail: `failed: ${err instanceof Error ? err.message : String(err)}`,
        imported: '',
      }));
      if (precision === 'fp32') {
        r.check('fp32 import: greedy 200 tokens = golden text', outcome.same, outcome.detail);
        if (outcome.imported) r.info(`imported as ${outcome.imported}`);
      } else {
        // Quantized weights need not keep a 260K-parameter model's every argmax: measured, not checked.
        r.info(`${precision}: ${outcome.same ? 'also identical' : outcome.detail}`);
      }
    }
  } finally {
    tmp.remove();
  }
  return r.done('stories260K import validation');
}

// ---- (b) against PyTorch ---------------------------------------------------------------------------------------

interface Case {
  arch: Architecture;
  head: HeadKind;
  dtype: SafetensorsDtype;
  /** Needed where no preset matches the architecture and head (prm.json does not matter to these checks). */
  preset?: string;
}

const CASES: Case[] = [
  { arch: 'qwen2', head: 'lm', dtype: 'F32', preset: 'math-shepherd-mistral-7b-prm' },
  { arch: 'qwen2', head: 'token-classification', dtype: 'F32' },
  { arch: 'qwen2', head: 'token-classification', dtype: 'BF16' },
  { arch: 'qwen2', head: 'value', dtype: 'F32' },
  { arch: 'llama', head: 'lm', dtype: 'F32' },
  { arch: 'mistral', head: 'lm', dtype: 'BF16' },
];

/** Large enough for every fused kernel path (head dim 32, GQA 2:1, int4 blocks of 32), small enough to run in seconds. */
const SHAPE: Partial<DecoderConfig> = { hidden: 128, intermediate: 256, layers: 3, heads: 4, kvHeads: 2, vocab: VOCAB };
const TOKENS = 64;
const SHORT = 40;

/** What PRM Lens reads as the step score from one position's outputs. */
function scoreOf(head: HeadKind, row: Float32Array | Float64Array, plus: number, minus: number): number {
  if (head === 'value') return 1 / (1 + Math.exp(-row[0]));
  const [pos, neg] = head === 'lm' ? [row[plus], row[minus]] : [row[1], row[0]];
  return 1 / (1 + Math.exp(neg - pos));
}

function rows(data: ArrayLike<number>, width: number, count: number, from = 0): Float32Array[] {
  return Array.from({ length: count }, (_, t) =>
    Float32Array.from({ length: width }, (_, i) => data[(from + t) * width + i]),
  );
}

function maxDiff(a: readonly ArrayLike<number>[], b: readonly ArrayLike<number>[]): number {
  let d = 0;
  a.forEach((row, t) => {
    for (let i = 0; i < row.length; i++) d = Math.max(d, Math.abs(row[i] - b[t][i]));
  });
  return d;
}

/** A right-padded batch of two rows, as PRM Lens batches: `ids` and its first `short` tokens. */
async function runPadded(
  session: ort.InferenceSession,
  ids: readonly number[],
  short: number,
): Promise<{ data: Float32Array; width: number }> {
  const T = ids.length;
  const input = new BigInt64Array(2 * T);
  const mask = new BigInt64Array(2 * T);
  ids.forEach((id, t) => {
    input[t] = BigInt(id);
    mask[t] = 1n;
    if (t < short) {
      input[T + t] = BigInt(id);
      mask[T + t] = 1n;
    }
  });
  const out = await session.run({
    input_ids: new ort.Tensor('int64', input, [2, T]),
    attention_mask: new ort.Tensor('int64', mask, [2, T]),
  });
  const first = out[session.outputNames[0]];
  return { data: first.data as Float32Array, width: first.dims.length === 3 ? first.dims[2] : 1 };
}

/** Imports `source` at `precision` and runs it on the padded pair of rows: the largest differences from PyTorch. */
async function compareImported(
  source: string,
  out: string,
  precision: WeightFormat,
  c: Case,
  against: { ids: number[]; expected: Float32Array[]; expectedShort: Float32Array[]; plus: number; minus: number },
): Promise<{ rawDiff: number; scoreDiff: number } | { error: string }> {
  try {
    await importAs(source, out, precision, c.preset);
    const session = await ort.InferenceSession.create(path.join(out, 'model.onnx'));
    try {
      const { data, width } = await runPadded(session, against.ids, SHORT);
      if (width !== against.expected[0].length)
        return { error: `output width ${width}, PyTorch's ${against.expected[0].length}` };
      const got = rows(data, width, TOKENS);
      const gotShort = rows(data, width, SHORT, TOKENS);
      const scores = (a: Float32Array[]) => [a.map((row) => scoreOf(c.head, row, against.plus, against.minus))];
      return {
        rawDiff: Math.max(maxDiff(got, against.expected), maxDiff(gotShort, against.expectedShort)),
        scoreDiff: Math.max(
          maxDiff(scores(got), scores(against.expected)),
          maxDiff(scores(gotShort), scores(against.expectedShort)),
        ),
      };
    } finally {
      await session.release();
    }
  } catch (err) {
    return { error: `failed: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export interface TorchComparison {
  arch: Architecture;
  head: HeadKind;
  dtype: SafetensorsDtype;
  precision: WeightFormat;
  rawDiff: number;
  scoreDiff: number;
}

export async function validateAgainstTorch(): Promise<{ ok: boolean; results: TorchComparison[] }> {
  const torch = findTorchPython();
  if (!torch.python) {
    console.log(`PyTorch comparison of the import: skipped (${torch.reason})`);
    return { ok: true, results: [] };
  }
  console.log(`PyTorch comparison of the import (torch ${torch.version} eager, float32, random-weight checkpoints):`);
  const r = reporter();
  const results: TorchComparison[] = [];
  const tok = testTokenizer();
  const [plus, minus] = [tok.idOf('+'), tok.idOf('-')];
  const random = seededRandom(2024);
  const ids = Array.from({ length: TOKENS }, () => Math.floor(random() * VOCAB));
  const tmp = tempDir('torch-compare');
  try {
    for (const c of CASES) {
      const name = `${c.arch} ${c.head} (${c.dtype} checkpoint)`;
      const cfg: DecoderConfig = {
        ...(c.arch === 'qwen2' ? TINY_QWEN2 : TINY_LLAMA),
        ...SHAPE,
        head: c.head,
      } as DecoderConfig;
      const source = path.join(tmp.dir, `${c.arch}-${c.head}-${c.dtype}`);
      writeHfFolder(source, cfg, new RandomWeights(31, 0.1), {
        arch: c.arch,
        dtype: c.dtype,
        maxPositions: 256,
        tokenizerJson: tok.json,
        tokenizerConfig: TEST_TOKENIZER_CONFIG,
        shardBytes: 200_000,
      });
      const reference = await TorchReference.start(torch.python, source, 'fp32');
      let expected: Float32Array[];
      let expectedShort: Float32Array[];
      let width: number;
      try {
        const full = await reference.run(ids, 1, path.join(tmp.dir, 'out.f32'));
        const short = await reference.run(ids.slice(0, SHORT), 1, path.join(tmp.dir, 'out.f32'));
        width = full.shape.length === 2 ? full.shape[1] : 1;
        expected = rows(full.output as Float32Array, width, TOKENS);
        expectedShort = rows(short.output as Float32Array, width, SHORT);
      } finally {
        await reference.close();
      }
      // The reference itself, against the project's independent loop-by-loop forward pass (float32 checkpoints).
      if (c.dtype === 'F32') {
        const loop = referenceForward(cfg, new RandomWeights(31, 0.1), ids);
        const d = maxDiff(expected, loop);
        r.check(`${name}: PyTorch reference = loop-by-loop reference`, d < 1e-5, `max |Δ| ${d.toExponential(2)}`);
      }
      for (const precision of PRECISIONS) {
        const out = path.join(tmp.dir, `${c.arch}-${c.head}-${c.dtype}-${precision}`);
        const compared = await compareImported(source, out, precision, c, {
          ids,
          expected,
          expectedShort,
          plus,
          minus,
        });
        if ('error' in compared) {
          r.check(`${name}, ${precision}`, false, compared.error);
          continue;
        }
        results.push({ arch: c.arch, head: c.head, dtype: c.dtype, precision, ...compared });
        const { rawDiff, scoreDiff } = compared;
        const ok = scoreDiff <= SCORE_TOLERANCE[precision] && (precision !== 'fp32' || rawDiff <= RAW_TOLERANCE_FP32);
        r.check(
          `${name}, ${precision}`,
          ok,
          `outputs max |Δ| ${rawDiff.toExponential(2)}, scores max |Δ| ${scoreDiff.toExponential(2)} (2 rows, one right-padded); tolerance ${SCORE_TOLERANCE[precision]}`,
        );
      }
    }
  } finally {
    tmp.remove();
  }
  return { ok: r.done('PyTorch comparison of the import'), results };
}
