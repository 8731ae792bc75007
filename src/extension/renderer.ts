import * as vscode from 'vscode';
import type { Analysis } from '../core/analysis/analyze';
import { computeStepMarks, StepMark } from '../core/analysis/marks';
import { sectionSummaries } from '../views/inspector';
import type { AnalysisStore } from './analysisStore';
import { firstErrorIcon, SeverityName } from './markStyle';
import { severityName } from './liveSettings';
import { DecorationPainter, TraceMarks } from './painter';
import type { SettingsSource } from './ports';
import type { RunScheduler } from './scheduler';
import { StepStatusBar } from './statusBar';

/** What the editor shows of a document's first error, for tests and other extensions. */
export interface MarksSnapshot {
  /** `prmLens.diagnosticSeverity`, used by the diagnostics and the gutter icon alike. */
  severity: SeverityName;
  /** The primary critic's first error: its step (0-based), first line (0-based) and gutter icon (a file of media/). */
  firstError: { step: number; line: number; gutterIcon: string } | null;
  /** A trace file's section markers: the line (0-based) each is shown after, and its text. */
  sectionMarkers?: { line: number; text: string }[];
}

const VERDICT_ICON = { correct: '✓', incorrect: '✗', unknown: '·' } as const;

/**
 * The thinking span and a marker per section ("verification · worst 0.420 ✗") of a scored trace. The marker follows
 * the last line of the section's first step: a paragraph's head line is often as wide as the editor, which clipped it.
 */
export function traceMarks(analysis: Analysis): TraceMarks | undefined {
  if (!analysis.trace) return undefined;
  const thinking = analysis.trace.parts.filter((p) => p.kind === 'thinking').map(({ start, end }) => ({ start, end }));
  const sections = analysis.trace.sections;
  const markers = sectionSummaries(analysis).map((s, i) => {
    const worst = s.worstScore === null ? '' : ` · worst ${s.worstScore.toFixed(3)}`;
    const head = analysis.segmentation.steps[sections[i].firstStep];
    return { offset: head ? head.end : sections[i].start, text: `${s.kind}${worst} ${VERDICT_ICON[s.verdict]}` };
  });
  return { thinking, markers };
}

/**
 * Draws the store's analyses: step decorations in every visible editor of a document, a diagnostic per critic's
 * first error, and the status bar for the active editor. Redraws when an analysis, the visible editors, the
 * settings or the running state change; it never scores.
 */
export class AnalysisRenderer implements vscode.Disposable {
  private readonly painter: DecorationPainter;
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('prm-lens');
  private readonly statusBar = new StepStatusBar();
  /** What each scored document is drawn with: its marks and the severity of its first error. */
  private readonly drawn = new Map<string, { marks: StepMark[]; severity: SeverityName; trace?: TraceMarks }>();
  private readonly subscriptions: { dispose(): void }[];

  constructor(
    extensionUri: vscode.Uri,
    private readonly store: AnalysisStore,
    private readonly scheduler: RunScheduler,
    private readonly settings: SettingsSource,
  ) {
    this.painter = new DecorationPainter(extensionUri);
    this.subscriptions = [
      store.onDidChangeAnalysis((uri) => this.render(uri)),
      scheduler.onDidChangeRunning(() => this.updateStatusBar()),
      // Thresholds and severity change how the same analyses look.
      settings.onDidChange(() => {
        for (const doc of vscode.workspace.textDocuments) if (this.store.isFollowed(doc.uri)) this.render(doc.uri);
      }),
      vscode.window.onDidChangeVisibleTextEditors((editors) => editors.forEach((e) => this.paint(e))),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateStatusBar()),
    ];
  }

  snapshot(uri: string): MarksSnapshot | undefined {
    const drawn = this.drawn.get(uri);
    if (!drawn) return undefined;
    const { marks, severity, trace } = drawn;
    const first = marks.find((m) => m.firstError);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri);
    const sectionMarkers = doc && trace?.markers.map((m) => ({ line: doc.positionAt(m.offset).line, text: m.text }));
    const extra = sectionMarkers ? { sectionMarkers } : {};
    if (!first || !doc) return { severity, firstError: null, ...extra };
    const line = doc.positionAt(first.start).line;
    return { severity, firstError: { step: first.stepIndex, line, gutterIcon: firstErrorIcon(severity) }, ...extra };
  }

  private render(uri: vscode.Uri): void {
    const key = uri.toString();
    const analysis = this.store.analysis(uri);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    if (!analysis || !doc) {
      this.drawn.delete(key);
      this.diagnostics.delete(uri);
      for (const editor of vscode.window.visibleTextEditors) {
        if (editor.document.uri.toString() === key) this.painter.clear(editor);
      }
      this.updateStatusBar();
      return;
    }
    const { steps } = analysis.segmentation;
    const { thresholds, severity } = this.settings.current;
    const marks = computeStepMarks(steps, analysis.results[0], thresholds);
    const trace = traceMarks(analysis);
    this.drawn.set(key, { marks, severity: severityName(severity), ...(trace ? { trace } : {}) });
    for (const editor of vscode.window.visibleTextEditors) if (editor.document === doc) this.paint(editor);
    const diagnostics = analysis.results
      .filter((r) => r.firstError !== null && r.firstError >= 0)
      .map((r) => {
        const step = steps[r.firstError as number];
        const reason = r.steps[step.index]?.reason ?? 'judged incorrect';
        const range = new vscode.Range(doc.positionAt(step.start), doc.positionAt(step.end));
        const message = `First error (${r.criticId}): step ${step.index + 1}: ${reason}`;
        const d = new vscode.Diagnostic(range, message, severity);
        d.source = 'PRM Lens';
        d.code = r.criticId;
        return d;
      });
    this.diagnostics.set(uri, diagnostics);
    this.updateStatusBar();
  }

  private paint(editor: vscode.TextEditor): void {
    const drawn = this.drawn.get(editor.document.uri.toString());
    if (drawn) this.painter.paint(editor, drawn.marks, drawn.severity, drawn.trace);
  }

  private updateStatusBar(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const analysis = uri && this.store.analysis(uri);
    if (!uri || !this.store.isFollowed(uri)) this.statusBar.hide();
    else if (this.scheduler.isRunning(uri.toString())) this.statusBar.busy();
    else if (analysis) this.statusBar.show(analysis);
    else this.statusBar.hide();
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    this.painter.dispose();
    this.statusBar.dispose();
    this.diagnostics.dispose();
  }
}
