import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ort from 'onnxruntime-node';
import { OnnxCritic } from '../src/core/critics/onnx/critic';
import { defaultHostScript, OnnxRunner } from '../src/core/critics/onnx/runner';
import { halfToFloat } from '../src/core/critics/onnx/scores';
import { validateModelFolder } from '../src/core/critics/onnx/validate';
import { NativePieceTokenizer } from '../src/onnx-host/tokenizer';
import { PrmEngine } from '../src/onnx-host/engine';
import { buildDecoder, DecoderConfig } from '../test/support/onnx/decoder';
import { referenceForward } from '../test/support/onnx/reference';
import { lastRow, runSequence, softmax } from '../test/support/onnx/run';
import { tempDir } from '../test/support/onnx/tmp';
import { sentencePieceTokenizerJson } from '../test/support/onnx/tokenizer';
import { RandomWeights, WeightSource } from '../test/support/onnx/weights';

/**
 * Validation on a real trained network (not a unit test): Karpathy's TinyStories 260K Llama model from
 * ../shared/models/stories260k, in llama2.c's legacy checkpoint format, is converted to ONNX by the same graph
 * builder the tests use. Its greedy output must reproduce the published golden text exactly; then the converted
 * model scores a solution through the real pipeline as a tag-token PRM and as the policy of an implicit PRM.
 *
 * A second part runs a real onnxruntime-genai export (../shared/models/tiny-random-llama) through the same path.
 *
 * Run by bench/validate-models.ts (`npm run validate:models`).
 */

const BOS = 1;

// ---- llama2.c legacy checkpoint -------------------------------------------------------------------------------

interface Checkpoint {
  config: DecoderConfig;
  seqLen: number;
  weights: WeightSource;
}

/**
 * Header: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size (negative: classifier not shared), seq_len;
 * then float32 tensors, each [out, in] like Hugging Face's. llama2.c rotates interleaved pairs (2j, 2j+1) of each head;
 * the builder rotates halves (j, j + hd/2), so q and k rows are permuted per head, which leaves q·k unchanged.
 */
export function readLegacyCheckpoint(buf: Buffer): Checkpoint {
  const header = Array.from({ length: 7 }, (_, i) => buf.readInt32LE(4 * i));
  const [dim, hidden, layers, heads, kvHeads, signedVocab, seqLen] = header;
  const vocab = Math.abs(signedVocab);
  const shared = signedVocab > 0;
  const hd = dim / heads;
  const floats = new Float32Array(buf.buffer.slice(buf.byteOffset + 28, buf.byteOffset + buf.length));
  let offset = 0;
  const take = (n: number) => {
    const t = floats.subarray(offset, offset + n);
    offset += n;
    return t;
  };
  const embed = take(vocab * dim);
  const rmsAtt = take(layers * dim);
  const wq = take(layers * dim * heads * hd);
  const wk = take(layers * dim * kvHeads * hd);
  const wv = take(layers * dim * kvHeads * hd);
  const wo = take(layers * heads * hd * dim);
  const rmsFfn = take(layers * dim);
  const w1 = take(layers * dim * hidden);
  const w2 = take(layers * hidden * dim);
  const w3 = take(layers * dim * hidden);
  const rmsFinal = take(dim);
  take(seqLen * hd); // freq_cis_real and freq_cis_imag (seq_len × head_size/2 each): recomputed by the graph
  const classifier = shared ? embed : take(vocab * dim);
  if (offset !== floats.length)
    throw new Error(
      `checkpoint has ${floats.length - offset} unexpected trailing floats (not a legacy llama2.c checkpoint?)`,
    );

  const permuteHeads = (w: Float32Array, n: number) => {
    const out = new Float32Array(w.length);
    for (let h = 0; h < n; h++) {
      for (let j = 0; j < hd / 2; j++) {
        out.set(w.subarray((h * hd + 2 * j) * dim, (h * hd + 2 * j + 1) * dim), (h * hd + j) * dim);
        out.set(w.subarray((h * hd + 2 * j + 1) * dim, (h * hd + 2 * j + 2) * dim), (h * hd + hd / 2 + j) * dim);
      }
    }
    return out;
  };
  const layer = (all: Float32Array, l: number, size: number) => all.slice(l * size, (l + 1) * size);
  const weights: WeightSource = {
    tensor(name) {
      if (name === 'model.embed_tokens.weight') return embed.slice();
      if (name === 'lm_head.weight') return classifier.slice();
      if (name === 'model.norm.weight') return rmsFinal.slice();
      const m = /^model\.layers\.(\d+)\.(.+)$/.exec(name);
      if (!m) throw new Error(`stories260K has no tensor ${name}`);
      const l = Number(m[1]);
      switch (m[2]) {
        case 'input_layernorm.weight':
          return layer(rmsAtt, l, dim);
        case 'post_attention_layernorm.weight':
          return layer(rmsFfn, l, dim);
        case 'self_attn.q_proj.weight':
          return permuteHeads(layer(wq, l, dim * heads * hd), heads);
        case 'self_attn.k_proj.weight':
          return permuteHeads(layer(wk, l, dim * kvHeads * hd), kvHeads);
        case 'self_attn.v_proj.weight':
          return layer(wv, l, dim * kvHeads * hd);
        case 'self_attn.o_proj.weight':
          return layer(wo, l, heads * hd * dim);
        case 'mlp.gate_proj.weight':
          return layer(w1, l, dim * hidden);
        case 'mlp.down_proj.weight':
          return layer(w2, l, hidden * dim);
        case 'mlp.up_proj.weight':
          return layer(w3, l, dim * hidden);
        default:
          throw new Error(`stories260K has no tensor ${name}`);
      }
    },
  };
  const config: DecoderConfig = {
    vocab,
    hidden: dim,
    intermediate: hidden,
    layers,
    heads,
    kvHeads,
    ropeTheta: 10000,
    rmsEps: 1e-5,
    qkvBias: false,
    tieEmbeddings: shared,
    head: 'lm',
    positionIds: true,
  };
  return { config, seqLen, weights };
}

