import { Dirent } from 'node:fs';
import { lstat, open, readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { EntryCritic } from './cache';
import { checkCacheFolder, ENTRY, SHARD, TEMP } from './cacheFolder';

/**
 * What is in a result cache folder, and removing some of it: the CLI's `prm-lens cache` / `cache prune` /
 * `clear-cache`, the editor's Clear Cache and the background pruning after runs all come here. Every function first
 * checks the folder is PRM Lens's (checkCacheFolder: a refusal touches nothing), and only ever removes what PRM Lens
 * writes there: entry files and temporary files in shard folders, then shard folders left empty. Links are never
 * followed, foreign files are never removed, and the folder keeps its tag.
 */

export const DAY_MS = 24 * 60 * 60 * 1000;
const MB = 1024 * 1024;
/** A temporary file this old belongs to a write that never finished (a live one lasts milliseconds). */
const STALE_TEMP_MS = 60 * 60 * 1000;
/** An entry opens with `{"key":"<64 hex>","critic":{…}`: this much of it names the critic. */
const HEAD_BYTES = 1024;
/** Entry heads read at once. */
const READ_BATCH = 64;

interface EntryFile {
  file: string;
  bytes: number;
  /** When the entry was last written or read (its modification time). */
  usedAt: number;
}

export interface CriticEntries {
  /** The critic's id when its entries were stored; null for entries of earlier versions, which name none. */
  id: string | null;
  type: string | null;
  /** How many configurations (cache identities) of the critic have entries. */
  identities: number;
  entries: number;
  bytes: number;
  lastUsed: number;
}

export interface CacheSummary {
  dir: string;
  exists: boolean;
  entries: number;
  bytes: number;
  oldestUse: number | null;
  newestUse: number | null;
  /** By critic id, most bytes first. */
  critics: CriticEntries[];
}

export interface PruneRules {
  /** Every entry goes. */
  all?: boolean;
  /** Entries of these critic ids go (with `usedBefore`, only their entries last used before it). */
  critics?: readonly string[];
  /** Entries last used before this time (ms since the epoch) go. */
  usedBefore?: number;
  /** Then the least recently used entries go until the rest take at most this many bytes. */
  maxBytes?: number;
}

export interface PruneReport {
  removed: number;
  freedBytes: number;
  kept: number;
  keptBytes: number;
}

/** Sizes for people: 512 B, 1.5 KB, 20.3 MB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** The limits of the `prmLens.cache.maxSizeMB` / `maxAgeDays` settings (the CLI's defaults) as rules; 0 is none. */
export function limitRules(limits: { maxSizeMB: number; maxAgeDays: number }, now = Date.now()): PruneRules {
  return {
    usedBefore: limits.maxAgeDays > 0 ? now - limits.maxAgeDays * DAY_MS : undefined,
    maxBytes: limits.maxSizeMB > 0 ? Math.floor(limits.maxSizeMB * MB) : undefined,
  };
}

/** The shard folders: real folders (not links) named as PRM Lens names them. */
async function shards(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && SHARD.test(e.name));
  return names.map((e) => join(dir, e.name));
}

async function stamp(file: string): Promise<EntryFile | undefined> {
  try {
    const s = await lstat(file);
    return s.isFile() ? { file, bytes: s.size, usedAt: s.mtimeMs } : undefined;
  } catch {
    return undefined; // removed meanwhile
  }
}

/** PRM Lens's entries and its temporary files in one shard (regular files with its names only). */
async function shardFiles(shard: string): Promise<{ entries: EntryFile[]; temps: EntryFile[] }> {
  let found: Dirent[];
  try {
    found = await readdir(shard, { withFileTypes: true });
  } catch {
    return { entries: [], temps: [] };
  }
  const prefix = shard.slice(-2);
  const ours = (test: (name: string) => boolean) =>
    Promise.all(
      found
        .filter((e) => e.isFile() && e.name.startsWith(prefix) && test(e.name))
        .map((e) => stamp(join(shard, e.name))),
    );
  const present = (list: (EntryFile | undefined)[]) => list.filter((e): e is EntryFile => e !== undefined);
  const [entries, temps] = await Promise.all([ours((n) => ENTRY.test(n)), ours((n) => TEMP.test(n))]);
  return { entries: present(entries), temps: present(temps) };
}

