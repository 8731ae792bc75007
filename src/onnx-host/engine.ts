import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { padRight, PaddedBatch, planBatches } from '../core/critics/onnx/batch';
import { ModelInfo, Progress, SolutionInput, SolutionScores, StepScore } from '../core/critics/onnx/protocol';
import {
  halfToFloat,
  labelProbability,
  OutputTensor,
  sigmoid,
  tokenLogProbs,
  tokenPairProbability,
  valueAt,
} from '../core/critics/onnx/scores';
import { Fitted, Sequence, tokenTexts } from '../core/critics/onnx/sequence';
import { FeedPlan, GraphSignature, planFeeds } from '../core/critics/onnx/signature';
import { PrmSpec } from '../core/critics/onnx/spec';
import { validateModelFolder } from '../core/critics/onnx/validate';
import { InputBuilder } from './inputs';
import { NativePieceTokenizer } from './tokenizer';
import { errorMessage } from '../core/util/errors';

/** Output values one forward pass may produce (rows × length × width): 256 Mi floats = 1 GiB. */
const MAX_OUTPUT_ELEMENTS = 256 * 1024 * 1024;

export interface EngineOptions {
  /** Threads for one forward pass (onnxruntime's intra-op threads); 0 lets onnxruntime choose. */
  threads?: number;
}

interface Graph {
  file: string;
  session: ort.InferenceSession;
  plan: FeedPlan;
}

export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

/**
 * How the host runs graphs. `threads` 0 lets onnxruntime pick (one per physical core). Worker threads do not spin
 * between operators: a process in the background of an editor must not keep cores busy after a run, and on a machine
 * that is doing other work spinning threads slow each other down.
 */
export function sessionOptions(threads: number): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    extra: { session: { intra_op: { allow_spinning: '0' } } },
  };
}

export function signatureOf(session: ort.InferenceSession): GraphSignature {
  const info = (m: ort.InferenceSession.ValueMetadata) => ({
    name: m.name,
    type: m.isTensor ? m.type : 'non-tensor',
    shape: m.isTensor ? [...m.shape] : [],
  });
  return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
}

/** A loaded PRM: tokenizer, resolved tokens and sessions, ready to score batches of solutions in one pass each. */
export class PrmEngine {
  private constructor(
    readonly folder: string,
    readonly spec: PrmSpec,
    private readonly tokenizer: NativePieceTokenizer,
    private readonly inputs: InputBuilder,
    private readonly main: Graph,
    private readonly reference: Graph | undefined,
  ) {}

