import * as vscode from 'vscode';
import { StepMark, StepMarkKind } from '../core/analysis/marks';
import { firstErrorIcon, SeverityName } from './markStyle';

const SEVERITIES: readonly SeverityName[] = ['error', 'warning', 'information'];

/** What a trace file adds: its thinking spans (a left border) and a marker after each section's first line. */
export interface TraceMarks {
  thinking: { start: number; end: number }[];
  markers: { offset: number; text: string }[];
}

/** Owns the decoration types and turns step marks into editor decorations. */
export class DecorationPainter implements vscode.Disposable {
  private readonly kinds: Record<StepMarkKind, vscode.TextEditorDecorationType>;
  private readonly firstErrorSpan: vscode.TextEditorDecorationType;
  /** One gutter type per severity: the first error's icon is the icon of its diagnostic's severity. */
  private readonly firstErrorGutter: Record<SeverityName, vscode.TextEditorDecorationType>;
  private readonly thinkingLines: vscode.TextEditorDecorationType;
  private readonly sectionMarker: vscode.TextEditorDecorationType;

  constructor(extensionUri: vscode.Uri) {
    const color = (id: string) => new vscode.ThemeColor(`prmLens.${id}`);
    const create = vscode.window.createTextEditorDecorationType;
    this.kinds = {
      good: create({
        backgroundColor: color('goodStepBackground'),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      uncertain: create({
        backgroundColor: color('uncertainStepBackground'),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      bad: create({
        backgroundColor: color('badStepBackground'),
        overviewRulerColor: color('badStepOverviewRuler'),
        overviewRulerLane: vscode.OverviewRulerLane.Center,
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
      none: create({
        borderWidth: '0 0 1px 0',
        borderStyle: 'dotted',
        borderColor: color('unjudgedStepBorder'),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }),
    };
    this.firstErrorSpan = create({
      borderWidth: '1px',
      borderStyle: 'solid',
      borderColor: color('firstErrorBorder'),
      borderRadius: '3px',
      overviewRulerColor: color('firstErrorOverviewRuler'),
      overviewRulerLane: vscode.OverviewRulerLane.Full,
      rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
    });
    // A separate empty-range type so the gutter icon and label appear once, on the step's first line.
    const gutter = (severity: SeverityName) =>
      create({
        gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', firstErrorIcon(severity)),
        gutterIconSize: 'contain',
      });
    this.firstErrorGutter = { error: gutter('error'), warning: gutter('warning'), information: gutter('information') };
    this.thinkingLines = create({
      isWholeLine: true,
      borderWidth: '0 0 0 2px',
      borderStyle: 'solid',
      borderColor: color('thinkingBorder'),
    });
    this.sectionMarker = create({
      after: { color: color('sectionMarkerForeground'), margin: '0 0 0 2em', fontStyle: 'italic' },
    });
  }

  paint(editor: vscode.TextEditor, marks: readonly StepMark[], severity: SeverityName, trace?: TraceMarks): void {
    const doc = editor.document;
    const byKind: Record<StepMarkKind, vscode.Range[]> = { good: [], uncertain: [], bad: [], none: [] };
    const firstSpans: vscode.Range[] = [];
    const gutters: vscode.Range[] = [];
    for (const mark of marks) {
      const range = new vscode.Range(doc.positionAt(mark.start), doc.positionAt(mark.end));
      byKind[mark.kind].push(range);
      if (mark.firstError) {
        firstSpans.push(range);
        gutters.push(new vscode.Range(range.start, range.start));
      }
    }
    for (const kind of Object.keys(byKind) as StepMarkKind[]) editor.setDecorations(this.kinds[kind], byKind[kind]);
    editor.setDecorations(this.firstErrorSpan, firstSpans);
    for (const s of SEVERITIES) editor.setDecorations(this.firstErrorGutter[s], s === severity ? gutters : []);
    const span = (start: number, end: number) => new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    editor.setDecorations(this.thinkingLines, trace?.thinking.map((t) => span(t.start, t.end)) ?? []);
    const markers = (trace?.markers ?? []).map((m) => {
      const end = doc.lineAt(doc.positionAt(m.offset).line).range.end;
      return { range: new vscode.Range(end, end), renderOptions: { after: { contentText: m.text } } };
    });
    editor.setDecorations(this.sectionMarker, markers);
  }

  clear(editor: vscode.TextEditor): void {
    this.paint(editor, [], 'error');
  }

  dispose(): void {
    for (const type of Object.values(this.kinds)) type.dispose();
    this.firstErrorSpan.dispose();
    for (const type of Object.values(this.firstErrorGutter)) type.dispose();
    this.thinkingLines.dispose();
    this.sectionMarker.dispose();
  }
}
