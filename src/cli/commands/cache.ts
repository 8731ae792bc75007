import { NotACacheFolderError } from '../../core/critics/cacheFolder';
import { cacheSummary, formatBytes, limitRules, pruneCache, PruneRules } from '../../core/critics/cacheMaintenance';
import { SETTINGS } from '../../core/config/settings';
import { table, UsageError, writeJson } from '../io';
import { errorMessage } from '../../core/util/errors';

/** The limits a run prunes to, unless --cache-max-size / --cache-max-age say otherwise: the editor's defaults. */
export const DEFAULT_LIMITS = {
  maxSizeMB: SETTINGS['cache.maxSizeMB'].default,
  maxAgeDays: SETTINGS['cache.maxAgeDays'].default,
};

const when = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The user named a folder that is not a PRM Lens cache: exit 2, nothing touched. */
function refused(err: unknown, what: string): never {
  if (err instanceof NotACacheFolderError) throw new UsageError(`${err.message}: ${what}`);
  throw err;
}

/** `prm-lens cache`: entries, size and last use of the result cache, per critic. */
export async function cacheCommand(dir: string, json: boolean): Promise<number> {
  const summary = await cacheSummary(dir).catch((err: unknown) => refused(err, 'not read'));
  if (json) {
    writeJson({
      ...summary,
      oldestUse: when(summary.oldestUse),
      newestUse: when(summary.newestUse),
      critics: summary.critics.map((c) => ({ ...c, lastUsed: when(c.lastUsed) })),
    });
    return 0;
  }
  if (!summary.exists) {
    console.log(`${dir}: no cache yet`);
    return 0;
  }
  console.log(`${dir}: ${summary.entries} entries, ${formatBytes(summary.bytes)}`);
  if (summary.entries === 0) return 0;
  const rows = summary.critics.map((c) => [
    c.id ?? '(earlier version)',
    c.type ?? '—',
    String(c.identities),
    String(c.entries),
    formatBytes(c.bytes),
    when(c.lastUsed)!.slice(0, 16).replace('T', ' '),
  ]);
  console.log(table(['critic', 'type', 'configurations', 'entries', 'size', 'last used (UTC)'], rows));
  return 0;
}

/** `prm-lens cache prune`: removes what the rules select (no rule given: the default limits). */
export async function cachePruneCommand(dir: string, rules: PruneRules, json: boolean): Promise<number> {
  const report = await pruneCache(dir, rules).catch((err: unknown) => refused(err, 'nothing was deleted'));
  if (json) writeJson(report ?? { removed: 0, freedBytes: 0, kept: 0, keptBytes: 0 });
  else if (!report) console.error(`nothing to prune: ${dir} does not exist`);
  else {
    const { removed, freedBytes, kept, keptBytes } = report;
    console.error(
      `${dir}: removed ${removed} entries (${formatBytes(freedBytes)}); kept ${kept} (${formatBytes(keptBytes)})`,
    );
  }
  return 0;
}

/**
 * After `score` and `eval`: the least recently used entries beyond the size limit and those unused for longer than
 * the age limit go. A folder the run could not use was reported by the run already; pruning never fails a command.
 */
export async function pruneAfterRun(dir: string, limits: { maxSizeMB: number; maxAgeDays: number }): Promise<void> {
  try {
    const report = await pruneCache(dir, limitRules(limits));
    if (report && report.removed > 0) {
      console.error(`pruned ${report.removed} cache entries (${formatBytes(report.freedBytes)}) past the cache limits`);
    }
  } catch (err) {
    if (!(err instanceof NotACacheFolderError))
      console.error(`prm-lens: pruning the cache failed: ${errorMessage(err)}`);
  }
}
