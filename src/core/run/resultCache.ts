import { createReadStream } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { parseJsonLines } from '../datasets/jsonLines';
import { writeLinesAtomic } from '../datasets/results';
import type { Answer } from './record';

/** Where a run finds the answers it already has, and keeps the new ones. Failures are never kept. */
export interface RunStore {
  get(identity: string, content: string): Answer | undefined;
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

function isEntry(v: unknown): v is Entry {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.critic === 'string' &&
    typeof r.content === 'string' &&
    (r.prediction === null || Number.isInteger(r.prediction)) &&
    (r.scores === null || (Array.isArray(r.scores) && r.scores.every((s) => Number.isFinite(s))))
  );
}

/** Appends wait this long for more answers, so a fast run syncs the disk a few times a second, not per item. */
const APPEND_BATCH_MS = 250;

/**
 * Answers of runs kept as an append-only JSONL log (one file per dataset), so a cancelled or interrupted run keeps
 * its work and the next one resumes. Appends are written and fsynced in batches; compaction rewrites the file
 * atomically (temporary file, fsync, rename). Unreadable lines are skipped: running again rebuilds them.
 */
export class ResultCache implements RunStore {
  private readonly answers = new Map<string, Answer>();
  private pending: Entry[] = [];
  private writing: Promise<void> = Promise.resolve();
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** A failed background append, reported by the next flush. */
  private failure: unknown;

  constructor(readonly file: string) {}

  get size(): number {
    return this.answers.size;
  }

  /** Reads the log (the last line of a key wins); rewrites it when it holds many superseded lines. */
  async load(): Promise<void> {
    let lines = 0;
    try {
      for await (const parsed of parseJsonLines(createReadStream(this.file, { encoding: 'utf8' }))) {
        lines += 1;
        if ('value' in parsed && isEntry(parsed.value)) {
          const { critic, content, prediction, scores } = parsed.value;
          this.answers.set(keyOf(critic, content), { prediction, scores });
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw e;
    }
    if (lines > 1000 && lines > this.answers.size * 1.5) await this.compact();
  }

  get(identity: string, content: string): Answer | undefined {
    return this.answers.get(keyOf(identity, content));
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