// ---- llama2.c tokenizer ----------------------------------------------------------------------------------------

export interface Llama2cVocab {
  pieces: string[];
  scores: number[];
}

/** tokenizer.bin: max_token_length (int32), then per token: score (float32), length (int32), UTF-8 bytes. */
export function readLlama2cTokenizer(buf: Buffer, vocabSize: number): Llama2cVocab {
  let pos = 4;
  const pieces: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < vocabSize; i++) {
    scores.push(buf.readFloatLE(pos));
    const length = buf.readInt32LE(pos + 4);
    pieces.push(buf.subarray(pos + 8, pos + 8 + length).toString('utf8'));
    pos += 8 + length;
  }
  if (pos !== buf.length) throw new Error(`tokenizer file has ${buf.length - pos} trailing bytes`);
  return { pieces, scores };
}

/** llama2.c's decode: strip the space after BOS, turn "<0xXX>" pieces into bytes. */
export function decodePiece(vocab: Llama2cVocab, previous: number, token: number): Buffer {
  let piece = vocab.pieces[token];
  if (previous === BOS && piece.startsWith(' ')) piece = piece.slice(1);
  const byte = /^<0x([0-9A-F]{2})>$/.exec(piece);
  return byte ? Buffer.from([parseInt(byte[1], 16)]) : Buffer.from(piece, 'utf8');
}

/** A port of llama2.c's encode: dummy-prefix space, code points (byte fallback), then best-score pair merges. */
export function llama2cEncode(vocab: Llama2cVocab, text: string): number[] {
  const lookup = new Map(vocab.pieces.map((p, i) => [p, i]));
  const tokens: number[] = [];
  if (text === '') return tokens;
  tokens.push(lookup.get(' ') as number);
  for (const ch of text) {
    const id = lookup.get(ch);
    if (id !== undefined) tokens.push(id);
    else for (const b of Buffer.from(ch, 'utf8')) tokens.push(b + 3);
  }
  for (;;) {
    let best = -1e10;
    let bestId = -1;
    let bestIndex = -1;
    for (let i = 0; i < tokens.length - 1; i++) {
      const id = lookup.get(vocab.pieces[tokens[i]] + vocab.pieces[tokens[i + 1]]);
      if (id !== undefined && vocab.scores[id] > best) {
        best = vocab.scores[id];
        bestId = id;
        bestIndex = i;
      }
    }
    if (bestIndex < 0) return tokens;
    tokens.splice(bestIndex, 2, bestId);
  }
}

