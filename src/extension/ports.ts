import type * as vscode from 'vscode';
import type { Analysis } from '../core/analysis/analyze';
import type { Critic } from '../core/critics/types';
import type { Settings } from './settings';

/**
 * The narrow interfaces that panels, providers and commands depend on; activate() passes the implementations
 * (AnalysisStore, DocumentScorer, LiveSettings, the critic pool, the Inspector) to them.
 */

/** Documents' latest analyses (offsets into the document's current version), and when they change. */
export interface AnalysisSource {
  analysis(uri: vscode.Uri): Analysis | undefined;
  /** Fires when a document's analysis appears, changes or is dropped. */
  readonly onDidChangeAnalysis: vscode.Event<vscode.Uri>;
}

/** How a run differs from Score Steps on the active critics. */
export interface ScoreOptions {
  /** Critics to run instead of `prmLens.activeCritics` (Compare Critics); re-scoring after an edit keeps them. */
  criticIds?: readonly string[];
  /** Cancels the run; the caller shows its own progress, so no delayed notification appears. */
  signal?: AbortSignal;
  /** Called as each critic finishes, for progress. */
  onCriticDone?: (criticId: string) => void;
}

/** Scores documents and keeps scoring them after edits until they are cleared or closed. */
export interface Scorer {
  /**
   * Segments and scores a document; resolves to undefined when the run was superseded, or cancelled before any
   * critic finished. Cancelled later, the critics that finished are shown (`analysis.cancelled`).
   */
  score(doc: vscode.TextDocument, options?: ScoreOptions): Promise<Analysis | undefined>;
  /** Re-runs one critic on the current steps, keeping the other critics' results. */
  rescoreCritic(doc: vscode.TextDocument, criticId: string): Promise<Analysis | undefined>;
  /** Drops a document's marks and stops re-scoring it until it is scored again. */
  clear(uri: vscode.Uri): void;
}

/** The extension's settings as last read, and when they change (after the new values are in place). */
export interface SettingsSource {
  readonly current: Settings;
  readonly onDidChange: vscode.Event<void>;
}

/** Built critics by id, from the pool the editor's runs use (so a local model is loaded once). */
export interface CriticProvider {
  getCritics(ids: readonly string[]): Promise<Critic[]>;
}

/** Opens the step inspector on a document (beside the active editor unless a column is given). */
export type ShowInspector = (uri: vscode.Uri, column?: vscode.ViewColumn) => void;
