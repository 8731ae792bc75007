import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OnnxGraph } from '../onnx-format/graph';
import { Checkpoint } from './checkpoint';
import { DecoderSpec, HeadKind, parseDecoderConfig } from './config';
import { chooseWeights, CpuFlagsReader, readCpuFlags } from './cpu';
import { buildImportedGraph, planHead, tensorNames, WeightFormat } from './graph';
import { choosePreset, findPresetsDir } from './preset';
import { CheckpointError } from './safetensors';

export { CheckpointError } from './safetensors';
export type { HeadKind } from './config';
export type { WeightFormat } from './graph';
export { chooseWeights, readCpuFlags } from './cpu';

/**
 * Imports a Hugging Face model folder (config.json, safetensors shards, tokenizer files) as a PRM Lens model folder:
 * model.onnx + model.onnx.data built from the checkpoint one tensor at a time, the tokenizer files copied, and the
 * matching preset's prm.json.
 */

export type WeightsChoice = WeightFormat | 'auto';
export const WEIGHT_CHOICES: readonly WeightsChoice[] = ['int4', 'int8', 'fp16', 'fp32', 'auto'];

export interface ImportProgress {
  /** Checkpoint tensors converted so far, of `totalTensors`. */
  tensors: number;
  totalTensors: number;
  /** Float32 bytes of the tensors read so far, and the external data file's size so far. */
  bytesRead: number;
  bytesWritten: number;
  message: string;
}

export interface ImportOptions {
  /** The Hugging Face model folder. */
  source: string;
  /** The folder to write: created, or an existing empty folder. */
  out: string;
  weights: WeightsChoice;
  /** The head, when config.json's architecture does not say it (or to override it). */
  head?: HeadKind;
  /** A preset folder name in models/ or a prm.json path, when the architecture and head match none. */
  preset?: string;
  /** Longest input the graph takes (rows of the rotary cache); default min(max_position_embeddings, 32768). */
  maxPositions?: number;
  /** int4 only: zero points per block (asymmetric) instead of symmetric blocks. */
  int4Asymmetric?: boolean;
  /** int4 only: MatMulNBits accuracy_level (0: float32 compute, the default; 4: int8 compute). */
  int4AccuracyLevel?: 0 | 4;
  signal?: AbortSignal;
  onProgress?: (p: ImportProgress) => void;
  /** CPU feature flags for `auto` (default: /proc/cpuinfo). */
  cpuFlags?: CpuFlagsReader;
  /** Memory for `auto`, in bytes (default: os.totalmem()). */
  totalMemory?: number;
  /** Where the presets live (default: the models/ folder shipped with PRM Lens). */
  presetsDir?: string;
}

export interface ImportResult {
  out: string;
  architecture: string;
  family: DecoderSpec['family'];
  head: HeadKind;
  weights: WeightFormat;
  /** Why these weights (the `auto` rule's reason, or "requested"). */
  weightsReason: string;
  preset: string;
  files: string[];
  bytes: number;
  /** Checkpoint tensors the graph does not use (e.g. the LM head of a value-head PRM). */
  ignoredTensors: string[];
  notes: string[];
  seconds: number;
}

const ROTARY_CAP = 32768;
const MODEL = 'model.onnx';
const DATA = 'model.onnx.data';

