import * as vscode from 'vscode';
import { StepMark, StepMarkKind } from '../core/analysis/marks';

/** Owns the decoration types and turns step marks into editor decorations. */
export class DecorationPainter implements vscode.Disposable {
  private readonly kinds: Record<StepMarkKind, vscode.TextEditorDecorationType>;
  private readonly firstErrorSpan: vscode.TextEditorDecorationType;
  private readonly firstErrorGutter: vscode.TextEditorDecorationType;

  constructor(extensionUri: vscode.Uri) {
    const color = (id: string) => new vscode.ThemeColor(`prmLens.${id}`);
    const create = vscode.window.createTextEditorDecorationType;
    this.kinds = {
      good: create({ backgroundColor: color('goodStepBackground'), rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed }),
      uncertain: create({ backgroundColor: color('uncertainStepBackground'), rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed }),
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
    this.firstErrorGutter = create({
      gutterIconPath: vscode.Uri.joinPath(extensionUri, 'media', 'first-error.svg'),
      gutterIconSize: 'contain',
    });
  }

  paint(editor: vscode.TextEditor, marks: readonly StepMark[]): void {
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
    editor.setDecorations(this.firstErrorGutter, gutters);
  }

  clear(editor: vscode.TextEditor): void {
    this.paint(editor, []);
  }

  dispose(): void {
    for (const type of Object.values(this.kinds)) type.dispose();
    this.firstErrorSpan.dispose();
    this.firstErrorGutter.dispose();
  }
}
