import * as vscode from 'vscode';
import * as path from 'node:path';
import { Analysis } from '../core/analysis/analyze';
import { analysisReportMarkdown } from '../core/analysis/describe';
import { isCachedResult } from '../core/critics/cache';
import { comparisonMarkdown } from '../core/analysis/compareReport';
import type { AnalysisSource } from './ports';

/** Schemes of the documents derived from a scored file: views of a solution, never solutions themselves. */
export const DERIVED_SCHEMES = { report: 'prm-lens-report', comparison: 'prm-lens-compare' } as const;

export function isDerivedDocument(uri: vscode.Uri): boolean {
  return (Object.values(DERIVED_SCHEMES) as string[]).includes(uri.scheme);
}

/** A kind of read-only markdown document derived from a scored file (the details report, the comparison). */
export interface AnalysisDocumentKind {
  scheme: string;
  /** Appended to the source file's name in the document's path, e.g. " · PRM Lens.md". */
  suffix: string;
  render(analysis: Analysis, title: string): string;
  /** What the document says when the file has no current analysis. */
  notScored(title: string): string;
}

/** Serves one kind of derived document; each refreshes whenever its source file is re-scored or edited. */
export class AnalysisDocumentProvider implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly analyses: AnalysisSource,
    private readonly kind: AnalysisDocumentKind,
  ) {
    this.subscription = analyses.onDidChangeAnalysis((source) => this.changed.fire(documentUri(kind, source)));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    const source = vscode.Uri.parse(uri.query);
    const analysis = this.analyses.analysis(source);
    const title = displayName(source);
    return analysis ? this.kind.render(analysis, title) : this.kind.notScored(title);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function documentUri(kind: AnalysisDocumentKind, source: vscode.Uri): vscode.Uri {
  return vscode.Uri.from({
    scheme: kind.scheme,
    path: `/${displayName(source)}${kind.suffix}`,
    query: source.toString(),
  });
}

/** A file's name for titles: the basename, or the untitled document's own name. */
export function displayName(uri: vscode.Uri): string {
  return uri.scheme === 'untitled' ? uri.path : path.posix.basename(uri.path);
}

export const REPORT: AnalysisDocumentKind = {
  scheme: DERIVED_SCHEMES.report,
  suffix: ' · PRM Lens.md',
  render: analysisReportMarkdown,
  notScored: (title) =>
    `# PRM Lens: ${title}\n\nNot scored (or edited since). Run **PRM Lens: Score Steps in Current File** on it.\n`,
};

/** Read-only markdown comparisons of a file's critics, with their disagreements marked. */
export const COMPARISON: AnalysisDocumentKind = {
  scheme: DERIVED_SCHEMES.comparison,
  suffix: ' · critics compared.md',
  render: (analysis, title) => comparisonMarkdown(analysis, title, { isCached: isCachedResult }),
  notScored: (title) =>
    `# PRM Lens: critics compared on ${title}\n\nNot scored (or edited since). Run **PRM Lens: Compare Critics on Current File** on it.\n`,
};

/** The markdown form of a file's analysis: the comparison when several critics judged it, else the details report. */
export function markdownUri(source: vscode.Uri, analysis: Analysis | undefined): vscode.Uri {
  const critics = analysis ? analysis.results.length + analysis.failures.length : 0;
  return documentUri(critics > 1 ? COMPARISON : REPORT, source);
}
