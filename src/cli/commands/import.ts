import {
  CheckpointError,
  HeadKind,
  importCheckpoint,
  ImportResult,
  WEIGHT_CHOICES,
  WeightsChoice,
} from '../../core/hf-import';
import { HEAD_KINDS } from '../../core/hf-import/config';
import { forTerminal } from '../../core/util/terminal';
import { UsageError, writeJson } from '../io';

export interface ImportCommandOptions {
  source: string;
  out: string | undefined;
  weights: string | undefined;
  head: string | undefined;
  preset: string | undefined;
  json: boolean;
  quiet: boolean;
  signal: AbortSignal;
}

/** `prm-lens import DIR --out DIR`: a Hugging Face model folder → a PRM Lens model folder. */
export async function importCommand(o: ImportCommandOptions): Promise<number> {
  if (!o.out) throw new UsageError('import: --out DIR is required (a new or empty folder for the model)');
  const weights = (o.weights ?? 'auto') as WeightsChoice;
  if (!WEIGHT_CHOICES.includes(weights))
    throw new UsageError(`import: --weights ${o.weights} is not one of ${WEIGHT_CHOICES.join(', ')}`);
  if (o.head !== undefined && !(HEAD_KINDS as readonly string[]).includes(o.head))
    throw new UsageError(`import: --head ${o.head} is not one of ${HEAD_KINDS.join(', ')}`);
  const live = process.stderr.isTTY === true && !o.quiet;
  let last = 0;
  let finished = false;
  let result: ImportResult;
  try {
    result = await importCheckpoint({
      source: o.source,
      out: o.out,
      weights,
      head: o.head as HeadKind | undefined,
      preset: o.preset,
      signal: o.signal,
      onProgress: (p) => {
        // Run by the extension (forked with an IPC channel): every step, for its progress notification.
        process.send?.({
          progress: { tensors: p.tensors, totalTensors: p.totalTensors, bytesWritten: p.bytesWritten },
        });
        if (o.quiet) return;
        const now = Date.now();
        // A live line on a terminal; elsewhere a line every 10 s.
        const final = p.tensors === p.totalTensors;
        if ((final && finished) || (!final && now - last < (live ? 100 : 10_000))) return;
        finished = final;
        last = now;
        const mb = (p.bytesWritten / 1e6).toFixed(0);
        const line = `import: ${p.tensors}/${p.totalTensors} tensors, ${mb} MB written`;
        process.stderr.write(live ? `\r${line}\x1b[K` : `${line}\n`);
      },
    });
  } catch (err) {
    if (live) process.stderr.write('\n');
    if (err instanceof CheckpointError) throw new UsageError(err.message);
    if (o.signal.aborted) {
      console.error('import: cancelled; the files it had written were removed');
      return 130;
    }
    throw err;
  }
  if (live) process.stderr.write('\n');
  if (o.json) {
    writeJson(result);
    return 0;
  }
  const lines = [
    `${result.out}: ${result.architecture} (${result.family}), ${result.head} head, ${result.weights} weights (${result.weightsReason})`,
    `prm.json from the ${result.preset} preset; ${result.files.join(', ')}: ${(result.bytes / 1e6).toFixed(1)} MB in ${result.seconds.toFixed(1)} s`,
    ...result.notes.map((n) => `note: ${n}`),
    ...(result.ignoredTensors.length > 0
      ? [
          `ignored tensors (not part of this head): ${result.ignoredTensors.slice(0, 5).join(', ')}${result.ignoredTensors.length > 5 ? ', …' : ''}`,
        ]
      : []),
  ];
  console.log(forTerminal(lines.join('\n')));
  return 0;
}
