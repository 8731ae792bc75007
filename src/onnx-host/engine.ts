import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { padRight, PaddedBatch, planBatches } from '../core/critics/onnx/batch';
import { resolveSpecTokens } from '../core/critics/onnx/folder';
import { layoutPieces, ResolvedTokens } from '../core/critics/onnx/layout';
import { ModelInfo, Progress, SolutionInput, SolutionScores, StepScore } from '../core/critics/onnx/protocol';
import { halfToFloat, labelProbability, OutputTensor, sigmoid, tokenLogProbs, tokenPairProbability, valueAt } from '../core/critics/onnx/scores';
import { assemble, Fitted, fitToContext, PieceText, pieceTexts, Sequence } from '../core/critics/onnx/sequence';
import { Encoded } from '../core/critics/onnx/tokens';
import { FeedPlan, GraphSignature, planFeeds } from '../core/critics/onnx/signature';
import { PrmSpec } from '../core/critics/onnx/spec';
import { validateModelFolder } from '../core/critics/onnx/validate';
import { NativePieceTokenizer } from './tokenizer';

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
  const info = (m: ort.InferenceSession.ValueMetadata) => ({ name: m.name, type: m.isTensor ? m.type : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] });
  return { inputs: session.inputMetadata.map(info), outputs: session.outputMetadata.map(info) };
}

/** A loaded PRM: tokenizer, resolved tokens and sessions, ready to score batches of solutions in one pass each. */
export class PrmEngine {
  private constructor(
    readonly folder: string,
    readonly spec: PrmSpec,
    private readonly tokenizer: NativePieceTokenizer,
    private readonly tokens: ResolvedTokens,
    private readonly main: Graph,
    private readonly reference: Graph | undefined,
  ) {}

