import * as vscode from 'vscode';
import { AnalysisSnapshot, ScoreController } from './controller';
import { registerCommands } from './commands';
import { StepHoverProvider } from './hover';
import { REPORT_SCHEME, ReportProvider } from './report';

/** The API returned by `activate()`, for tests and other extensions. */
export interface PrmLensApi {
  getAnalysis(uri: string): AnalysisSnapshot | undefined;
}

export function activate(context: vscode.ExtensionContext): PrmLensApi {
  const log = vscode.window.createOutputChannel('PRM Lens', { log: true });
  const controller = new ScoreController(context, log);
  const reports = new ReportProvider(controller);
  context.subscriptions.push(
    log,
    controller,
    reports,
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reports),
    vscode.languages.registerHoverProvider([{ language: 'markdown' }, { language: 'plaintext' }], new StepHoverProvider(controller)),
    ...registerCommands(controller),
  );
  return { getAnalysis: (uri) => controller.snapshot(uri) };
}
