import * as vscode from 'vscode';
import { OPENAI_BASE_URL } from '../core/config/critics';
import type { CriticConfig } from '../core/critics/types';
import {
  API_CRITIC_KINDS,
  apiCriticConfig,
  apiCriticKind,
  baseURLProblem,
  criticIdProblem,
  suggestCriticId,
  type ApiCriticKind,
} from './criticDraft';
import type { Config } from './config';
import { editorSettings } from './settings';

/** `prmLens.addCritic` with an argument skips the prompts (tests, keybindings): an API critic, or a model folder. */
export interface AddCriticArgs {
  type: string;
  baseURL?: string;
  model?: string;
  id?: string;
  apiKey?: string;
  /** type "onnx": the model folder (Add Local Model's argument). */
  folder?: string;
}

const LOCAL_MODEL = 'onnx';

function isAddCriticArgs(value: unknown): value is AddCriticArgs {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const optional = ['baseURL', 'model', 'id', 'apiKey', 'folder'];
  return typeof v.type === 'string' && optional.every((k) => v[k] === undefined || typeof v[k] === 'string');
}

/**
 * "PRM Lens: Add Critic…": walks through adding a critic that talks to a server (base URL, model, id, and an
 * optional API key stored with Set API Key's flow in SecretStorage) or a local model (Add Local Model's flow), and
 * writes it to `prmLens.critics`. Resolves to the new critic's id, or undefined when cancelled or refused.
 */
export function registerAddCritic(settings: Config, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand('prmLens.addCritic', async (arg?: unknown) => {
    const given = isAddCriticArgs(arg) ? arg : undefined;
    const type = given?.type ?? (await pickType());
    if (type === undefined) return undefined;
    if (type === LOCAL_MODEL) {
      const added = await vscode.commands.executeCommand<{ id?: string } | undefined>(
        'prmLens.addLocalModel',
        given?.folder,
      );
      return added?.id;
    }
    const kind = apiCriticKind(type);
    if (!kind) {
      const types = [...API_CRITIC_KINDS.map((k) => k.type), LOCAL_MODEL].join(', ');
      void vscode.window.showErrorMessage(`PRM Lens: cannot add a critic of type "${type}"; choose one of ${types}.`);
      return undefined;
    }
    const taken = new Set([...editorSettings(settings).critics.map((c) => c.id), ...listedIds(settings)]);
    const draft = given ? fromArgs(given, kind, taken) : await askForDraft(kind, taken);
    if (!draft) return undefined;
    const made = apiCriticConfig({ type: kind.type, ...draft }, taken);
    if ('problems' in made) {
      void vscode.window.showErrorMessage(`PRM Lens: the critic was not added. ${made.problems.join(' ')}`);
      return undefined;
    }
    const { config } = made;
    await appendCritic(settings, config);
    log.info(`Add Critic: "${config.id}" (${config.type}) at ${String(config.baseURL)}`);
    // The existing Set API Key flow binds the key to this critic's server and keeps it in SecretStorage.
    if (draft.apiKey?.trim()) await vscode.commands.executeCommand('prmLens.setApiKey', config.id, draft.apiKey.trim());
    const added = `PRM Lens: added the critic "${config.id}" (${kind.label}).`;
    void vscode.window.showInformationMessage(added, 'Compare Critics', 'Open Settings').then((choice) => {
      if (choice === 'Compare Critics') void vscode.commands.executeCommand('prmLens.compareCritics');
      else if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'prmLens.critics');
    });
    return config.id;
  });
}

interface Draft {
  id: string;
  baseURL: string;
  model?: string;
  apiKey?: string;
}

function fromArgs(args: AddCriticArgs, kind: ApiCriticKind, taken: ReadonlySet<string>): Draft {
  const baseURL = args.baseURL ?? kind.defaultURL;
  const id = args.id ?? suggestCriticId(args.model, kind.type, taken);
  return { id, baseURL, model: args.model, apiKey: args.apiKey };
}

