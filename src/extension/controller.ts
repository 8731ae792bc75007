import * as vscode from 'vscode';
import { Analysis, analyzeText, judgeSteps } from '../core/analysis/analyze';
import { computeStepMarks, ScoreThresholds, StepMark } from '../core/analysis/marks';
import { CancelledError, Critic, CriticConfig, CriticResult } from '../core/critics/types';
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
  failures: { criticId: string; message: string; cancelled?: boolean }[];
  /** The run was cancelled: only the critics that had finished are in `results`. */
  cancelled: boolean;
  primaryCriticId: string | undefined;
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

interface DocState {
  criticIds?: readonly string[];
  analysis?: Analysis;
  marks?: StepMark[];
  version?: number;
  running?: AbortController;
  /** Counts runs, so a run that a newer one replaced never renders. */
  generation?: number;
  timer?: ReturnType<typeof setTimeout>;
}

const SEGMENTATION_OVERRIDES = 'prmLens.segmentationOverrides';
/** Scoring shows a cancellable notification only when it takes longer than this (the checker never does). */
const PROGRESS_NOTIFICATION_DELAY_MS = 800;

/** Scores documents on request, keeps each document's latest analysis and renders it in every visible editor. */
export class ScoreController implements vscode.Disposable {
  private readonly states = new Map<string, DocState>();
  private readonly critics: CriticPool;
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
    const onStoreError = (err: unknown) => log.warn(`result cache: ${err instanceof Error ? err.message : err}`);
    this.critics = new CriticPool(context, () => this.settings.cacheEnabled, onStoreError);
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
      cancelled: analysis.cancelled === true,
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

  /**
   * Segments and scores a document; resolves to undefined when the run was superseded, or cancelled before any
   * critic finished. Cancelled later, the critics that finished are shown (`analysis.cancelled`).
   */
  async score(doc: vscode.TextDocument, options: ScoreOptions = {}): Promise<Analysis | undefined> {
    const key = doc.uri.toString();
    const state = this.states.get(key) ?? {};
    this.states.set(key, state);
    clearTimeout(state.timer);
    state.running?.abort();
    const running = new AbortController();
    state.running = running;
    const generation = (state.generation ?? 0) + 1;
    state.generation = generation;
    state.criticIds = options.criticIds;
    if (options.signal?.aborted) running.abort();
    options.signal?.addEventListener('abort', () => running.abort(), { once: true });
    const version = doc.version;

    this.reportSettingErrors();
    const built = await this.critics.get(this.settings.critics, options.criticIds ?? this.settings.activeCritics);
    const done = options.onCriticDone;
    const critics = done ? built.map((c): Critic => ({ id: c.id, type: c.type, label: c.label, score: (input) => c.score(input).finally(() => done(c.id)) })) : built;
    const work = analyzeText(doc.getText(), this.segmentationFor(doc.uri), critics, running.signal, { keepFinished: true });
    this.updateStatusBar();
    const analysis = await (options.signal ? work : this.withDelayedProgress(work, running)).catch((err: unknown) => {
      if (err instanceof CancelledError) return undefined;
      throw err;
    }).finally(() => {
      if (state.running === running) state.running = undefined;
      this.updateStatusBar();
    });
    if (!analysis || state.generation !== generation || doc.version !== version || this.states.get(key) !== state) return undefined;

    state.analysis = analysis;
    state.version = version;
    state.marks = computeStepMarks(analysis.segmentation.steps, analysis.results[0], this.settings.thresholds);
    for (const f of analysis.failures) {
      if (f.cancelled) this.log.info(`${doc.uri.fsPath}: critic ${f.criticId} was cancelled before it finished`);
      else this.log.error(`${doc.uri.fsPath}: critic ${f.criticId} failed: ${f.message}`);
    }
    for (const r of analysis.results) this.log.info(`${doc.uri.fsPath}: ${r.criticId} scored ${analysis.segmentation.steps.length} steps in ${Math.round(r.timing.durationMs)} ms`);
    this.render(doc);
    // A caller with its own cancel button (Compare Critics) reports the cancellation itself.
    if (analysis.cancelled && !options.signal) void vscode.window.showInformationMessage(cancelledMessage('scoring', analysis));
    return analysis;
  }

  /**
   * Re-runs one critic on the document's current steps and replaces its result (or adds it), keeping the other
   * critics' results; scores the whole document when it has no current analysis. Resolves to undefined when the
   * document changed meanwhile.
   */
  async rescoreCritic(doc: vscode.TextDocument, criticId: string): Promise<Analysis | undefined> {
    const state = this.states.get(doc.uri.toString());
    const analysis = state?.analysis;
    if (!state || !analysis || state.version !== doc.version || state.running) return this.score(doc);
    const critics = await this.getCritics([criticId]);
    const steps = analysis.segmentation.steps.map((s) => s.text);
    const { results, failures } = await judgeSteps(critics, analysis.document.problem, steps);
    if (state.analysis !== analysis || state.version !== doc.version) return undefined;
    const others = analysis.results.filter((r) => r.criticId !== criticId);
    const at = analysis.results.findIndex((r) => r.criticId === criticId);
    const merged = [...others];
    if (results[0]) merged.splice(at < 0 ? merged.length : at, 0, results[0]);
    state.analysis = { ...analysis, results: merged, failures: [...analysis.failures.filter((f) => f.criticId !== criticId), ...failures] };
    state.marks = computeStepMarks(analysis.segmentation.steps, state.analysis.results[0], this.settings.thresholds);
    for (const f of failures) this.log.error(`${doc.uri.fsPath}: critic ${f.criticId} failed: ${f.message}`);
    this.render(doc);
    return state.analysis;
  }

  /** Builds (or reuses) critics by id: the same pool as the editor's runs, so a local model is loaded once. */
  getCritics(ids: readonly string[]): Promise<Critic[]> {
    return this.critics.get(this.settings.critics, ids);
  }

  /** The configured critics (built-in ones included), the ids Score Steps runs, and the mark thresholds. */
  criticSettings(): { critics: readonly CriticConfig[]; active: readonly string[]; thresholds: ScoreThresholds } {
    return { critics: this.settings.critics, active: this.settings.activeCritics, thresholds: this.settings.thresholds };
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
      state.timer = setTimeout(() => this.score(doc, { criticIds: state.criticIds }).catch((err: unknown) => this.log.error(`re-scoring ${doc.uri.fsPath}: ${String(err)}`)), this.settings.rescoreDelayMs);
    }
  }

  private onSettingsChanged(): void {
    this.settings = readSettings();
    for (const editor of vscode.window.visibleTextEditors) {
      const state = this.states.get(editor.document.uri.toString());
      if (state?.analysis) void this.score(editor.document, { criticIds: state.criticIds }).catch((err: unknown) => this.log.error(String(err)));
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

/** "PRM Lens: scoring cancelled. Showing checker; not finished: judge." */
export function cancelledMessage(what: string, analysis: Analysis): string {
  const finished = analysis.results.map((r) => r.criticId).join(', ');
  const unfinished = analysis.failures.filter((f) => f.cancelled).map((f) => f.criticId).join(', ');
  return `PRM Lens: ${what} cancelled. Showing ${finished}${unfinished ? `; not finished: ${unfinished}` : ''}.`;
}
