import * as vscode from 'vscode';
import { errorMessage } from '../core/util/errors';
import type { Scorer, SettingsSource, ShowInspector } from './ports';
import { cancelledMessage } from './scorer';
import { registerApiKeyCommand } from './secrets';

export interface CompareDeps {
  scorer: Scorer;
  showInspector: ShowInspector;
  settings: SettingsSource;
  log: vscode.LogOutputChannel;
}

/** The commands of remote critics: Compare Critics on Current File and Set API Key for Critic… */
export function registerRemoteCriticCommands(context: vscode.ExtensionContext, deps: CompareDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('prmLens.compareCritics', (a?: unknown, b?: unknown) => compareCritics(deps, a, b)),
    registerApiKeyCommand(context.secrets, () => deps.settings.current.critics),
  ];
}

/**
 * Runs several critics concurrently on the active file (picked in a multi-select quick pick, or given as an id
 * list argument), with a cancellable progress notification; then every verdict shows in the hovers and the
 * comparison report opens beside the file. Resolves to true when the comparison finished.
 */
async function compareCritics(deps: CompareDeps, a: unknown, b: unknown): Promise<boolean> {
  const { scorer, showInspector, log } = deps;
  const uriArg = a instanceof vscode.Uri ? a : undefined;
  const idsArg = [a, b].find((x): x is string[] => Array.isArray(x) && x.every((i) => typeof i === 'string'));
  const doc = uriArg
    ? (await vscode.window.showTextDocument(uriArg, { preview: false })).document
    : vscode.window.activeTextEditor?.document;
  if (!doc || !['markdown', 'plaintext'].includes(doc.languageId)) {
    void vscode.window.showInformationMessage(
      'PRM Lens: open a markdown or text file with a solution to compare critics on it.',
    );
    return false;
  }
  const settings = deps.settings.current;
  let ids = idsArg;
  if (!ids && settings.critics.length < 2) {
    suggestAddingCritic(settings.critics.map((c) => c.id));
    return false;
  }
  if (!ids) {
    const picked = await vscode.window.showQuickPick(
      settings.critics.map((c) => ({
        label: c.id,
        description: c.label ?? c.type,
        picked: settings.activeCritics.includes(c.id),
      })),
      {
        title: 'PRM Lens: compare which critics?',
        placeHolder: 'Pick two or more critics (configured in prmLens.critics)',
        canPickMany: true,
      },
    );
    if (!picked || picked.length === 0) return false;
    ids = picked.map((p) => p.label);
  }
  const criticIds = ids;
  const outcome = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `PRM Lens: comparing ${criticIds.length} critics`,
      cancellable: true,
    },
    async (progress, token) => {
      const cancel = new AbortController();
      token.onCancellationRequested(() => cancel.abort());
      let done = 0;
      progress.report({ message: `0 of ${criticIds.length} done` });
      try {
        const analysis = await scorer.score(doc, {
          criticIds,
          signal: cancel.signal,
          onCriticDone: (id) =>
            progress.report({
              increment: 100 / criticIds.length,
              message: `${++done} of ${criticIds.length} done (${id})`,
            }),
        });
        return analysis ? analysis : cancel.signal.aborted ? 'cancelled' : 'superseded';
      } catch (err) {
        void vscode.window.showErrorMessage(`PRM Lens: ${errorMessage(err)}`);
        return 'failed';
      }
    },
  );
  const cancelled = outcome === 'cancelled' || (typeof outcome === 'object' && outcome.cancelled === true);
  if (cancelled) {
    log.info(`${doc.uri.fsPath}: comparison cancelled`);
    const cached = deps.settings.current.cacheEnabled;
    const shown =
      typeof outcome === 'object' ? cancelledMessage('comparison', outcome) : 'PRM Lens: comparison cancelled.';
    void vscode.window.showInformationMessage(
      `${shown}${cached ? ' Results of remote critics that finished are cached: running it again continues from them.' : ''}`,
    );
  }
  if (typeof outcome !== 'object') return false;
  // The step inspector is the comparison view: a column per critic, disagreements marked (its "Open as Markdown"
  // gives the comparison report). Cancelled part-way, it shows the critics that finished.
  showInspector(doc.uri);
  return !cancelled;
}

/** Comparing needs two critics: says so, and offers to add one (the command resolves without waiting for that). */
function suggestAddingCritic(configured: readonly string[]): void {
  const only = configured.length === 1 ? `only "${configured[0]}" is configured` : 'no critic is configured';
  const message =
    `PRM Lens: comparing needs two or more critics, and ${only}. ` +
    'Add an API critic (an LLM judge or a PRM server) or a local model with "PRM Lens: Add Critic…".';
  void vscode.window.showInformationMessage(message, 'Add Critic…').then((choice) => {
    if (choice) void vscode.commands.executeCommand('prmLens.addCritic');
  });
}