export async function importCheckpoint(opts: ImportOptions): Promise<ImportResult> {
  const started = Date.now();
  const { source, out } = opts;
  const configFile = path.join(source, 'config.json');
  if (!existsSync(configFile)) throw new CheckpointError(`${source}: no config.json (not a Hugging Face model folder)`);
  let rawConfig: unknown;
  try {
    rawConfig = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    throw new CheckpointError(`${configFile}: not valid JSON`);
  }
  const { spec, impliedHead } = parseDecoderConfig(rawConfig, configFile);
  // A PRM head's tensors say more than the architecture name (a value-head PRM may be saved as *ForCausalLM).
  const headKind = opts.head ?? headInTensors(source) ?? impliedHead;
  if (!headKind)
    throw new CheckpointError(
      `${configFile}: the architecture does not say which head; pass --head lm, token-classification or value`,
    );
  const tokenizer = path.join(source, 'tokenizer.json');
  if (!existsSync(tokenizer))
    throw new CheckpointError(
      `${source}: no tokenizer.json (PRM Lens needs the fast tokenizer file the model was published with)`,
    );
  const preset = choosePreset(spec.family, headKind, opts.preset, opts.presetsDir ?? findPresetsDir());
  const tokenizerConfig = path.join(source, 'tokenizer_config.json');
  if (preset.prm.tokenizerConfig !== undefined && !existsSync(tokenizerConfig))
    throw new CheckpointError(
      `${source}: no tokenizer_config.json, which the ${preset.name} preset reads (chat template, special tokens)`,
    );

  const fp32Bytes = 4 * parameterCount(spec);
  const { weights, reason } =
    opts.weights === 'auto'
      ? chooseWeights((opts.cpuFlags ?? readCpuFlags)(), fp32Bytes, opts.totalMemory ?? os.totalmem())
      : { weights: opts.weights, reason: 'requested' };
  const maxPositions = opts.maxPositions ?? Math.min(spec.maxPositions, ROTARY_CAP);
  const notes: string[] = [];
  if (spec.maxPositions > maxPositions)
    notes.push(`the graph takes up to ${maxPositions} tokens (max_position_embeddings is ${spec.maxPositions})`);
  const prm: Record<string, unknown> = { ...preset.prm, model: MODEL, tokenizer: 'tokenizer.json' };
  if (typeof prm.maxTokens === 'number' && prm.maxTokens > maxPositions) {
    notes.push(
      `prm.json maxTokens lowered from ${prm.maxTokens} to ${maxPositions}, the longest input the graph takes`,
    );
    prm.maxTokens = maxPositions;
  }
  if (spec.slidingWindow !== undefined && spec.slidingWindow < maxPositions)
    notes.push(
      `inputs longer than ${spec.slidingWindow} tokens attend through the sliding window (sliding_window), as the model does`,
    );
  const maxTokens = typeof prm.maxTokens === 'number' ? prm.maxTokens : maxPositions;
  if (spec.slidingWindow !== undefined && spec.slidingWindow >= maxTokens)
    notes.push(`sliding_window ${spec.slidingWindow} is not reached by inputs of up to ${maxTokens} tokens`);

  const checkpoint = Checkpoint.open(source);
  const created = new CreatedFiles(out);
  try {
    const head = planHead(headKind, spec, checkpoint);
    const names = tensorNames(spec, head);
    const missing = names.filter((n) => !checkpoint.has(n));
    if (missing.length > 0)
      throw new CheckpointError(
        `${source}: the checkpoint lacks ${missing.length} tensor${missing.length === 1 ? '' : 's'} a ${spec.architecture} with a ${headKind} head has: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      );
    const used = new Set(names);
    const ignoredTensors = checkpoint.names().filter((n) => !used.has(n) && !n.endsWith('rotary_emb.inv_freq'));

    created.prepare();
    const graph = new OnnxGraph(`prm-lens-import-${spec.family}-${headKind}`);
    graph.streamWeights(created.add(DATA));
    let done = 0;
    let bytesRead = 0;
    const report = (message: string) =>
      opts.onProgress?.({
        tensors: done,
        totalTensors: names.length,
        bytesRead,
        bytesWritten: graph.streamedBytes,
        message,
      });
    report(`converting ${names.length} tensors to ${weights}`);
    try {
      await buildImportedGraph(graph, spec, head, checkpoint, {
        weights,
        int4Symmetric: !opts.int4Asymmetric,
        int4AccuracyLevel: opts.int4AccuracyLevel,
        maxPositions,
        onTensor: async (name, bytes) => {
          done++;
          bytesRead += bytes;
          report(name);
          // Reading and converting a tensor is synchronous: between tensors the event loop runs (a cancel arrives).
          await new Promise((resolve) => setImmediate(resolve));
          opts.signal?.throwIfAborted();
        },
      });
      graph.save(created.add(MODEL));
    } finally {
      graph.close();
    }
    copyFileSync(tokenizer, created.add('tokenizer.json'));
    if (existsSync(tokenizerConfig)) copyFileSync(tokenizerConfig, created.add('tokenizer_config.json'));
    writeFileSync(created.add('prm.json'), JSON.stringify(prm, null, 2) + '\n');
    report('done');
    return {
      out,
      architecture: spec.architecture,
      family: spec.family,
      head: headKind,
      weights,
      weightsReason: reason,
      preset: preset.name,
      files: created.files.map((f) => path.basename(f)),
      bytes: created.files.reduce((n, f) => n + statSync(f).size, 0),
      ignoredTensors,
      notes,
      seconds: (Date.now() - started) / 1000,
    };
  } catch (err) {
    created.remove();
    throw err;
  } finally {
    checkpoint.close();
  }
}

function headInTensors(source: string): HeadKind | undefined {
  const checkpoint = Checkpoint.open(source);
  try {
    if (checkpoint.has('v_head.summary.weight')) return 'value';
    if (checkpoint.has('score.0.weight') && checkpoint.has('score.2.weight')) return 'token-classification';
    return undefined;
  } finally {
    checkpoint.close();
  }
}

/** Parameters of the decoder (heads aside): what its weights take at 4 bytes each. */
function parameterCount(s: DecoderSpec): number {
  const attention = s.hidden * (s.heads + 2 * s.kvHeads) * s.headDim + s.heads * s.headDim * s.hidden;
  const embeddings = s.vocab * s.hidden * (s.tieEmbeddings ? 1 : 2);
  return s.layers * (attention + 3 * s.hidden * s.intermediate) + embeddings;
}

/**
 * The files an import writes, so that a failed or cancelled import removes exactly those (and the output folder
 * only when it created it and it is empty again). An existing folder must be empty: nothing in it is overwritten.
 */
class CreatedFiles {
  readonly files: string[] = [];
  private createdDir = false;

  constructor(private readonly dir: string) {}

  prepare(): void {
    if (existsSync(this.dir)) {
      if (!statSync(this.dir).isDirectory()) throw new CheckpointError(`${this.dir}: exists and is not a folder`);
      if (readdirSync(this.dir).length > 0)
        throw new CheckpointError(`${this.dir}: the output folder is not empty; choose a new or empty folder`);
    } else {
      mkdirSync(this.dir, { recursive: true });
      this.createdDir = true;
    }
  }

  add(name: string): string {
    const file = path.join(this.dir, name);
    if (existsSync(file)) throw new CheckpointError(`${file}: already exists; the import does not overwrite files`);
    this.files.push(file);
    return file;
  }

  remove(): void {
    for (const f of this.files) {
      try {
        unlinkSync(f);
      } catch {
        // Not written yet.
      }
    }
    if (this.createdDir && existsSync(this.dir) && readdirSync(this.dir).length === 0) rmdirSync(this.dir);
  }
}