/**
 * The same vocabulary as a Hugging Face tokenizer.json in Llama's SentencePiece-BPE layout ("▁" for spaces, byte
 * fallback), merges ranked by the merged piece's score, so PRM Lens's tokenizer path can run on this model.
 */
export function llama2cToTokenizerJson(vocab: Llama2cVocab): string {
  const specials = ['<unk>', '<s>', '</s>'];
  const pieces = vocab.pieces.map((p, i) => (i < 3 ? specials[i] : p.replace(/ /g, '▁')));
  const ids = new Map(pieces.map((p, i) => [p, i]));
  const merges: { left: string; right: string; score: number; id: number }[] = [];
  pieces.forEach((piece, id) => {
    if (id < 259) return;
    const chars = Array.from(piece);
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join('');
      const right = chars.slice(k).join('');
      if (ids.has(left) && ids.has(right)) merges.push({ left, right, score: vocab.scores[id], id });
    }
  });
  merges.sort((a, b) => b.score - a.score || a.id - b.id || (ids.get(a.left) as number) - (ids.get(b.left) as number));
  const merged = merges.map((m) => `${m.left} ${m.right}`);
  return sentencePieceTokenizerJson({ vocab: ids, merges: merged, specials, bos: false });
}

// ---- the checks ------------------------------------------------------------------------------------------------

