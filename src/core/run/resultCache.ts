import { appendFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createReadStream } from 'node:fs';
import { parseJsonLines } from '../../core/datasets/jsonLines';
import type { ResultRecord } from '../../core/datasets/types';

/**
 * A results line of the CLI's format plus what makes it reusable: `hash`, the item's content hash, and `config`,
 * the hash of the critic's configuration. A result is reused only when both still match, so editing a dataset or a
 * critic's settings re-runs exactly what changed.
 */
export interface CachedResult extends ResultRecord {
  hash: string;
  config: string;
}

export const cacheKey = (critic: string, config: string, id: string, hash: string): string => `${critic}\u0000${config}\u0000${id}\u0000${hash}`;

function isCachedResult(v: unknown): v is CachedResult {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    typeof r.id === 'string' &&
    typeof r.subset === 'string' &&
    Number.isInteger(r.label) &&
    (r.prediction === null || Number.isInteger(r.prediction)) &&
    typeof r.critic === 'string' &&
    (r.scores === null || (Array.isArray(r.scores) && r.scores.every((s) => typeof s === 'number'))) &&
    typeof r.hash === 'string' &&
    typeof r.config === 'string'
  );
}

/**
 * Results of dataset runs, appended as they complete so a cancelled or interrupted run keeps its work (JSONL in the
 * extension's storage, one file per dataset). Unreadable lines are skipped: the cache is rebuilt by running again.
 */
export class ResultCache {
  constructor(readonly file: string) {}

  /** Every cached result by key (the last line wins); rewrites the file when it holds many superseded lines. */
  async load(): Promise<Map<string, CachedResult>> {
    const out = new Map<string, CachedResult>();
    let lines = 0;
    try {
      for await (const parsed of parseJsonLines(createReadStream(this.file, { encoding: 'utf8' }))) {
        lines += 1;
        if ('value' in parsed && isCachedResult(parsed.value)) {
          const r = parsed.value;
          out.set(cacheKey(r.critic, r.config, r.id, r.hash), r);
        }
      }
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return out;
      throw e;
    }
    if (lines > 1000 && lines > out.size * 1.5) await this.rewrite([...out.values()]);
    return out;
  }

  async append(records: readonly CachedResult[]): Promise<void> {
    if (records.length === 0) return;
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  private async rewrite(records: readonly CachedResult[]): Promise<void> {
    const temp = `${this.file}.${process.pid}.tmp`;
    await writeFile(temp, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
    await rename(temp, this.file);
  }
}
