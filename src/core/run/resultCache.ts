import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseJsonLines } from '../datasets/jsonLines';
import { isSectionList, writeLinesAtomic } from '../datasets/results';
import type { Answer } from './record';

/** Where a run finds the answers it already has, and keeps the new ones. Failures are never kept. */
export interface RunStore {
  /** The answer on an item of `stepCount` steps; one that cannot be an answer on it is dropped (a miss). */
  get(identity: string, content: string, stepCount: number): Answer | undefined;
  put(identity: string, content: string, answer: Answer): void;
  /** Settles when every answer put so far is on disk. */
  flush(): Promise<void>;
}

/**
 * One line of the log: a critic's answer on an item's content. `critic` is the critic's identity and `content` the
 * item's content key (see identity.ts), so an answer is reused exactly while both still match: editing a dataset
 * item or an answer-changing setting re-runs what changed, renaming a critic or editing an item's id does not.
 */
interface Entry extends Answer {
  critic: string;
  content: string;
}

const keyOf = (identity: string, content: string) => `${identity}:${content}`;

const isScore = (s: unknown) => typeof s === 'number' && Number.isFinite(s) && s >= 0 && s <= 1;

/** Step scores as answerOf keeps them: at least one in [0, 1], null for a step not scored (older logs: none null). */
const isScoreList = (v: unknown) => Array.isArray(v) && v.some(isScore) && v.every((s) => s === null || isScore(s));

/** A line that can be an answer on some item: a step index or -1 or null, scores as above or null. */
function isEntry(v: unknown): v is Entry {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.critic === 'string' &&
    typeof r.content === 'string' &&
    (r.prediction === null || (Number.isInteger(r.prediction) && (r.prediction as number) >= -1)) &&
    (r.scores === null || isScoreList(r.scores)) &&
    (r.sections === undefined || isSectionList(r.sections))
  );
}

/** Why an answer cannot be one on an item of `stepCount` steps, or undefined when it can. */
function answerProblem({ prediction, scores }: Answer, stepCount: number): string | undefined {
  if (prediction !== null && prediction >= stepCount) return `prediction ${prediction} for ${stepCount} steps`;
  if (scores !== null && scores.length !== stepCount) return `${scores.length} scores for ${stepCount} steps`;
  return undefined;
}

/** Appends wait this long for more answers, so a fast run syncs the disk a few times a second, not per item. */
const APPEND_BATCH_MS = 250;

/**
 * Answers of runs kept as an append-only JSONL log (one file per dataset), so a cancelled or interrupted run keeps
 * its work and the next one resumes. Appends are written and fsynced in batches; compaction rewrites the file
 * atomically (temporary file, fsync, rename). Lines that are not answers (unreadable, `prediction: 1.5`, a score of
 * 2) are skipped, and an answer that does not fit its item (a prediction past its last step, a score per step too
 * many) is dropped when asked for: `onInvalid` hears of both, and running again asks the critic and replaces them.
 */
export class ResultCache implements RunStore {
  private readonly answers = new Map<string, Answer>();
  private pending: Entry[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** A failed background append, reported by the next flush. */
  private failure: unknown;

  constructor(
    readonly file: string,
    private readonly onInvalid?: (message: string) => void,
  ) {}

  get size(): number {
    return this.answers.size;
  }

  /** Reads the log (the last line of a key wins); rewrites it when it holds many superseded lines. */
  async load(): Promise<void> {
    let lines = 0;
    let skipped = 0;
    try {
      for await (const parsed of parseJsonLines(createReadStream(this.file, { encoding: 'utf8' }))) {
        lines += 1;
        if ('value' in parsed && isEntry(parsed.value)) {
          const { critic, content, prediction, scores, sections } = parsed.value;
          this.answers.set(keyOf(critic, content), { prediction, scores, ...(sections ? { sections } : {}) });
        } else skipped += 1;
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (skipped > 0) {
      this.onInvalid?.(`${this.file}: skipped ${skipped} line(s) that are not answers; their items are asked again`);
    }
    if (lines > 1000 && lines > this.answers.size * 1.5) await this.compact();
  }

  get(identity: string, content: string, stepCount: number): Answer | undefined {
    const key = keyOf(identity, content);
    const answer = this.answers.get(key);
    const problem = answer && answerProblem(answer, stepCount);
    if (!problem) return answer;
    this.answers.delete(key);
    this.onInvalid?.(`${this.file}: dropped a stored answer (${problem}); its item is asked again`);
    return undefined;
  }

  put(identity: string, content: string, answer: Answer): void {
    this.answers.set(keyOf(identity, content), answer);
    this.pending.push({ critic: identity, content, ...answer });
    if (this.timer) return;
    this.timer = setTimeout(() => this.writePending(), APPEND_BATCH_MS);
    this.timer.unref?.();
  }

  async flush(): Promise<void> {
    this.writePending();
    await this.writing;
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
  }

  /** Appends run one after another, so lines are never interleaved; the chain itself never rejects. */
  private writePending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(() => this.append(batch)).catch((e: unknown) => void (this.failure ??= e));
  }

  private async append(batch: readonly Entry[]): Promise<void> {
    if (batch.length === 0) return;
    await mkdir(dirname(this.file), { recursive: true });
    const fh = await open(this.file, 'a');
    try {
      await fh.write(batch.map((e) => `${JSON.stringify(e)}\n`).join(''));
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  private async compact(): Promise<void> {
    const lines = [...this.answers].map(([key, answer]) => {
      const [critic, content] = key.split(':');
      return JSON.stringify({ critic, content, ...answer });
    });
    await writeLinesAtomic(this.file, lines);
  }
}
