import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, unlink, utimes, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { entryPath, NotACacheFolderError, openCacheFolder, tempPath } from './cacheFolder';
import { criticResultProblem } from './resultShape';
import { Critic, CriticInput, CriticResult, type SectionRange } from './types';

/**
 * A content-addressed store of critic results: the key is a hash of the problem, the steps and the critic's cache
 * identity (./identity: the settings that change its answers, never its id, API key, concurrency or timeouts).
 * Re-scoring an unchanged file, re-running an evaluation, or resuming an interrupted one reads results from here.
 */
export interface ResultStore {
  /** The result stored under `key` as read, unchecked (withCache checks it), or undefined when there is none. */
  get(key: string): Promise<unknown>;
  /** Stores a result with the critic that gave it, so summaries and pruning can name the critic. */
  set(key: string, result: CriticResult, critic: EntryCritic): Promise<void>;
}

/** Which critic an entry belongs to: its id when it was stored, its type and its cache identity. */
export interface EntryCritic {
  id: string;
  type: string;
  identity: string;
}

/** A critic whose results may be cached: remote critics, whose calls are slow and cost money. */
export interface CacheableCritic extends Critic {
  /** The critic's identity (criticIdentity of its configuration, ./identity). */
  cacheIdentity(): string;
  /** Re-applies settings left out of the identity (a score threshold) to a cached result on `input`. */
  rejudge?(result: CriticResult, input: CriticInput): CriticResult;
}

export function isCacheable(critic: Critic): critic is CacheableCritic {
  return typeof (critic as Partial<CacheableCritic>).cacheIdentity === 'function';
}

/** A stored entry that cannot be used (unreadable, or not a result on the solution): a miss, asked again. */
export class CacheEntryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CacheEntryError';
  }
}

/** Bumped when the meaning of cached results changes, so old entries are ignored rather than misread. */
const CACHE_FORMAT = 2;

/**
 * A trace's sections (for section-level critics) and its thinking steps (for scoped PRMs) are part of the key when
 * given; the keys of plain solutions are unchanged.
 */
export function cacheKey(
  identity: unknown,
  problem: string,
  steps: readonly string[],
  sections?: readonly SectionRange[],
  thinkingSteps?: number,
): string {
  const content = itemContent(problem, steps, sections, thinkingSteps);
  return createHash('sha256')
    .update(canonicalJson({ format: CACHE_FORMAT, critic: identity, ...content }))
    .digest('hex');
}

/**
 * What of an item its answers depend on, as both keys hash it (this cache's and the run log's content key): the
 * problem, the steps, and for a trace its sections and thinking steps; a plain item's content has neither.
 */
export function itemContent(
  problem: string,
  steps: readonly string[],
  sections?: readonly SectionRange[],
  thinkingSteps?: number,
): Record<string, unknown> {
  return { problem, steps, sections, ...(thinkingSteps ? { thinkingSteps } : {}) };
}

/** JSON with object keys sorted, so equal configurations hash equally whatever their key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * One JSON file per entry under `dir/ab/<key>.json` (the first two hex digits shard the folder), in a folder PRM Lens
 * created and tagged (./cacheFolder: a folder that is not PRM Lens's is never written into). An entry opens with its
 * critic, so a summary reads a few hundred bytes of it; reading it marks it used (its modification time), which
 * pruning goes by. Writes go to a temporary file renamed into place, so concurrent runs and interruptions never
 * leave a half-written entry.
 */
export class DirectoryStore implements ResultStore {
  private opened: Promise<void> | undefined;

  /** `adopt`: see openCacheFolder (the extension's own folder, left untagged by earlier versions). */
  constructor(
    readonly dir: string,
    private readonly options: { adopt?: boolean } = {},
  ) {}

  async get(key: string): Promise<unknown> {
    const file = entryPath(this.dir, key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const missing = ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');
      if (missing) return undefined;
      throw err;
    }
    let entry: { key?: unknown; result?: unknown };
    try {
      entry = JSON.parse(text) as typeof entry;
    } catch {
      throw new CacheEntryError(`${file}: not JSON`);
    }
    if (entry?.key !== key) throw new CacheEntryError(`${file}: holds another key`);
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
    return entry.result ?? null; // an entry without a result is invalid, not missing
  }

  async set(key: string, result: CriticResult, critic: EntryCritic): Promise<void> {
    // The critic before the result: a summary reads it from the entry's first bytes.
    const { id, type, identity } = critic;
    const text = JSON.stringify({ key, critic: { id, type, identity }, result });
    try {
      await this.write(key, text);
    } catch (err) {
      // The folder or the shard was removed meanwhile (a clear, a prune of an emptied shard): once more, afresh.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.opened = undefined;
      await this.write(key, text);
    }
  }

  private async write(key: string, text: string): Promise<void> {
    // A folder that is not PRM Lens's stays refused (the same error each time); other failures are tried again.
    this.opened ??= openCacheFolder(this.dir, this.options.adopt).catch((err: unknown) => {
      if (!(err instanceof NotACacheFolderError)) this.opened = undefined;
      throw err;
    });
    await this.opened;
    const file = entryPath(this.dir, key);
    await mkdir(dirname(file)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
    const temp = tempPath(file);
    try {
      await writeFile(temp, text);
      await rename(temp, file);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }
}

const fromCache = new WeakSet<CriticResult>();

/** True for a result served from the cache (its timing and usage describe the original call). */
export function isCachedResult(result: CriticResult): boolean {
  return fromCache.has(result);
}

/**
 * Wraps a cacheable critic: a hit returns the stored result (under the critic's current id) without a request;
 * a miss calls the critic and stores what it returns. A stored entry that is not a result on this solution (see
 * criticResultProblem) is a miss: `onStoreError` hears why, and the new result replaces it. Store failures never
 * fail scoring: the cache is an optimisation, and `onStoreError` hears about them.
 */
export function withCache(critic: CacheableCritic, store: ResultStore, onStoreError?: (err: unknown) => void): Critic {
  const identity = critic.cacheIdentity();
  const about: EntryCritic = { id: critic.id, type: critic.type, identity };
  return {
    id: critic.id,
    type: critic.type,
    label: critic.label,
    async score(input: CriticInput): Promise<CriticResult> {
      const key = cacheKey(identity, input.problem, input.steps, input.sections, input.thinkingSteps);
      const stored = await store.get(key).catch((err: unknown) => {
        onStoreError?.(err);
        return undefined;
      });
      if (stored !== undefined) {
        const problem = criticResultProblem(stored, input.steps.length);
        if (problem === undefined) {
          const found = { ...(stored as CriticResult), criticId: critic.id };
          const hit = critic.rejudge ? critic.rejudge(found, input) : found;
          fromCache.add(hit);
          return hit;
        }
        const entry = `${key.slice(0, 12)}… of critic "${critic.id}"`;
        onStoreError?.(new CacheEntryError(`discarded the cached result ${entry}: ${problem}; asking again`));
      }
      const result = await critic.score(input);
      await store.set(key, result, about).catch((err: unknown) => onStoreError?.(err));
      return result;
    },
    dispose: () => critic.dispose?.(),
  };
}
