import * as vscode from 'vscode';
import { OPENAI_BASE_URL } from '../core/config/critics';
import { CriticConfig, CriticConfigError } from '../core/critics/types';

const PREFIX = 'prmLens.apiKey.';

/** The server a critic talks to, as its factory reads it (trailing slashes dropped, OpenAI's API by default). */
export function criticBaseURL(config: CriticConfig): string {
  return typeof config.baseURL === 'string' ? config.baseURL.replace(/\/+$/, '') : OPENAI_BASE_URL;
}

/**
 * API keys of critics, by critic id, in VS Code's SecretStorage (the OS keychain): never in settings or files.
 * Each key is bound to the server it was entered for: if a critic with that id later points elsewhere (say a
 * workspace redefines it), the key is not sent there.
 */
export class ApiKeys {
  constructor(private readonly secrets: vscode.SecretStorage) {}

  /** The key for this critic's server; undefined when none is stored; an error when it was stored for another server. */
  async get(config: CriticConfig): Promise<string | undefined> {
    const stored = await this.secrets.get(PREFIX + config.id);
    if (!stored) return undefined;
    const { key, baseURL } = JSON.parse(stored) as { key: string; baseURL: string };
    if (baseURL !== criticBaseURL(config)) {
      throw new CriticConfigError(
        `critic "${config.id}": its API key was stored for ${baseURL}, but the critic now points at ${criticBaseURL(config)}; run "PRM Lens: Set API Key for Critic…" again to send the key there`,
        config.id,
        'baseURL',
      );
    }
    return key;
  }

  async has(criticId: string): Promise<boolean> {
    return (await this.secrets.get(PREFIX + criticId)) !== undefined;
  }

  async set(config: CriticConfig, key: string): Promise<void> {
    await this.secrets.store(PREFIX + config.id, JSON.stringify({ key, baseURL: criticBaseURL(config) }));
  }

  async delete(criticId: string): Promise<void> {
    await this.secrets.delete(PREFIX + criticId);
  }

  /** Fires with the critic id whose key was stored or removed (also from another window). */
  onDidChange(listener: (criticId: string) => void): vscode.Disposable {
    return this.secrets.onDidChange((e) => e.key.startsWith(PREFIX) && listener(e.key.slice(PREFIX.length)));
  }
}

/** Critic types that talk to a server and may need a key. */
const REMOTE_TYPES = new Set(['openai-critic', 'chat-prm', 'vllm-pooling']);

/**
 * "PRM Lens: Set API Key for Critic…": pick a configured remote critic, paste its key (hidden input); an empty
 * input removes the stored key. Arguments (critic id, key) skip the prompts, for tests and keybindings.
 */
export function registerApiKeyCommand(
  secrets: vscode.SecretStorage,
  critics: () => readonly CriticConfig[],
): vscode.Disposable {
  const keys = new ApiKeys(secrets);
  return vscode.commands.registerCommand('prmLens.setApiKey', async (idArg?: unknown, keyArg?: unknown) => {
    const remote = critics().filter((c) => REMOTE_TYPES.has(c.type));
    let config = typeof idArg === 'string' ? remote.find((c) => c.id === idArg) : undefined;
    if (typeof idArg === 'string' && !config) {
      void vscode.window.showErrorMessage(`PRM Lens: no remote critic "${idArg}" in prmLens.critics.`);
      return false;
    }
    if (!config) {
      if (remote.length === 0) {
        void vscode.window.showInformationMessage(
          'PRM Lens: no remote critics are configured. Add one to the setting prmLens.critics (type openai-critic, chat-prm or vllm-pooling) first.',
        );
        return false;
      }
      const items = await Promise.all(
        remote.map(async (c) => ({
          label: c.id,
          description: `${c.type} · ${criticBaseURL(c)}`,
          detail: (await keys.has(c.id)) ? 'a key is stored' : 'no key stored',
          config: c,
        })),
      );
      config = (await vscode.window.showQuickPick(items, { title: 'PRM Lens: set the API key of which critic?' }))
        ?.config;
      if (!config) return false;
    }
    const criticId = config.id;
    const key =
      typeof keyArg === 'string'
        ? keyArg
        : await vscode.window.showInputBox({
            title: `PRM Lens: API key for critic "${criticId}"`,
            prompt: `Stored in VS Code's secret storage (the OS keychain), never in settings, and sent only to ${criticBaseURL(config)}. Leave empty to remove the stored key.`,
            password: true,
            ignoreFocusOut: true,
          });
    if (key === undefined) return false;
    if (key.trim() === '') {
      await keys.delete(criticId);
      void vscode.window.showInformationMessage(`PRM Lens: removed the API key of critic "${criticId}".`);
    } else {
      await keys.set(config, key.trim());
      void vscode.window.showInformationMessage(
        `PRM Lens: stored the API key of critic "${criticId}" for ${criticBaseURL(config)}.`,
      );
    }
    return true;
  });
}
