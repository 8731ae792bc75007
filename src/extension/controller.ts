import * as vscode from 'vscode';
import { Analysis, analyzeText } from '../core/analysis/analyze';
import { computeStepMarks, StepMark } from '../core/analysis/marks';
import { CancelledError, CriticResult } from '../core/critics/types';
import { SegmentOptions } from '../core/segment/types';
import { CriticPool } from './criticPool';
import { DecorationPainter } from './painter';
import { readSettings, Settings } from './settings';
import { StepStatusBar } from './statusBar';

/** What tests and other extensions can read about a scored document (offsets are UTF-16, indices 0-based). */
export interface AnalysisSnapshot {
  uri: string;
  version: number;
  segmentation: { strategy: string; reason: string; steps: { index: number; start: number; end: number; text: string }[] };
  results: CriticResult[];
  failures: { criticId: string; message: string }[];
  primaryCriticId: string | undefined;
}

interface DocState {
  analysis?: Analysis;
  marks?: StepMark[];
  version?: number;
  running?: AbortController;
  timer?: ReturnType<typeof setTimeout>;
}

const SEGMENTATION_OVERRIDES = 'prmLens.segmentationOverrides';
/** Scoring shows a cancellable notification only when it takes longer than this (the checker never does). */
const PROGRESS_NOTIFICATION_DELAY_MS = 800;

/** Scores documents on request, keeps each document's latest analysis and renders it in every visible editor. */
export class ScoreController implements vscode.Disposable {
  private readonly states = new Map<string, DocState>();
  private readonly critics = new CriticPool();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('prm-lens');
  private readonly painter: DecorationPainter;
  private readonly statusBar = new StepStatusBar();
  private readonly changedEmitter = new vscode.EventEmitter<vscode.Uri>();
  private readonly disposables: vscode.Disposable[] = [];
  private settings: Settings = readSettings();
  private reportedSettingErrors = '';

