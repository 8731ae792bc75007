import { readdir } from 'node:fs/promises';
import { DirectoryStore } from '../../core/critics/cache';
import { UsageError } from '../io';

/** The cache keeps one folder per first two hex digits of an entry's key (see DirectoryStore). */
const SHARD = /^[0-9a-f]{2}$/;

/**
 * `prm-lens clear-cache`: deletes the result cache. The folder comes from the user (--cache-dir, --out), and
 * clearing removes it recursively, so anything that is not a cache (a results file, a project folder) is refused.
 */
export async function clearCacheCommand(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') {
      console.error(`nothing to clear: ${dir} does not exist`);
      return 0;
    }
    if (err.code === 'ENOTDIR') throw new UsageError(`${dir} is a file, not a cache folder: not deleted`);
    throw new UsageError(`cannot read the cache folder ${dir}: ${err.message}`);
  }
  const foreign = entries.find((e) => !(e.isDirectory() && SHARD.test(e.name)));
  if (foreign) {
    throw new UsageError(`${dir} does not look like a PRM Lens cache (it holds "${foreign.name}"): not deleted`);
  }
  await new DirectoryStore(dir).clear();
  console.error(`cleared ${dir}`);
  return 0;
}
