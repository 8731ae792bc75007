import { dirname, join, resolve } from 'node:path';
import { CacheEntryError, DirectoryStore, isCacheable, withCache } from '../../core/critics/cache';
import { createCritic, selectCritics } from '../../core/critics/registry';
import { Critic, CriticConfig, CriticConfigError, CriticContext } from '../../core/critics/types';
import { errorMessage } from '../../core/util/errors';
import { forTerminal } from '../../core/util/terminal';

/** API keys in the CLI come only from the environment variable a critic names in "apiKeyEnv". */
export const ENV_KEYS: Pick<CriticContext, 'apiKey' | 'keyHint'> = {
  apiKey(config) {
    const name = config.apiKeyEnv;
    if (typeof name !== 'string') return undefined;
    const value = process.env[name];
    if (!value)
      throw new CriticConfigError(
        `critic "${config.id}": "apiKeyEnv" names ${name}, but that environment variable is not set or empty`,
        config.id,
        'apiKeyEnv',
      );
    return value;
  },
  keyHint(config) {
    return typeof config.apiKeyEnv === 'string'
      ? `the environment variable ${config.apiKeyEnv} (named by "apiKeyEnv")`
      : '"apiKeyEnv" in the critic\'s configuration (the NAME of an environment variable holding the key)';
  },
};

/**
 * Where results of remote critics are cached unless --cache-dir says otherwise: `.prm-lens-cache/` next to the
 * results file (or in the current folder), so an experiment's cache stays with it and re-running the same command
 * resumes it.
 */
export function defaultCacheDir(out: string | undefined): string {
  return join(out ? dirname(resolve(out)) : process.cwd(), '.prm-lens-cache');
}

/** The folder relative paths in critic configurations (a prompt template, a model folder) are resolved from. */
export function criticBaseDir(configFile: string | undefined): string {
  return configFile ? dirname(resolve(configFile)) : process.cwd();
}

/** Invalid cache entries reported one by one (each is discarded and asked again); one line then says more are. */
const SHOWN_DISCARDS = 3;

export interface BuiltCritics {
  critics: Critic[];
  /** Undefined when caching is off. */
  cacheDir?: string;
}

/** Builds the requested critics with keys from the environment; remote ones read and fill the result cache. */
export async function buildCritics(
  configs: readonly CriticConfig[],
  ids: readonly string[],
  opts: { configFile?: string; cacheDir: string | null },
): Promise<BuiltCritics> {
  const context: CriticContext = { ...ENV_KEYS, baseDir: criticBaseDir(opts.configFile) };
  const built = await Promise.all(selectCritics(configs, ids).map((config) => createCritic(config, context)));
  if (opts.cacheDir === null) return { critics: built };
  const store = new DirectoryStore(opts.cacheDir);
  let warned = false;
  let discarded = 0;
  const onStoreError = (err: unknown) => {
    if (err instanceof CacheEntryError) {
      discarded += 1;
      if (discarded <= SHOWN_DISCARDS) console.error(forTerminal(`prm-lens: ${err.message}`));
      if (discarded === SHOWN_DISCARDS + 1) {
        console.error('prm-lens: more invalid cache entries are discarded and asked again');
      }
      return;
    }
    if (!warned)
      console.error(
        forTerminal(`prm-lens: cannot use the cache in ${opts.cacheDir}: ${errorMessage(err)}; continuing without it`),
      );
    warned = true;
  };
  return {
    critics: built.map((c) => (isCacheable(c) ? withCache(c, store, onStoreError) : c)),
    cacheDir: opts.cacheDir,
  };
}
