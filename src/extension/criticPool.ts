import * as vscode from 'vscode';
import { Critic, CriticConfig, CriticContext } from '../core/critics/types';
import { createCritic, selectCritics } from '../core/critics/registry';
import { DirectoryStore, isCacheable, withCache } from '../core/critics/cache';
import { BackgroundPruner, formatBytes } from '../core/critics/cacheMaintenance';
import { criticIdentity } from '../core/critics/identity';
import { errorMessage } from '../core/util/errors';
import type { Settings } from './settings';
import { ApiKeys } from './secrets';

/** Where the extension caches results of remote critics (per user, shared by all workspaces). */
export function criticCacheDir(context: vscode.ExtensionContext): string | undefined {
  // A non-file storage location (a web extension host) has no folder to write to: no cache then.
  return context.globalStorageUri.scheme === 'file'
    ? vscode.Uri.joinPath(context.globalStorageUri, 'critic-results').fsPath
    : undefined;
}

/**
 * Relative paths in critic configurations (templates, model folders) are found in the first workspace folder, when
 * it is trusted: an untrusted folder must not supply files to the user's critics (without a baseDir a relative path
 * is refused).
 */
function criticBaseDir(): string | undefined {
  if (!vscode.workspace.isTrusted) return undefined;
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}

/** A critic's identity in the editor (criticIdentity, with the editor's folder for relative paths). */
export function editorCriticIdentity(config: CriticConfig): string {
  return criticIdentity(config, { baseDir: criticBaseDir() });
}

/** The first background pruning waits this long after a run starts; later ones wait an interval after the last. */
const PRUNE_DELAY_MS = 30_000;
const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Keeps built critics alive between runs (a local model stays loaded) and rebuilds one only when its config, what
 * the config points to (a prompt template, a model folder) or its stored API key changes. Keys come from
 * SecretStorage at build time; remote critics read and fill the result cache while `prmLens.cache.enabled` is on,
 * and the cache is pruned to its limits in the background after runs.
 */
export class CriticPool implements vscode.Disposable {
  private readonly built = new Map<string, { key: string; critic: Promise<Critic> }>();
  // Made on first use: activation stays cheap and touches neither the keychain nor the disk.
  private keys?: ApiKeys;
  private subscription?: vscode.Disposable;
  private store?: DirectoryStore | null;
  private readonly pruner: BackgroundPruner;

  constructor(
    private readonly context: vscode.ExtensionContext,
    /** The cache settings now. */
    private readonly cache: () => Pick<Settings, 'cacheEnabled' | 'cacheLimits'>,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.pruner = new BackgroundPruner({
      dir: () => (this.cache().cacheEnabled ? criticCacheDir(context) : undefined),
      limits: () => this.cache().cacheLimits,
      delayMs: PRUNE_DELAY_MS,
      intervalMs: PRUNE_INTERVAL_MS,
      onDone: ({ dir, report, error }) => {
        const freed = report && formatBytes(report.freedBytes);
        if (error) log.warn(`result cache: pruning ${dir} failed: ${errorMessage(error)}`);
        else if (report?.removed) log.info(`result cache: pruned ${report.removed} entries (${freed}) past the limits`);
      },
    });
  }

  private readonly onStoreError = (err: unknown) => this.log.warn(`result cache: ${errorMessage(err)}`);

  private apiKeys(): ApiKeys {
    if (!this.keys) {
      this.keys = new ApiKeys(this.context.secrets);
      this.subscription = this.keys.onDidChange((criticId) => this.invalidate(criticId));
    }
    return this.keys;
  }

  private resultStore(): DirectoryStore | undefined {
    if (this.store === undefined) {
      const dir = criticCacheDir(this.context);
      // The folder is in the extension's own storage: one an earlier version left untagged is taken as it is.
      this.store = dir === undefined ? null : new DirectoryStore(dir, { adopt: true });
    }
    return this.store ?? undefined;
  }

  async get(configs: readonly CriticConfig[], ids: readonly string[]): Promise<Critic[]> {
    const critics = await Promise.all(selectCritics(configs, ids).map((config) => this.one(config)));
    const store = this.cache().cacheEnabled ? this.resultStore() : undefined;
    if (!store) return critics;
    this.pruner.afterRun();
    return critics.map((c) => (isCacheable(c) ? withCache(c, store, this.onStoreError) : c));
  }

  /** Drops a built critic so the next run builds it again (its key changed). */
  invalidate(criticId: string): void {
    const existing = this.built.get(criticId);
    if (!existing) return;
    this.built.delete(criticId);
    void existing.critic.then(
      (c) => c.dispose?.(),
      () => undefined,
    );
  }

  private one(config: CriticConfig): Promise<Critic> {
    // The identity reads what the config points to: an edited template or model folder builds the critic again.
    const key = `${JSON.stringify(config)}\n${editorCriticIdentity(config)}`;
    const existing = this.built.get(config.id);
    if (existing?.key === key) return existing.critic;
    if (existing)
      void existing.critic.then(
        (c) => c.dispose?.(),
        () => undefined,
      );
    const critic = createCritic(config, this.criticContext());
    this.built.set(config.id, { key, critic });
    // A failed build is not cached: fixing the setting and re-running must retry.
    critic.catch(() => this.built.get(config.id)?.critic === critic && this.built.delete(config.id));
    return critic;
  }

  private criticContext(): CriticContext {
    return {
      apiKey: (config) => this.apiKeys().get(config),
      keyHint: () => 'the key stored with "PRM Lens: Set API Key for Critic…"',
      baseDir: criticBaseDir(),
    };
  }

  dispose(): void {
    this.pruner.dispose();
    this.subscription?.dispose();
    for (const { critic } of this.built.values())
      void critic.then(
        (c) => c.dispose?.(),
        () => undefined,
      );
    this.built.clear();
  }
}
