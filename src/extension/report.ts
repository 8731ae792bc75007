import * as vscode from 'vscode';
import * as path from 'node:path';
import { analysisReportMarkdown } from '../core/analysis/describe';
import { ScoreController } from './controller';

export const REPORT_SCHEME = 'prm-lens-report';

/** Read-only markdown documents describing a scored file; they refresh when the file is re-scored. */
export class ReportProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: ScoreController) {
    this.subscription = controller.onDidChangeAnalysis((source) => this.changed.fire(reportUri(source)));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const source = vscode.Uri.parse(uri.query);
    const analysis = this.controller.analysis(source);
    const title = displayName(source);
    if (!analysis) return `# PRM Lens: ${title}\n\nNot scored (or edited since). Run **PRM Lens: Score Steps in Current File** on it.\n`;
    return analysisReportMarkdown(analysis, title);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function reportUri(source: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/${displayName(source)} · PRM Lens.md`, query: source.toString() });
}

function displayName(uri: vscode.Uri): string {
  return uri.scheme === 'untitled' ? uri.path : path.posix.basename(uri.path);
}
