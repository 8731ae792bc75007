import * as path from 'node:path';
import * as vscode from 'vscode';
import { CriticConfig } from '../core/critics/types';
import { defaultHostScript, OnnxRunner } from '../core/critics/onnx/runner';
import { onOnnxProgress, setOnnxSettings } from '../core/critics/onnx/settings';
import { ValidationReport } from '../core/critics/onnx/validate';
import { Config } from './config';
import { importHuggingFaceFolder, isHuggingFaceFolder } from './importModel';
import { errorMessage } from '../core/util/errors';

/**
 * Local ONNX PRMs in the editor: "PRM Lens: Add Local Model…" (pick a folder, validate it, add it as an `onnx`
 * critic), the `prmLens.onnx.*` settings, and a status bar item with the model's progress and token counts.
 */

export type AddLocalModelResult =
  { id: string; family: string; label: string; segmentation?: string } | { problems: string[] };

export interface AddLocalModelOptions {
  /** Critic id to use (default: from the model's name). */
  id?: string;
  /** Put the model first in `prmLens.activeCritics` (it then colours the steps) without asking. */
  use?: boolean;
  /** A Hugging Face folder is imported here without asking where (default: asks, proposing `<folder>-onnx`). */
  importTo?: string;
}

function applySettings(config: Config): void {
  const values = config.values();
  setOnnxSettings({ threads: values['onnx.threads'], idleUnloadSeconds: 60 * values['onnx.idleUnloadMinutes'] });
}

/** The entries of a critics setting that are objects (the registry reports the others). */
function criticEntries(raw: unknown): CriticConfig[] {
  return Array.isArray(raw) ? raw.filter((c): c is CriticConfig => typeof c === 'object' && c !== null) : [];
}