/** The golden text in SOURCE.md: the backticked string after "must print exactly", with \n escapes. */
export function goldenText(sourceMd: string): string {
  const m = /must print exactly\s*`([^`]+)`/.exec(sourceMd);
  if (!m) throw new Error('SOURCE.md: no golden text after "must print exactly"');
  return m[1].replace(/\\n/g, '\n');
}

const STORY_PROBLEM = 'Once upon a time, there was a little girl named Lily';
const STORY_STEPS = [
  'She loved to play outside in the park',
  'One day, she saw a big, red ball',
  'She wanted to play with it, but it was too high',
];
const GARBLED_STEP = 'park the ball ball she to red a high was';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export async function validateStories260k(dir: string): Promise<boolean> {
  const checkpointFile = path.join(dir, 'stories260K.bin');
  if (!existsSync(checkpointFile)) {
    console.log(
      `stories260K validation: skipped (${checkpointFile} not found; it lives in ../shared/models/stories260k)`,
    );
    return true;
  }
  const checks: Check[] = [];
  const check = (name: string, ok: boolean, detail: string) => {
    checks.push({ name, ok, detail });
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  };
  console.log('stories260K validation (a real trained Llama through the test graph builder and the PRM pipeline):');
  const tmp = tempDir('stories260k');
  try {
    const { config, seqLen, weights } = readLegacyCheckpoint(readFileSync(checkpointFile));
    const vocab = readLlama2cTokenizer(readFileSync(path.join(dir, 'tok512.bin')), config.vocab);
    console.log(
      `  config: dim ${config.hidden}, hidden ${config.intermediate}, ${config.layers} layers, ${config.heads} heads (${config.kvHeads} kv), vocab ${config.vocab}, seq_len ${seqLen}`,
    );

    const model = path.join(tmp.dir, 'prm', 'model.onnx');
    mkdirSync(path.dirname(model), { recursive: true });
    buildDecoder(config, weights).save(model);
    const session = await ort.InferenceSession.create(model);

    // 1. The graph against a loop-by-loop forward pass of the same weights.
    const idOf = (piece: string) => vocab.pieces.indexOf(piece);
    const [she, he] = [idOf(' She'), idOf(' He')];
    const probe = [BOS, idOf(' Lily'), idOf(' was'), she, idOf('.')];
    const onnxLogits = (await runSequence(session, probe)).data;
    const reference = referenceForward(config, weights, probe);
    let diff = 0;
    reference.forEach((row, t) =>
      row.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - onnxLogits[t * config.vocab + i])))),
    );
    check(
      'ONNX logits = reference forward pass',
      diff < 1e-3,
      `max |Δ| ${diff.toExponential(2)} over ${probe.length} positions`,
    );

    // 2. Greedy decoding of 200 tokens from BOS reproduces llama2.c's published output.
    const t0 = performance.now();
    const tokens = [BOS];
    const bytes: Buffer[] = [];
    for (let step = 0; step < 200; step++) {
      const logits = lastRow(await runSequence(session, tokens));
      let next = 0;
      for (let i = 1; i < logits.length; i++) if (logits[i] > logits[next]) next = i;
      if (next === BOS) break;
      bytes.push(decodePiece(vocab, tokens[tokens.length - 1], next));
      tokens.push(next);
    }
    const text = Buffer.concat(bytes).toString('utf8');
    const golden = goldenText(readFileSync(path.join(dir, 'SOURCE.md'), 'utf8'));
    const firstDiff = [...golden].findIndex((c, i) => text[i] !== c);
    check(
      'greedy 200 tokens = golden text',
      text === golden,
      text === golden
        ? `${tokens.length - 1} tokens in ${(performance.now() - t0).toFixed(0)} ms, identical (${golden.length} characters)`
        : `differs at character ${firstDiff}: …${JSON.stringify(text.slice(Math.max(0, firstDiff - 20), firstDiff + 20))}`,
    );

    // 3. The converted tokenizer.json encodes like llama2.c's encoder.
    const tokenizerJson = llama2cToTokenizerJson(vocab);
    writeFileSync(path.join(tmp.dir, 'prm', 'tokenizer.json'), tokenizerJson);
    const { Tokenizer } = await import('@anush008/tokenizers');
    const hf = Tokenizer.fromString(tokenizerJson);
    const samples = [golden.replace(/\n/g, ' '), STORY_PROBLEM, ...STORY_STEPS, GARBLED_STEP, 'Ünïcödé 🙂 数学'];
    let same = 0;
    for (const s of samples) {
      const a = (await hf.encode(s, null, { addSpecialTokens: false })).getIds();
      if (JSON.stringify(a) === JSON.stringify(llama2cEncode(vocab, s))) same++;
    }
    check(
      'tokenizer.json = llama2.c encode',
      same === samples.length,
      `${same}/${samples.length} texts give identical ids`,
    );

    // 4. A tag-token PRM: at each "." after a step, p(" She") vs p(" He") for the next sentence.
    const prmDir = path.dirname(model);
    const layout = { template: '<s>{problem}. ', stepSeparator: ' ', maxTokens: seqLen };
    writeFileSync(
      path.join(prmDir, 'prm.json'),
      JSON.stringify({
        name: 'stories260K tag-token',
        family: 'tag-token',
        ...layout,
        stepTag: '.',
        positiveToken: '▁She',
        negativeToken: '▁He',
      }),
    );
    const critic = new OnnxCritic({ id: 'stories-tag', type: 'onnx', path: prmDir, threads: 1 });
    try {
      const result = await critic.score({ problem: STORY_PROBLEM, steps: STORY_STEPS });
      const engine = await PrmEngine.load(prmDir);
      const { sequences } = await engine.prepare([{ problem: STORY_PROBLEM, steps: STORY_STEPS }]);
      await engine.release();
      const whole = [BOS, ...llama2cEncode(vocab, `${STORY_PROBLEM}. ${STORY_STEPS.join('. ')}.`)];
      check(
        'input ids = llama2.c whole-story encode',
        JSON.stringify(sequences[0].ids) === JSON.stringify(whole),
        `${sequences[0].ids.length} tokens, step tags at ${sequences[0].reads.join(', ')}`,
      );
      let worst = 0;
      for (const [k, position] of sequences[0].reads.entries()) {
        const logits = lastRow(await runSequence(session, sequences[0].ids.slice(0, position + 1)));
        worst = Math.max(worst, Math.abs(softmax([logits[she], logits[he]])[0] - (result.steps[k].score as number)));
      }
      check(
        'tag-token one pass = prefix runs',
        worst < 1e-5,
        `max |Δ| ${worst.toExponential(2)}; p(She) per step ${result.steps.map((s) => s.score?.toFixed(3)).join(', ')}`,
      );
      check(
        'tag-token reads a story about Lily as "She"',
        result.steps.every((s) => (s.score as number) > 0.5),
        'a trained model expects "She" after sentences about a girl',
      );
    } finally {
      critic.dispose();
    }

    // 5. Implicit PRM with stories260K as the policy: against itself (reward 0) and against an untrained copy.
    const same_ = path.join(tmp.dir, 'implicit-same');
    const random = path.join(tmp.dir, 'implicit-random');
    for (const [folder, referenceWeights] of [
      [same_, weights],
      [random, new RandomWeights(5, 0.05)],
    ] as const) {
      mkdirSync(path.join(folder, 'reference'), { recursive: true });
      buildDecoder(config, weights).save(path.join(folder, 'model.onnx'));
      buildDecoder(config, referenceWeights).save(path.join(folder, 'reference', 'model.onnx'));
      writeFileSync(path.join(folder, 'tokenizer.json'), tokenizerJson);
      writeFileSync(
        path.join(folder, 'prm.json'),
        JSON.stringify({ family: 'implicit', ...layout, referenceModel: 'reference/model.onnx', beta: 1 }),
      );
    }
    const steps = [...STORY_STEPS.slice(0, 2), GARBLED_STEP];
    const runner = (folder: string) =>
      new OnnxRunner({ folder, hostScript: defaultHostScript(), threads: () => 1, idleMs: () => 0 });
    const selfRunner = runner(same_);
    const randomRunner = runner(random);
    try {
      const [self] = await selfRunner.score([{ problem: STORY_PROBLEM, steps }]);
      check(
        'implicit, policy = reference',
        self.steps.every((s) => s.raw === 0 && s.score === 0.5),
        `rewards ${self.steps.map((s) => s.raw).join(', ')}`,
      );
      const [vsRandom] = await randomRunner.score([{ problem: STORY_PROBLEM, steps }]);
      const perToken = vsRandom.steps.map((s) => (s.raw as number) / s.tokens);
      check(
        'implicit, trained policy vs untrained reference',
        perToken[0] > perToken[2] && perToken[1] > perToken[2] && perToken[0] > 0 && perToken[1] > 0,
        `reward per token: fluent steps ${perToken[0].toFixed(2)}, ${perToken[1].toFixed(2)}; garbled step ${perToken[2].toFixed(2)}`,
      );
    } finally {
      selfRunner.dispose();
      randomRunner.dispose();
    }
    await session.release();
  } finally {
    tmp.remove();
  }
  const failed = checks.filter((c) => !c.ok);
  console.log(
    failed.length === 0
      ? `stories260K validation: all ${checks.length} checks passed`
      : `stories260K validation: ${failed.length} of ${checks.length} checks FAILED`,
  );
  return failed.length === 0;
}

/** Runs a graph with float16 KV-cache inputs (an onnxruntime-genai export) on one sequence, cache empty. */
async function runFp16Export(session: ort.InferenceSession, ids: readonly number[]): Promise<number[]> {
  const T = ids.length;
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from(ids, (v) => BigInt(v)),
      [1, T],
    ),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(T).fill(1n), [1, T]),
    position_ids: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: T }, (_, i) => BigInt(i)),
      [1, T],
    ),
  };
  for (const m of session.inputMetadata) {
    if (m.isTensor && m.name.startsWith('past_key_values'))
      feeds[m.name] = new ort.Tensor('float16', new Uint16Array(0), [1, m.shape[1] as number, 0, m.shape[3] as number]);
  }
  const out = (await session.run(feeds, ['logits'])).logits;
  const V = out.dims[2];
  return Array.from(halfToFloat((out.data as Uint16Array).subarray((T - 1) * V, T * V)));
}

/**
 * A real export: the float16 tiny-random Llama from onnxruntime-genai (KV-cache inputs, a real 32k SentencePiece
 * tokenizer) as a Math-Shepherd-style tag-token PRM. Its weights are random, so only the plumbing is checked.
 */
export async function validateGenaiExport(dir: string): Promise<boolean> {
  if (!existsSync(path.join(dir, 'model.onnx'))) {
    console.log(`tiny-random-llama validation: skipped (${dir} not found)`);
    return true;
  }
  console.log(
    'tiny-random-llama validation (an onnxruntime-genai float16 export with a KV cache and a real Llama tokenizer):',
  );
  let failures = 0;
  let total = 0;
  const check = (name: string, ok: boolean, detail: string) => {
    total++;
    if (!ok) failures++;
    console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  };
  const tmp = tempDir('genai-export');
  try {
    for (const f of ['model.onnx', 'model.onnx.data', 'tokenizer.json'])
      // Copied, not linked: a model folder's files must be inside it (links out of it are refused).
      copyFileSync(path.join(dir, f), path.join(tmp.dir, f));
    writeFileSync(
      path.join(tmp.dir, 'prm.json'),
      JSON.stringify({
        family: 'tag-token',
        template: '{problem} ',
        stepTag: ' ки',
        stepSeparator: '\n',
        positiveToken: '+',
        negativeToken: '-',
        maxTokens: 2048,
      }),
    );
    const report = await validateModelFolder(tmp.dir, async (file) => NativePieceTokenizer.fromFile(file));
    check(
      'folder validates',
      report.problems.length === 0,
      report.problems.join('; ') || 'fp16 logits, past_key_values.* inputs fed empty',
    );

    const problem =
      'Janet’s ducks lay 16 eggs per day. She eats three 🙂 and bakes muffins with four (数学). How much does she make?';
    const steps = [
      'Step 1: Janet sells 16 - 3 - 4 = 9 duck eggs a day.',
      'Step 2: She makes 9 * 2 = $18 every day at the farmer’s market.',
      'The answer is: 18',
    ];
    const runner = new OnnxRunner({
      folder: tmp.dir,
      hostScript: defaultHostScript(),
      threads: () => 1,
      idleMs: () => 0,
    });
    const engine = await PrmEngine.load(tmp.dir);
    const session = await ort.InferenceSession.create(path.join(dir, 'model.onnx'));
    try {
      const { Tokenizer } = await import('@anush008/tokenizers');
      const llama = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
      const whole = await llama.encode(`${problem} ${steps.map((s) => `${s} ки`).join('\n')}`, null, {
        addSpecialTokens: false,
      });
      const { sequences } = await engine.prepare([{ problem, steps }]);
      check(
        'input ids = whole Math-Shepherd string',
        JSON.stringify(sequences[0].ids) === JSON.stringify(whole.getIds()),
        `${sequences[0].ids.length} tokens, tags (▁ки) at ${sequences[0].reads.join(', ')}`,
      );
      check(
        'spans cover each step (emoji, CJK)',
        sequences[0].spans.every((sp, k) => sp[0][0] === 0 && sp.at(-1)?.[1] === steps[k].length),
        'UTF-16 offsets from code point offsets',
      );

      const [result] = await runner.score([{ problem, steps }]);
      const [plus, minus] = [llama.tokenToId('+') as number, llama.tokenToId('-') as number];
      let worst = 0;
      for (const [k, position] of sequences[0].reads.entries()) {
        const logits = await runFp16Export(session, sequences[0].ids.slice(0, position + 1));
        worst = Math.max(
          worst,
          Math.abs(softmax([logits[plus], logits[minus]])[0] - (result.steps[k].score as number)),
        );
      }
      check('one pass = prefix runs (float16)', worst < 2e-3, `max |Δ| ${worst.toExponential(2)}`);
      const other = { problem: 'What is 2 + 2?', steps: ['2 + 2 = 4'] };
      const batch = await runner.score([{ problem, steps }, other]);
      const [alone] = await runner.score([other]);
      const drift = Math.max(
        ...batch[0].steps.map((s, k) => Math.abs((s.score as number) - (result.steps[k].score as number))),
        Math.abs((batch[1].steps[0].score as number) - (alone.steps[0].score as number)),
      );
      check('padded batch = single runs (float16)', drift < 2e-3, `max |Δ| ${drift.toExponential(2)}`);
    } finally {
      runner.dispose();
      await engine.release();
      await session.release();
    }
  } finally {
    tmp.remove();
  }
  console.log(
    failures === 0
      ? `tiny-random-llama validation: all ${total} checks passed`
      : `tiny-random-llama validation: ${failures} of ${total} checks FAILED`,
  );
  return failures === 0;
}