  static async load(folder: string, options: EngineOptions = {}): Promise<PrmEngine> {
    // The same checks as "Add Local Model…", so a folder that breaks later fails with the same precise messages.
    let tokenizer: NativePieceTokenizer | undefined;
    const report = await validateModelFolder(folder, async (file) => (tokenizer = NativePieceTokenizer.fromFile(file)));
    if (report.problems.length > 0 || !report.spec || !tokenizer) throw new ModelLoadError(report.problems.join('\n'));
    const spec = report.spec;
    const inputs = await InputBuilder.create(folder, spec, tokenizer).catch((err: Error) => {
      throw new ModelLoadError(err.message);
    });
    const { tokens } = inputs.context;
    const needTokens = [tokens.positive, tokens.negative].filter((t): t is number => t !== undefined);
    const open = async (relative: string): Promise<Graph> => {
      const file = path.join(folder, relative);
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(file, sessionOptions(options.threads ?? 0));
      } catch (err) {
        throw new ModelLoadError(`${file}: onnxruntime cannot load it: ${errorMessage(err)}`);
      }
      const { plan, problems } = planFeeds(spec, signatureOf(session), file, needTokens);
      if (!plan) {
        await session.release();
        throw new ModelLoadError(problems.join('\n'));
      }
      return { file, session, plan };
    };
    const main = await open(spec.model);
    const reference = spec.referenceModel
      ? await open(spec.referenceModel).catch(async (err: unknown) => {
          await main.session.release();
          throw err;
        })
      : undefined;
    return new PrmEngine(folder, spec, tokenizer, inputs, main, reference);
  }

  info(): ModelInfo {
    return {
      name: this.spec.name ?? path.basename(this.folder),
      family: this.spec.family,
      maxTokens: this.spec.maxTokens,
      threshold: this.spec.threshold,
      inputs: this.main.session.inputNames.slice(),
      output: this.main.plan.output.name,
    };
  }

  /** Each solution's token ids, read positions and step ranges, and what of it fits the model's context. */
  prepare(solutions: readonly SolutionInput[]): Promise<{ sequences: Sequence[]; fitted: Fitted[] }> {
    return this.inputs.prepare(solutions);
  }

  /** Scores every step of every solution: one forward pass per batch of solutions. */
  async score(
    solutions: readonly SolutionInput[],
    onProgress: (p: Progress) => void = () => undefined,
  ): Promise<SolutionScores[]> {
    const { sequences, fitted } = await this.prepare(solutions);
    const total = fitted.reduce((n, f) => n + f.ids.length, 0);
    onProgress({
      stage: 'tokenizing',
      tokens: total,
      message: `${total} tokens in ${solutions.length} solution${solutions.length === 1 ? '' : 's'}`,
    });

    const results: SolutionScores[] = solutions.map((s, i) => ({
      steps: s.steps.map((_, k) => ({
        score: null,
        tokens: rangeLength(sequences[i], k),
        note: beyondContext(fitted[i], k, this.spec.maxTokens, s.steps.length),
      })),
      tokens: fitted[i].ids.length,
      fullTokens: fitted[i].fullLength,
      input: inputText(sequences[i], fitted[i].ids.length),
    }));
    const batches = planBatches(
      fitted.map((f) => f.ids.length),
      this.spec.batchSize,
      this.outputWidth(),
      MAX_OUTPUT_ELEMENTS,
    );
    for (const [n, rows] of batches.entries()) {
      const batch = padRight(
        rows.map((i) => fitted[i].ids),
        0,
      );
      onProgress({
        stage: 'running',
        batch: n + 1,
        batches: batches.length,
        tokens: batch.rows * batch.length,
        message: `forward pass ${n + 1}/${batches.length}: ${rows.reduce((t, i) => t + fitted[i].ids.length, 0)} tokens`,
      });
      const readers = rows.map((i, row) => ({
        row,
        seq: sequences[i],
        texts: solutions[i].steps,
        scored: fitted[i].scored,
        out: results[i].steps,
      }));
      if (this.spec.family === 'implicit') await this.readImplicit(batch, readers);
      else this.readAtPositions(await this.run(this.main, batch), readers);
    }
    return results;
  }

  private outputWidth(): number {
    const last = this.main.plan.output.shape[this.main.plan.output.shape.length - 1];
    if (typeof last === 'number') return last;
    return this.spec.family === 'token-classification' || this.spec.family === 'value-head'
      ? 1
      : this.tokenizer.vocabSize;
  }

  private readAtPositions(out: OutputTensor, readers: Reader[]): void {
    const { spec } = this;
    const { tokens } = this.inputs.context;
    for (const { row, seq, scored, out: steps } of readers) {
      for (let k = 0; k < scored; k++) {
        const position = seq.reads[k];
        if (position < 0) {
          steps[k].note = 'no token precedes the place this step is scored at';
          continue;
        }
        let score: number;
        let raw: number;
        if (spec.family === 'token-classification') {
          const label = labelProbability(out, row, position, spec.positiveLabel);
          score = label.probability;
          raw = label.logOdds;
        } else if (spec.family === 'value-head') {
          raw = valueAt(out, row, position);
          score = spec.activation === 'sigmoid' ? sigmoid(raw) : raw;
        } else {
          const pair = tokenPairProbability(out, row, position, tokens.positive as number, tokens.negative as number);
          score = pair.probability;
          raw = pair.margin;
        }
        steps[k] = { ...steps[k], score: clamp01(score), raw, position, note: seq.notes[k] };
      }
    }
  }

  /**
   * Implicit PRM: step reward = β · Σ of log π(token) − log π_ref(token) over the tokens of `sums` (the step's own
   * tokens, or the card's running total). Log-ratios are computed once per token, from the first summed token on.
   */
  private async readImplicit(batch: PaddedBatch, readers: Reader[]): Promise<void> {
    const spans = readers.map(({ seq, scored }): [number, number] => {
      const sums = seq.sums.slice(0, scored);
      // A loop, not Math.min(...sums): one argument per step overflows the stack past ~120,000 steps.
      let lo = Infinity;
      let hi = -Infinity;
      for (const [s, e] of sums) {
        lo = Math.min(lo, s);
        hi = Math.max(hi, e);
      }
      return sums.length === 0 ? [0, 0] : [lo, hi];
    });
    const policy = await this.run(this.main, batch);
    const logProbs = readers.map(({ row, seq }, r) => tokenLogProbs(policy, row, seq.ids, spans[r][0], spans[r][1]));
    const reference = await this.run(this.reference as Graph, batch);
    const cumulative = this.spec.rewardMode === 'cumulative';
    readers.forEach(({ row, seq, texts, scored, out: steps }, r) => {
      const [lo, hi] = spans[r];
      const refLogProbs = tokenLogProbs(reference, row, seq.ids, lo, hi);
      const ratio = (t: number) => logProbs[r][t - lo] - refLogProbs[t - lo];
      for (let k = 0; k < scored; k++) {
        const [start, end] = seq.sums[k];
        let sum = 0;
        for (let t = start; t < end; t++) sum += ratio(t);
        const reward = this.spec.beta * sum;
        const notes: string[] = [];
        // The step's own token the policy favours least compared with the reference.
        const [own, ownEnd] = seq.ranges[k];
        let worst = -1;
        for (let t = Math.max(own, lo); t < Math.min(ownEnd, hi); t++) {
          if (worst < 0 || ratio(t) < ratio(worst)) worst = t;
        }
        const span = worst < 0 ? undefined : seq.spans[k][worst - own];
        if (span) {
          const token = JSON.stringify(texts[k].slice(span[0], span[1]));
          const logRatio = ratio(worst).toFixed(3);
          notes.push(`token least favoured by the policy over the reference: ${token} (log-ratio ${logRatio})`);
        }
        if (cumulative) {
          const past = end - ownEnd;
          const tokens = `${past} token${past === 1 ? '' : 's'}`;
          const beyond = past > 0 ? `; the sum runs ${tokens} past this step: ${tokenTexts(seq, ownEnd, end)}` : '';
          notes.push(`running total over tokens ${start}–${end - 1}, as the EurusPRM card sums it${beyond}`);
        }
        if (seq.notes[k]) notes.push(seq.notes[k] as string);
        const note = notes.length > 0 ? notes.join('; ') : undefined;
        steps[k] = { ...steps[k], score: sigmoid(reward), raw: reward, position: end - 1, note };
      }
    });
  }

  private async run(graph: Graph, batch: PaddedBatch): Promise<OutputTensor> {
    const { plan } = graph;
    const dims = [batch.rows, batch.length];
    const ints = (values: number[], type: 'int64' | 'int32') =>
      type === 'int64'
        ? new ort.Tensor(
            'int64',
            BigInt64Array.from(values, (v) => BigInt(v)),
            dims,
          )
        : new ort.Tensor('int32', Int32Array.from(values), dims);
    const feeds: Record<string, ort.Tensor> = { input_ids: ints(batch.ids, plan.idsType) };
    if (plan.attentionMask) feeds.attention_mask = ints(batch.mask, plan.attentionMask);
    if (plan.positionIds) feeds.position_ids = ints(batch.positions, plan.positionIds);
    if (plan.tokenTypeIds) feeds.token_type_ids = ints(new Array<number>(batch.ids.length).fill(0), plan.tokenTypeIds);
    for (const p of plan.past) {
      feeds[p.name] =
        p.type === 'float16'
          ? new ort.Tensor('float16', new Uint16Array(0), [batch.rows, p.kvHeads, 0, p.headDim])
          : new ort.Tensor('float32', new Float32Array(0), [batch.rows, p.kvHeads, 0, p.headDim]);
    }
    if (plan.useCacheBranch) feeds[plan.useCacheBranch] = new ort.Tensor('bool', [false], [1]);
    const result = await graph.session.run(feeds, [plan.output.name]);
    const tensor = result[plan.output.name];
    if (tensor.dims[0] !== batch.rows || tensor.dims[1] !== batch.length) {
      throw new Error(
        `${graph.file}: output "${plan.output.name}" came back with shape [${tensor.dims.join(', ')}] for an input of [${dims.join(', ')}]; expected [batch, sequence, …]`,
      );
    }
    const data = tensor.type === 'float16' ? halfToFloat(tensor.data as Uint16Array) : (tensor.data as Float32Array);
    return { data, dims: tensor.dims };
  }

  async release(): Promise<void> {
    await this.main.session.release();
    await this.reference?.session.release();
  }
}

interface Reader {
  row: number;
  seq: Sequence;
  texts: readonly string[];
  scored: number;
  out: StepScore[];
}

function rangeLength(seq: Sequence, step: number): number {
  const [s, e] = seq.ranges[step];
  return e - s;
}

function beyondContext(fitted: Fitted, step: number, maxTokens: number, steps: number): string | undefined {
  if (step < fitted.scored) return undefined;
  const from = fitted.scored + 1;
  return `not scored: the solution needs ${fitted.fullLength} tokens and the model takes ${maxTokens} ("maxTokens" in prm.json); steps ${from}–${steps} do not fit`;
}

/** The text of the first `length` tokens of the input: exactly what was scored. */
function inputText(seq: Sequence, length: number): string {
  let end = 0;
  for (let t = 0; t < length; t++) end = Math.max(end, seq.ends[t]);
  return seq.text.slice(0, end);
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