async function entryFiles(dir: string): Promise<EntryFile[]> {
  const all: EntryFile[] = [];
  for (const shard of await shards(dir)) all.push(...(await shardFiles(shard)).entries);
  return all;
}

/** The critic an entry names, from its first bytes (the whole entry when its head does not hold it). */
async function entryCritic(file: string): Promise<EntryCritic | undefined> {
  const parse = (text: string): EntryCritic | undefined => {
    try {
      const critic = (JSON.parse(text) as { critic?: unknown }).critic as Partial<EntryCritic> | undefined;
      return typeof critic?.id === 'string' && typeof critic.identity === 'string'
        ? (critic as EntryCritic)
        : undefined;
    } catch {
      return undefined;
    }
  };
  let head: string;
  try {
    const fh = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await fh.read(buffer, 0, HEAD_BYTES, 0);
      head = buffer.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
  const end = head.indexOf(',"result":');
  if (end >= 0) return parse(`${head.slice(0, end)}}`);
  return parse(await readFile(file, 'utf8').catch(() => ''));
}

/** The critics of many entries, their heads read a batch at a time. */
async function criticsOf(entries: readonly EntryFile[]): Promise<(EntryCritic | undefined)[]> {
  const critics: (EntryCritic | undefined)[] = [];
  for (let at = 0; at < entries.length; at += READ_BATCH) {
    critics.push(...(await Promise.all(entries.slice(at, at + READ_BATCH).map((e) => entryCritic(e.file)))));
  }
  return critics;
}

const EMPTY = (dir: string, exists: boolean): CacheSummary => ({
  dir,
  exists,
  entries: 0,
  bytes: 0,
  oldestUse: null,
  newestUse: null,
  critics: [],
});

/** How many entries and bytes the cache holds, per critic. Throws NotACacheFolderError for a folder not PRM Lens's. */
export async function cacheSummary(dir: string): Promise<CacheSummary> {
  if ((await checkCacheFolder(dir)) === 'missing') return EMPTY(dir, false);
  const summary = EMPTY(dir, true);
  const byCritic = new Map<string | null, CriticEntries & { seen: Set<string> }>();
  const entries = await entryFiles(dir);
  const critics = await criticsOf(entries);
  for (const [i, entry] of entries.entries()) {
    const critic = critics[i];
    const id = critic?.id ?? null;
    const usage = byCritic.get(id) ?? {
      id,
      type: critic?.type ?? null,
      identities: 0,
      entries: 0,
      bytes: 0,
      lastUsed: 0,
      seen: new Set<string>(),
    };
    if (critic) usage.seen.add(critic.identity);
    usage.entries += 1;
    usage.bytes += entry.bytes;
    usage.lastUsed = Math.max(usage.lastUsed, entry.usedAt);
    byCritic.set(id, usage);
    summary.entries += 1;
    summary.bytes += entry.bytes;
    summary.oldestUse = Math.min(summary.oldestUse ?? Infinity, entry.usedAt);
    summary.newestUse = Math.max(summary.newestUse ?? 0, entry.usedAt);
  }
  summary.critics = [...byCritic.values()]
    .map(({ seen, ...usage }) => ({ ...usage, identities: seen.size }))
    .sort((a, b) => b.bytes - a.bytes);
  return summary;
}

async function remove(file: string): Promise<boolean> {
  try {
    await unlink(file);
    return true;
  } catch {
    return false; // removed meanwhile
  }
}

/**
 * Removes the entries the rules select, then the least recently used ones beyond `maxBytes`, stale temporary files,
 * and shard folders left empty. Undefined when the folder does not exist; throws NotACacheFolderError (having
 * touched nothing) for a folder not PRM Lens's.
 */
export async function pruneCache(dir: string, rules: PruneRules, now = Date.now()): Promise<PruneReport | undefined> {
  if ((await checkCacheFolder(dir)) === 'missing') return undefined;
  const report: PruneReport = { removed: 0, freedBytes: 0, kept: 0, keptBytes: 0 };
  const kept: EntryFile[] = [];
  const drop = async (entry: EntryFile) => {
    if (!(await remove(entry.file))) return;
    report.removed += 1;
    report.freedBytes += entry.bytes;
  };
  const selects = rules.all || rules.critics !== undefined || rules.usedBefore !== undefined;
  const ids = rules.critics && new Set(rules.critics);
  const list = await shards(dir);
  for (const shard of list) {
    const { entries, temps } = await shardFiles(shard);
    for (const temp of temps) if (now - temp.usedAt > STALE_TEMP_MS) await remove(temp.file);
    const old = entries.filter((e) => rules.usedBefore === undefined || e.usedAt < rules.usedBefore);
    const critics = ids ? await criticsOf(old) : [];
    const selected = new Set(
      rules.all ? entries : selects ? old.filter((_, i) => !ids || ids.has(critics[i]?.id ?? '')) : [],
    );
    await Promise.all([...selected].map(drop));
    kept.push(...entries.filter((e) => !selected.has(e)));
  }
  if (rules.maxBytes !== undefined) {
    kept.sort((a, b) => a.usedAt - b.usedAt);
    let total = kept.reduce((sum, e) => sum + e.bytes, 0);
    while (kept.length > 0 && total > rules.maxBytes) {
      const oldest = kept.shift()!;
      total -= oldest.bytes;
      await drop(oldest);
    }
  }
  report.kept = kept.length;
  report.keptBytes = kept.reduce((sum, e) => sum + e.bytes, 0);
  // A shard still holding anything (a write in progress, a file PRM Lens did not put there) stays.
  for (const shard of list) await rmdir(shard).catch(() => undefined);
  return report;
}

/** Removes every entry; the folder and its tag stay. See pruneCache. */
export function clearCache(dir: string, now = Date.now()): Promise<PruneReport | undefined> {
  return pruneCache(dir, { all: true }, now);
}

/**
 * Pruning to the size and age limits in the background: a while after a run starts (never on the way to the first
 * result), then at most once per interval however many runs follow. Runs may go on meanwhile: an entry they use is
 * the most recently used, and a shard emptied under a write is made again by the store.
 */
export class BackgroundPruner {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  constructor(
    private readonly options: {
      /** The folder, undefined when there is none (or caching is off). */
      dir: () => string | undefined;
      limits: () => { maxSizeMB: number; maxAgeDays: number };
      delayMs: number;
      intervalMs: number;
      onDone: (outcome: { dir: string; report?: PruneReport; error?: unknown }) => void;
      now?: () => number;
    },
  ) {}

  /** A run started: prune after the delay, unless a prune ran less than an interval ago or one is due. */
  afterRun(): void {
    const now = this.options.now ?? Date.now;
    if (this.timer !== undefined || now() - this.last < this.options.intervalMs) return;
    this.timer = setTimeout(() => void this.prune(), this.options.delayMs);
    this.timer.unref?.();
  }

  private async prune(): Promise<void> {
    const now = this.options.now ?? Date.now;
    this.last = now();
    const dir = this.options.dir();
    let outcome: { dir: string; report?: PruneReport; error?: unknown } | undefined;
    if (dir !== undefined) {
      try {
        outcome = { dir, report: await pruneCache(dir, limitRules(this.options.limits(), now())) };
      } catch (error) {
        outcome = { dir, error };
      }
    }
    this.timer = undefined;
    if (outcome) this.options.onDone(outcome);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
