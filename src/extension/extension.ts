import * as vscode from 'vscode';
import { AnalysisSnapshot, ScoreController } from './controller';
import { registerCommands } from './commands';
import { registerRemoteCriticCommands } from './compare';
import { StepHoverProvider } from './hover';
import { registerLocalModels } from './localModels';
import { AnalysisDocumentProvider, COMPARISON, REPORT } from './report';
import { registerWebviews } from './webviews';

/** The API returned by `activate()`, for tests and other extensions. */
export interface PrmLensApi {
  getAnalysis(uri: string): AnalysisSnapshot | undefined;
}

export function activate(context: vscode.ExtensionContext): PrmLensApi {
  const log = vscode.window.createOutputChannel('PRM Lens', { log: true });
  const controller = new ScoreController(context, log);
  context.subscriptions.push(log, controller);
  // The markdown forms of an analysis: the details report and the critics' comparison.
  for (const kind of [REPORT, COMPARISON]) {
    const provider = new AnalysisDocumentProvider(controller, kind);
    context.subscriptions.push(provider, vscode.workspace.registerTextDocumentContentProvider(kind.scheme, provider));
  }
  context.subscriptions.push(
    vscode.languages.registerHoverProvider([{ language: 'markdown' }, { language: 'plaintext' }], new StepHoverProvider(controller)),
    ...registerCommands(controller),
    ...registerRemoteCriticCommands(context, controller, log),
    ...registerWebviews(context, controller, log),
    ...registerLocalModels(log),
  );
  return { getAnalysis: (uri) => controller.snapshot(uri) };
}
