import { NotACacheFolderError } from '../../core/critics/cacheFolder';
import { clearCache, formatBytes } from '../../core/critics/cacheMaintenance';
import { UsageError } from '../io';

/**
 * `prm-lens clear-cache`: removes every entry of the result cache. The folder comes from the user (--cache-dir,
 * --out): one PRM Lens did not create and tag (`.`, `/`, the home or a project folder, a link to any) is refused with
 * exit 2 before anything is touched, and in a cache folder only PRM Lens's own entries are removed.
 */
export async function clearCacheCommand(dir: string): Promise<number> {
  let report;
  try {
    report = await clearCache(dir);
  } catch (err) {
    if (err instanceof NotACacheFolderError) throw new UsageError(`${err.message}: nothing was deleted`);
    throw err;
  }
  if (!report) console.error(`nothing to clear: ${dir} does not exist`);
  else console.error(`cleared ${dir}: removed ${report.removed} entries (${formatBytes(report.freedBytes)})`);
  return 0;
}
