import * as vscode from 'vscode';
import { AnalysisSnapshot, ScoreController } from './controller';
import { registerCommands } from './commands';
import { registerRemoteCriticCommands } from './compare';
import { Config } from './config';
import { StepHoverProvider } from './hover';
import { registerLocalModels } from './localModels';
import { AnalysisDocumentProvider, COMPARISON, REPORT } from './report';
import { bindConfig } from './settings';
import { registerWebviews } from './webviews';

/** The API returned by `activate()`, for tests and other extensions. */
export interface PrmLensApi {
  getAnalysis(uri: string): AnalysisSnapshot | undefined;
}

export function activate(context: vscode.ExtensionContext): PrmLensApi {
  const log = vscode.window.createOutputChannel('PRM Lens', { log: true });
  const config = new Config(log);
  // The controller reads its settings through readSettings(): bound before it is made.
  context.subscriptions.push(log, config, bindConfig(config));
  const controller = new ScoreController(context, log);
  context.subscriptions.push(controller);
  // The markdown forms of an analysis: the details report and the critics' comparison.
  for (const kind of [REPORT, COMPARISON]) {
    const provider = new AnalysisDocumentProvider(controller, kind);
    context.subscriptions.push(provider, vscode.workspace.registerTextDocumentContentProvider(kind.scheme, provider));
  }
  context.subscriptions.push(
    vscode.languages.registerHoverProvider([{ language: 'markdown' }, { language: 'plaintext' }], new StepHoverProvider(controller)),
    ...registerCommands(controller),
    ...registerRemoteCriticCommands(context, controller, config, log),
    ...registerWebviews(context, controller, log),
    ...registerLocalModels(config, log),
  );
  return { getAnalysis: (uri) => controller.snapshot(uri) };
}