  /** Fires when a document's analysis appears, changes or is cleared. */
  readonly onDidChangeAnalysis = this.changedEmitter.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.painter = new DecorationPainter(context.extensionUri);
    this.disposables.push(
      vscode.workspace.onDidChangeTextDocument((e) => e.contentChanges.length > 0 && this.onEdit(e.document)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.clear(doc.uri)),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.paint(e))),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatusBar()),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('prmLens') && this.onSettingsChanged()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.onSettingsChanged()),
    );
  }

  analysis(uri: vscode.Uri): Analysis | undefined {
    return this.states.get(uri.toString())?.analysis;
  }

  snapshot(uri: string): AnalysisSnapshot | undefined {
    const state = this.states.get(uri);
    const analysis = state?.analysis;
    if (!analysis || state.version === undefined) return undefined;
    const { strategy, reason, steps } = analysis.segmentation;
    return {
      uri,
      version: state.version,
      segmentation: { strategy, reason, steps: steps.map((s) => ({ ...s })) },
      results: analysis.results,
      failures: analysis.failures,
      primaryCriticId: analysis.results[0]?.criticId,
    };
  }

  segmentationFor(uri: vscode.Uri): SegmentOptions {
    const overrides = this.context.workspaceState.get<Record<string, SegmentOptions>>(SEGMENTATION_OVERRIDES, {});
    return { ...this.settings.segmentation, ...overrides[uri.toString()] };
  }

  async setSegmentation(uri: vscode.Uri, options: SegmentOptions): Promise<void> {
    const overrides = { ...this.context.workspaceState.get<Record<string, SegmentOptions>>(SEGMENTATION_OVERRIDES, {}) };
    overrides[uri.toString()] = options;
    await this.context.workspaceState.update(SEGMENTATION_OVERRIDES, overrides);
  }

  /** Segments and scores a document; resolves to undefined when the run was superseded or cancelled. */
  async score(doc: vscode.TextDocument): Promise<Analysis | undefined> {
    const key = doc.uri.toString();
    const state = this.states.get(key) ?? {};
    this.states.set(key, state);
    clearTimeout(state.timer);
    state.running?.abort();
    const running = new AbortController();
    state.running = running;
    const version = doc.version;

    this.reportSettingErrors();
    const critics = await this.critics.get(this.settings.critics, this.settings.activeCritics);
    const work = analyzeText(doc.getText(), this.segmentationFor(doc.uri), critics, running.signal);
    this.updateStatusBar();
    const analysis = await this.withDelayedProgress(work, running).catch((err: unknown) => {
      if (err instanceof CancelledError) return undefined;
      throw err;
    }).finally(() => {
      if (state.running === running) state.running = undefined;
      this.updateStatusBar();
    });
    if (!analysis || running.signal.aborted || doc.version !== version || this.states.get(key) !== state) return undefined;

    state.analysis = analysis;
    state.version = version;
    state.marks = computeStepMarks(analysis.segmentation.steps, analysis.results[0], this.settings.thresholds);
    for (const f of analysis.failures) this.log.error(`${doc.uri.fsPath}: critic ${f.criticId} failed: ${f.message}`);
    for (const r of analysis.results) this.log.info(`${doc.uri.fsPath}: ${r.criticId} scored ${analysis.segmentation.steps.length} steps in ${Math.round(r.timing.durationMs)} ms`);
    this.render(doc);
    return analysis;
  }

  /** Drops a document's marks and stops re-scoring it until it is scored again. */
  clear(uri: vscode.Uri): void {
    const state = this.states.get(uri.toString());
    if (!state) return;
    clearTimeout(state.timer);
    state.running?.abort();
    this.states.delete(uri.toString());
    this.unrender(uri);
  }

  private onEdit(doc: vscode.TextDocument): void {
    const state = this.states.get(doc.uri.toString());
    if (!state) return;
    // Marks of an older version point at the wrong text: remove them now, re-score after a pause.
    state.running?.abort();
    if (state.analysis) {
      state.analysis = undefined;
      state.marks = undefined;
      state.version = undefined;
      this.unrender(doc.uri);
    }
    clearTimeout(state.timer);
    if (this.settings.autoRescore) {
      state.timer = setTimeout(() => this.score(doc).catch((err: unknown) => this.log.error(`re-scoring ${doc.uri.fsPath}: ${String(err)}`)), this.settings.rescoreDelayMs);
    }
  }

  private onSettingsChanged(): void {
    this.settings = readSettings();
    for (const editor of vscode.window.visibleTextEditors) {
      const state = this.states.get(editor.document.uri.toString());
      if (state?.analysis) void this.score(editor.document).catch((err: unknown) => this.log.error(String(err)));
    }
  }

  private render(doc: vscode.TextDocument): void {
    const state = this.states.get(doc.uri.toString());
    const analysis = state?.analysis;
    if (!analysis) return;
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === doc) this.paint(editor);
    const diagnostics = analysis.results
      .filter((r) => r.firstError !== null && r.firstError >= 0)
      .map((r) => {
        const step = analysis.segmentation.steps[r.firstError as number];
        const reason = r.steps[step.index]?.reason ?? 'judged incorrect';
        const d = new vscode.Diagnostic(new vscode.Range(doc.positionAt(step.start), doc.positionAt(step.end)), `First error (${r.criticId}): step ${step.index + 1}: ${reason}`, this.settings.severity);
        d.source = 'PRM Lens';
        d.code = r.criticId;
        return d;
      });
    this.diagnostics.set(doc.uri, diagnostics);
    this.updateStatusBar();
    this.changedEmitter.fire(doc.uri);
  }

  private unrender(uri: vscode.Uri): void {
    for (const editor of vscode.window.visibleTextEditors) if (editor.document.uri.toString() === uri.toString()) this.painter.clear(editor);
    this.diagnostics.delete(uri);
    this.updateStatusBar();
    this.changedEmitter.fire(uri);
  }

  private paint(editor: vscode.TextEditor): void {
    const marks = this.states.get(editor.document.uri.toString())?.marks;
    if (marks) this.painter.paint(editor, marks);
  }

  private updateStatusBar(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const state = doc && this.states.get(doc.uri.toString());
    if (!state) this.statusBar.hide();
    else if (state.running) this.statusBar.busy();
    else if (state.analysis) this.statusBar.show(state.analysis);
    else this.statusBar.hide();
  }

  private reportSettingErrors(): void {
    const errors = this.settings.criticErrors.join('\n');
    if (errors && errors !== this.reportedSettingErrors) {
      this.log.warn(errors);
      void vscode.window.showWarningMessage(`PRM Lens: ignoring invalid critics in settings. ${this.settings.criticErrors[0]}`);
    }
    this.reportedSettingErrors = errors;
  }

  private withDelayedProgress<T>(work: Promise<T>, running: AbortController): Promise<T> {
    const timer = setTimeout(() => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'PRM Lens: scoring steps', cancellable: true },
        (_progress, token) => {
          token.onCancellationRequested(() => running.abort());
          return work.catch(() => undefined);
        },
      );
    }, PROGRESS_NOTIFICATION_DELAY_MS);
    return work.finally(() => clearTimeout(timer));
  }

  dispose(): void {
    for (const state of this.states.values()) {
      clearTimeout(state.timer);
      state.running?.abort();
    }
    this.critics.dispose();
    this.painter.dispose();
    this.statusBar.dispose();
    this.diagnostics.dispose();
    this.changedEmitter.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