async function pickType(): Promise<string | undefined> {
  const items = [
    ...API_CRITIC_KINDS.map((k) => ({
      label: `$(cloud) ${k.label}`,
      description: k.type,
      detail: k.description,
      type: k.type as string,
    })),
    {
      label: '$(folder) Local model…',
      description: LOCAL_MODEL,
      detail: 'a PRM folder (ONNX graph, tokenizer.json, prm.json) run on this machine',
      type: LOCAL_MODEL,
    },
  ];
  const title = 'PRM Lens: add which kind of critic?';
  const picked = await vscode.window.showQuickPick(items, { title, matchOnDetail: true });
  return picked?.type;
}

/** Base URL, model, id and key, one input box each; undefined when the person cancels one. */
async function askForDraft(kind: ApiCriticKind, taken: ReadonlySet<string>): Promise<Draft | undefined> {
  const title = (step: number) => `PRM Lens: Add Critic · ${kind.label} (${step}/4)`;
  const baseURL = await vscode.window.showInputBox({
    title: title(1),
    prompt: kind.urlPrompt,
    value: kind.defaultURL,
    validateInput: baseURLProblem,
    ignoreFocusOut: true,
  });
  if (baseURL === undefined) return undefined;
  const model = await vscode.window.showInputBox({
    title: title(2),
    prompt: kind.modelRequired
      ? `The model's name on the server (e.g. ${kind.modelExample}).`
      : `The model's name (e.g. ${kind.modelExample}); leave empty when the server serves one model.`,
    validateInput: (v) => (kind.modelRequired && !v.trim() ? "The model's name is required." : undefined),
    ignoreFocusOut: true,
  });
  if (model === undefined) return undefined;
  const id = await vscode.window.showInputBox({
    title: title(3),
    prompt: "The critic's id: how the editor, the inspector columns and result files name it.",
    value: suggestCriticId(model, kind.type, taken),
    validateInput: (v) => criticIdProblem(v, taken),
    ignoreFocusOut: true,
  });
  if (id === undefined) return undefined;
  const needsKey = baseURL.trim().replace(/\/+$/, '') === OPENAI_BASE_URL;
  const apiKey = await vscode.window.showInputBox({
    title: title(4),
    prompt:
      `${needsKey ? 'The API key (OpenAI needs one)' : 'The API key, if the server needs one; else leave empty'}. ` +
      `Kept in VS Code's secret storage (the OS keychain), never in settings, and sent only to ${baseURL.trim()}.`,
    password: true,
    ignoreFocusOut: true,
  });
  if (apiKey === undefined) return undefined;
  return { id, baseURL, model, apiKey };
}

/** The `prmLens.critics` lists of the user's settings and, when it defines one, of the workspace's. */
function criticSettingLists(config: Config): { user: unknown[]; workspace: unknown[] | undefined } {
  const user = config.userValue('critics');
  const workspace = config.workspaceValue('critics');
  return { user: Array.isArray(user) ? user : [], workspace: Array.isArray(workspace) ? workspace : undefined };
}

/** Ids in either list, valid or not (a new critic must not clash with one the person is still fixing). */
function listedIds(config: Config): string[] {
  const { user, workspace } = criticSettingLists(config);
  const id = (c: unknown) => (typeof c === 'object' && c !== null ? (c as Partial<CriticConfig>).id : undefined);
  return [...user, ...(workspace ?? [])].map(id).filter((i): i is string => typeof i === 'string');
}

/**
 * Appends a critic where the effective list comes from: the workspace's `prmLens.critics` when a trusted workspace
 * defines one (it replaces the user's list there), else the user's settings.
 */
async function appendCritic(config: Config, critic: CriticConfig): Promise<void> {
  const { user, workspace } = criticSettingLists(config);
  const inWorkspace = vscode.workspace.isTrusted && workspace !== undefined;
  const list = [...(inWorkspace ? workspace : user), critic];
  await config.update('critics', list, inWorkspace ? 'workspace' : 'user');
}