/** A critic id from a model name: "Qwen2.5-Math-PRM-7B" → "qwen2.5-math-prm-7b", made unique. */
function criticIdFor(name: string, taken: ReadonlySet<string>): string {
  const base =
    name
      .toLowerCase()
      .replace(/[^\w.-]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'local-model';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

async function pickFolder(arg: unknown): Promise<string | undefined> {
  if (typeof arg === 'string' && arg) return arg;
  if (arg instanceof vscode.Uri) return arg.fsPath;
  const picked = await vscode.window.showOpenDialog({
    canSelectFolders: true,
    canSelectFiles: false,
    canSelectMany: false,
    openLabel: 'Add Local Model',
    title: 'PRM Lens: choose a model folder (ONNX graph, tokenizer.json and prm.json, or a Hugging Face download)',
  });
  return picked?.[0]?.fsPath;
}

async function addLocalModel(
  config: Config,
  log: vscode.LogOutputChannel,
  folderArg: unknown,
  options: AddLocalModelOptions = {},
): Promise<AddLocalModelResult | undefined> {
  const picked = await pickFolder(folderArg);
  if (!picked) return undefined;
  let folder = path.resolve(picked);
  if (isHuggingFaceFolder(folder)) {
    const imported = await importHuggingFaceFolder(folder, log, options.importTo);
    if (!imported) return undefined;
    if ('problems' in imported) {
      log.error(
        `Add Local Model: ${folder} cannot be imported:\n${imported.problems.map((p) => `  - ${p}`).join('\n')}`,
      );
      void vscode.window.showErrorMessage(
        `PRM Lens: ${path.basename(folder)} cannot be imported: ${imported.problems[0]}`,
      );
      return imported;
    }
    folder = path.resolve(imported.out);
  }
  const runner = new OnnxRunner({ folder, hostScript: defaultHostScript(), threads: () => 0, idleMs: () => 0 });
  let report: ValidationReport;
  try {
    report = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `PRM Lens: checking ${path.basename(folder)}…` },
      () => runner.validate(),
    );
  } catch (err) {
    report = { folder, problems: [`${folder}: cannot be checked: ${errorMessage(err)}`] };
  } finally {
    runner.dispose();
  }
  if (report.problems.length > 0 || !report.spec) {
    const problems = report.problems.length > 0 ? report.problems : [`${folder}: no prm.json found`];
    log.error(`Add Local Model: ${folder} cannot be used:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    const more =
      problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    void vscode.window
      .showErrorMessage(
        `PRM Lens: ${path.basename(folder)} cannot be used as a local model: ${problems[0]}${more}`,
        'Show All Problems',
      )
      .then((choice) => choice && log.show(true));
    return { problems };
  }

  const spec = report.spec;
  const userCritics = criticEntries(config.userValue('critics'));
  const label = spec.name ?? path.basename(folder);
  const existing = userCritics.find(
    (c) => c.type === 'onnx' && typeof c.path === 'string' && path.resolve(c.path) === folder,
  );
  let id: string;
  if (existing) {
    id = existing.id;
  } else {
    const taken = new Set(['checker', ...[...userCritics, ...criticEntries(config.values().critics)].map((c) => c.id)]);
    id = options.id ?? criticIdFor(label, taken);
    await config.update('critics', [...userCritics, { id, type: 'onnx', path: folder, label }], 'user');
  }
  log.info(`Add Local Model: ${folder} (${spec.family}) is critic "${id}"`);

  // The model was trained on steps split its own way (prm.json "segmentation"): scoring with it uses that split, or
  // its scores would be read on steps it never saw in training.
  const split = spec.segmentation;
  const use = async () => {
    const target = config.hasWorkspaceValue('activeCritics') ? 'workspace' : 'user';
    const current = config.values().activeCritics;
    await config.update('activeCritics', [id, ...current.filter((c) => c !== id)], target);
    if (split && config.values()['segmentation.strategy'] !== split) {
      const where = config.hasWorkspaceValue('segmentation.strategy') ? 'workspace' : 'user';
      await config.update('segmentation.strategy', split, where);
      log.info(`Add Local Model: steps are now split with "${split}", as ${label}'s reference code does`);
    }
  };
  if (options.use) {
    await use();
  } else {
    const what = existing ? `is already the critic "${id}"` : `was added as the critic "${id}"`;
    const splitNote = split ? ` Scoring with it splits steps with "${split}", as its reference code does.` : '';
    void vscode.window
      .showInformationMessage(
        `PRM Lens: ${label} (${spec.family}) ${what}.${splitNote}`,
        'Score with It',
        'Open Settings',
      )
      .then(async (choice) => {
        if (choice === 'Score with It') {
          await use();
          if (vscode.window.activeTextEditor) await vscode.commands.executeCommand('prmLens.scoreCurrentFile');
        } else if (choice === 'Open Settings') {
          await vscode.commands.executeCommand('workbench.action.openSettings', 'prmLens.critics');
        }
      });
  }
  return { id, family: spec.family, label, ...(spec.segmentation ? { segmentation: spec.segmentation } : {}) };
}

/** Shows what a local model is doing: loading, tokens of the forward pass running now. */
class ProgressItem implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('prmLens.localModel', vscode.StatusBarAlignment.Right, 99);
  private readonly running = new Map<string, string>();

  constructor() {
    this.item.name = 'PRM Lens local model';
  }

  update(criticId: string, text: string | undefined): void {
    if (text === undefined) this.running.delete(criticId);
    else this.running.set(criticId, text);
    if (this.running.size === 0) {
      this.item.hide();
      return;
    }
    this.item.text = `$(loading~spin) ${[...this.running.values()].join(' · ')}`;
    this.item.tooltip = 'PRM Lens is running a local model (cancel from the scoring notification)';
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

export function registerLocalModels(config: Config, log: vscode.LogOutputChannel): vscode.Disposable[] {
  applySettings(config);
  const progress = new ProgressItem();
  return [
    progress,
    onOnnxProgress((e) => {
      if (e.progress?.stage === 'loading') log.info(`${e.criticId}: ${e.progress.message}`);
      progress.update(e.criticId, e.progress && `${e.label}: ${e.progress.message}`);
    }),
    config.onDidChange(() => applySettings(config)),
    vscode.commands.registerCommand('prmLens.addLocalModel', (folder?: unknown, options?: AddLocalModelOptions) =>
      addLocalModel(config, log, folder, options),
    ),
  ];
}
