import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis/analyze';
import type { CriticResult } from '../core/critics/types';
import type { AnalysisSource } from './ports';

/** What tests and other extensions can read about a scored document (offsets are UTF-16, indices 0-based). */
export interface AnalysisSnapshot {
  uri: string;
  version: number;
  segmentation: {
    strategy: string;
    reason: string;
    steps: { index: number; start: number; end: number; text: string }[];
  };
  results: CriticResult[];
  failures: { criticId: string; message: string; cancelled?: boolean }[];
  /** The run was cancelled: only the critics that had finished are in `results`. */
  cancelled: boolean;
  primaryCriticId: string | undefined;
}

interface Followed {
  /** The critics a re-score after an edit runs (undefined: the active ones). */
  criticIds?: readonly string[];
  /** The latest analysis, of document version `version`; dropped as soon as the text changes. */
  current?: { analysis: Analysis; version: number };
}

/**
 * The documents PRM Lens follows (scored once, re-scored after edits until cleared or closed) and the latest
 * analysis of each. Only state: scoring, timing and drawing are elsewhere.
 */
export class AnalysisStore implements AnalysisSource, vscode.Disposable {
  private readonly docs = new Map<string, Followed>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChangeAnalysis = this.changed.event;

  /** Follows a document (or keeps following it) with these critics. */
  follow(uri: vscode.Uri, criticIds: readonly string[] | undefined): void {
    const key = uri.toString();
    const doc = this.docs.get(key) ?? {};
    doc.criticIds = criticIds;
    this.docs.set(key, doc);
  }

  isFollowed(uri: vscode.Uri): boolean {
    return this.docs.has(uri.toString());
  }

  criticIds(uri: vscode.Uri): readonly string[] | undefined {
    return this.docs.get(uri.toString())?.criticIds;
  }

  analysis(uri: vscode.Uri): Analysis | undefined {
    return this.docs.get(uri.toString())?.current?.analysis;
  }

  /** The analysis with the document version it belongs to. */
  current(uri: vscode.Uri): { analysis: Analysis; version: number } | undefined {
    return this.docs.get(uri.toString())?.current;
  }

  /** Stores the analysis of a followed document's version (ignored when the document is no longer followed). */
  set(uri: vscode.Uri, version: number, analysis: Analysis): void {
    const doc = this.docs.get(uri.toString());
    if (!doc) return;
    doc.current = { analysis, version };
    this.changed.fire(uri);
  }

  /** Drops the analysis of a document whose text changed, still following it. */
  invalidate(uri: vscode.Uri): void {
    const doc = this.docs.get(uri.toString());
    if (!doc?.current) return;
    doc.current = undefined;
    this.changed.fire(uri);
  }

  /** Stops following a document and drops its analysis. */
  forget(uri: vscode.Uri): void {
    if (!this.docs.delete(uri.toString())) return;
    this.changed.fire(uri);
  }

  snapshot(uri: string): AnalysisSnapshot | undefined {
    const current = this.docs.get(uri)?.current;
    if (!current) return undefined;
    const { analysis, version } = current;
    const { strategy, reason, steps } = analysis.segmentation;
    return {
      uri,
      version,
      segmentation: { strategy, reason, steps: steps.map((s) => ({ ...s })) },
      results: analysis.results,
      failures: analysis.failures,
      cancelled: analysis.cancelled === true,
      primaryCriticId: analysis.results[0]?.criticId,
    };
  }

  dispose(): void {
    this.docs.clear();
    this.changed.dispose();
  }
}