  static async load(folder: string, options: EngineOptions = {}): Promise<PrmEngine> {
    // The same checks as "Add Local Model…", so a folder that breaks later fails with the same precise messages.
    let tokenizer: NativePieceTokenizer | undefined;
    const report = await validateModelFolder(folder, async (file) => (tokenizer = NativePieceTokenizer.fromFile(file)));
    if (report.problems.length > 0 || !report.spec || !tokenizer) throw new ModelLoadError(report.problems.join('\n'));
    const spec = report.spec;
    const tokens = await resolveSpecTokens(spec, tokenizer, tokenizer.vocabSize);
    const needTokens = [tokens.positive, tokens.negative].filter((t): t is number => t !== undefined);
    const open = async (relative: string): Promise<Graph> => {
      const file = path.join(folder, relative);
      let session: ort.InferenceSession;
      try {
        session = await ort.InferenceSession.create(file, sessionOptions(options.threads ?? 0));
      } catch (err) {
        throw new ModelLoadError(`${file}: onnxruntime cannot load it: ${(err as Error).message}`);
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
    return new PrmEngine(folder, spec, tokenizer, tokens, main, reference);
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

  /** Builds each solution's token ids piece by piece and applies the context policy. */
  async prepare(solutions: readonly SolutionInput[]): Promise<{ sequences: Sequence[]; fitted: Fitted[] }> {
    const layouts = solutions.map((s) => layoutPieces(this.spec, this.tokens, s.problem, s.steps));
    const special = (text: string) => this.tokenizer.isSpecialOnly(text);
    const wanted = layouts.flatMap((pieces) => pieceTexts(pieces, special)).filter((t): t is PieceText => t !== undefined);
    const key = (t: PieceText) => `${t.continuation ? 'c' : 's'}:${t.text}`;
    const encoded = new Map<string, Encoded>();
    for (const continuation of [false, true]) {
      const texts = [...new Set(wanted.filter((t) => t.continuation === continuation).map((t) => t.text))];
      (await this.tokenizer.encode(texts, continuation)).forEach((e, i) => encoded.set(key({ text: texts[i], continuation }), e));
    }
    const sequences = layouts.map((pieces, i) => assemble(pieces, solutions[i].steps.length, (t) => encoded.get(key(t)) ?? { ids: [], spans: [] }, special));
    return { sequences, fitted: sequences.map((s) => fitToContext(s, this.spec.family, this.spec.maxTokens)) };
  }

  /** Scores every step of every solution: one forward pass per batch of solutions. */
  async score(solutions: readonly SolutionInput[], onProgress: (p: Progress) => void = () => undefined): Promise<SolutionScores[]> {
    const { sequences, fitted } = await this.prepare(solutions);
    const total = fitted.reduce((n, f) => n + f.ids.length, 0);
    onProgress({ stage: 'tokenizing', tokens: total, message: `${total} tokens in ${solutions.length} solution${solutions.length === 1 ? '' : 's'}` });

    const results: SolutionScores[] = solutions.map((s, i) => ({
      steps: s.steps.map((_, k) => ({ score: null, tokens: rangeLength(sequences[i], k), note: beyondContext(fitted[i], k, this.spec.maxTokens, s.steps.length) })),
      tokens: fitted[i].ids.length,
      fullTokens: fitted[i].fullLength,
    }));
    const batches = planBatches(fitted.map((f) => f.ids.length), this.spec.batchSize, this.outputWidth(), MAX_OUTPUT_ELEMENTS);
    for (const [n, rows] of batches.entries()) {
      const batch = padRight(rows.map((i) => fitted[i].ids), 0);
      onProgress({ stage: 'running', batch: n + 1, batches: batches.length, tokens: batch.rows * batch.length, message: `forward pass ${n + 1}/${batches.length}: ${rows.reduce((t, i) => t + fitted[i].ids.length, 0)} tokens` });
      const readers = rows.map((i, row) => ({ row, seq: sequences[i], texts: solutions[i].steps, scored: fitted[i].scored, out: results[i].steps }));
      if (this.spec.family === 'implicit') await this.readImplicit(batch, readers);
      else this.readAtPositions(await this.run(this.main, batch), readers);
    }
    return results;
  }

  private outputWidth(): number {
    const last = this.main.plan.output.shape[this.main.plan.output.shape.length - 1];
    if (typeof last === 'number') return last;
    return this.spec.family === 'token-classification' || this.spec.family === 'value-head' ? 1 : this.tokenizer.vocabSize;
  }

  private readAtPositions(out: OutputTensor, readers: Reader[]): void {
    const { spec, tokens } = this;
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
        steps[k] = { ...steps[k], score: clamp01(score), raw, position, note: undefined };
      }
    }
  }

  /** Implicit PRM: step reward = β · Σ over the step's tokens of log π(token) − log π_ref(token). */
  private async readImplicit(batch: PaddedBatch, readers: Reader[]): Promise<void> {
    const policy = await this.run(this.main, batch);
    const logProbs = readers.map(({ row, seq, scored }) => seq.ranges.slice(0, scored).map(([s, e]) => tokenLogProbs(policy, row, seq.ids, s, e)));
    const reference = await this.run(this.reference as Graph, batch);
    readers.forEach(({ row, seq, texts, scored, out: steps }, r) => {
      for (let k = 0; k < scored; k++) {
        const [start, end] = seq.ranges[k];
        const refLogProbs = tokenLogProbs(reference, row, seq.ids, start, end);
        let sum = 0;
        let worst = -1;
        logProbs[r][k].forEach((lp, t) => {
          const ratio = lp - refLogProbs[t];
          sum += ratio;
          if (worst < 0 || ratio < logProbs[r][k][worst] - refLogProbs[worst]) worst = t;
        });
        const reward = this.spec.beta * sum;
        const span = seq.spans[k][worst];
        steps[k] = {
          ...steps[k],
          score: sigmoid(reward),
          raw: reward,
          position: end - 1,
          note: span ? `token least favoured by the policy over the reference: ${JSON.stringify(texts[k].slice(span[0], span[1]))} (log-ratio ${(logProbs[r][k][worst] - refLogProbs[worst]).toFixed(3)})` : undefined,
        };
      }
    });
  }

  private async run(graph: Graph, batch: PaddedBatch): Promise<OutputTensor> {
    const { plan } = graph;
    const dims = [batch.rows, batch.length];
    const ints = (values: number[], type: 'int64' | 'int32') =>
      type === 'int64' ? new ort.Tensor('int64', BigInt64Array.from(values, (v) => BigInt(v)), dims) : new ort.Tensor('int32', Int32Array.from(values), dims);
    const feeds: Record<string, ort.Tensor> = { input_ids: ints(batch.ids, plan.idsType) };
    if (plan.attentionMask) feeds.attention_mask = ints(batch.mask, plan.attentionMask);
    if (plan.positionIds) feeds.position_ids = ints(batch.positions, plan.positionIds);
    if (plan.tokenTypeIds) feeds.token_type_ids = ints(new Array<number>(batch.ids.length).fill(0), plan.tokenTypeIds);
    for (const p of plan.past) {
      feeds[p.name] = p.type === 'float16' ? new ort.Tensor('float16', new Uint16Array(0), [batch.rows, p.kvHeads, 0, p.headDim]) : new ort.Tensor('float32', new Float32Array(0), [batch.rows, p.kvHeads, 0, p.headDim]);
    }
    if (plan.useCacheBranch) feeds[plan.useCacheBranch] = new ort.Tensor('bool', [false], [1]);
    const result = await graph.session.run(feeds, [plan.output.name]);
    const tensor = result[plan.output.name];
    if (tensor.dims[0] !== batch.rows || tensor.dims[1] !== batch.length) {
      throw new Error(`${graph.file}: output "${plan.output.name}" came back with shape [${tensor.dims.join(', ')}] for an input of [${dims.join(', ')}]; expected [batch, sequence, …]`);
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

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}
