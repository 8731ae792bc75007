import * as vscode from 'vscode';
import { stepAt } from '../../core/analysis/marks';
import { buildInspectorModel } from '../../views/inspector';
import { HostToInspector, isInspectorState, isInspectorToHost, type InspectorToHost, type ItemContext } from '../../protocol/messages';
import type { ScoreController } from '../controller';
import { displayName, isDerivedDocument, markdownUri } from '../report';
import { webviewHtml, webviewOptions } from './html';
import type { HumanLabelStore } from './humanLabels';

export interface InspectorDeps {
  context: vscode.ExtensionContext;
  controller: ScoreController;
  labels: HumanLabelStore;
  /** The dataset item a read-only item document shows, if it is one. */
  itemContext(uri: vscode.Uri): ItemContext | undefined;
  log: vscode.LogOutputChannel;
}

const FOLLOWED_LANGUAGES = new Set(['markdown', 'plaintext']);

/**
 * The step inspector: one panel that shows the analysis of the current solution file (or dataset item), follows
 * the active editor, and stays in sync with it both ways (click a step → the editor selects it; move the cursor →
 * the panel highlights the step).
 */
export class InspectorPanel implements vscode.Disposable {
  static readonly viewType = 'prmLens.inspector';
  private static current: InspectorPanel | undefined;

  private uri: vscode.Uri | undefined;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  /** Opens the inspector (or brings it forward) on `uri`. */
  static show(deps: InspectorDeps, uri: vscode.Uri | undefined, column = vscode.ViewColumn.Beside): InspectorPanel {
    const existing = InspectorPanel.current;
    if (existing) {
      existing.panel.reveal(undefined, true);
      if (uri) existing.follow(uri);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(InspectorPanel.viewType, 'Step Inspector', { viewColumn: column, preserveFocus: true }, webviewOptions(deps.context.extensionUri));
    return new InspectorPanel(panel, deps, uri);
  }

  /** Brings a panel back after a window reload (the serializer's entry point). */
  static revive(deps: InspectorDeps, panel: vscode.WebviewPanel, state: unknown): InspectorPanel {
    InspectorPanel.current?.panel.dispose();
    const uri = isInspectorState(state) && state.uri ? vscode.Uri.parse(state.uri) : undefined;
    return new InspectorPanel(panel, deps, uri);
  }

  static get instance(): InspectorPanel | undefined {
    return InspectorPanel.current;
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: InspectorDeps,
    uri: vscode.Uri | undefined,
  ) {
    InspectorPanel.current = this;
    this.uri = uri ?? this.activeSolutionUri();
    panel.iconPath = vscode.Uri.joinPath(deps.context.extensionUri, 'media', 'first-error.svg');
    panel.webview.options = webviewOptions(deps.context.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, deps.context.extensionUri, 'inspector', 'Step Inspector');
    this.updateTitle();
    this.disposables.push(
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((msg: unknown) => {
        if (isInspectorToHost(msg)) void this.onMessage(msg).catch((e: unknown) => this.fail(e));
        else deps.log.warn(`inspector: ignored an unexpected message ${JSON.stringify(msg)?.slice(0, 200)}`);
      }),
      deps.controller.onDidChangeAnalysis((changed) => changed.toString() === this.uri?.toString() && this.push()),
      deps.labels.onDidChange((key) => key === this.uri?.toString() && this.push()),
      vscode.window.onDidChangeActiveTextEditor((editor) => editor && this.isSolution(editor.document) && this.follow(editor.document.uri)),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        // Only the person's own cursor moves: echoing the selections that the panel's reveals make would race
        // with further keyboard moves in the panel and pull its current step back.
        const byPerson = e.kind === vscode.TextEditorSelectionChangeKind.Keyboard || e.kind === vscode.TextEditorSelectionChangeKind.Mouse;
        if (byPerson && e.textEditor.document.uri.toString() === this.uri?.toString()) this.highlight(e.textEditor);
      }),
    );
  }

  /** Shows another document's analysis. */
  follow(uri: vscode.Uri): void {
    if (uri.toString() === this.uri?.toString()) return;
    this.uri = uri;
    this.updateTitle();
    this.push();
  }

  private isSolution(doc: vscode.TextDocument): boolean {
    return FOLLOWED_LANGUAGES.has(doc.languageId) && doc.uri.scheme !== 'output' && !isDerivedDocument(doc.uri);
  }

  private activeSolutionUri(): vscode.Uri | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    return doc && this.isSolution(doc) ? doc.uri : undefined;
  }

  private updateTitle(): void {
    this.panel.title = this.uri ? `Steps: ${displayName(this.uri)}` : 'Step Inspector';
  }

  private post(message: HostToInspector): void {
    void this.panel.webview.postMessage(message);
  }

  /** Sends the current analysis (or why there is none) to the webview. */
  private push(): void {
    const uri = this.uri;
    if (!uri) {
      this.post({ type: 'inspector/empty', title: 'Step Inspector', message: 'Open a markdown or text file with a solution, then run “PRM Lens: Score Steps in Current File”.' });
      return;
    }
    const analysis = this.deps.controller.analysis(uri);
    const title = displayName(uri);
    if (!analysis) {
      this.post({ type: 'inspector/empty', uri: uri.toString(), title, message: 'This file is not scored (or it changed since). Score it to see its steps.' });
      return;
    }
    const settings = this.deps.controller.criticSettings();
    const steps = analysis.segmentation.steps.map((s) => s.text);
    const item = this.deps.itemContext(uri);
    const model = buildInspectorModel({
      uri: uri.toString(),
      title: item ? `${item.id} · ${item.subset}` : title,
      analysis,
      thresholds: settings.thresholds,
      labels: settings.critics,
      humanLabels: this.deps.labels.labels(uri.toString(), steps),
      ...(item ? { item } : {}),
    });
    this.post({ type: 'inspector/model', model });
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (editor) this.highlight(editor);
  }

  private highlight(editor: vscode.TextEditor): void {
    const analysis = this.deps.controller.analysis(editor.document.uri);
    if (!analysis) return;
    const index = stepAt(analysis.segmentation.steps, editor.document.offsetAt(editor.selection.active));
    this.post({ type: 'inspector/highlight', step: index < 0 ? null : index });
  }

  private async onMessage(msg: InspectorToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.push();
        return;
      case 'inspector/reveal':
        return this.reveal(msg.step);
      case 'inspector/score':
      case 'inspector/rerun':
        return this.rescore(msg.type === 'inspector/rerun' ? msg.criticId : undefined);
      case 'inspector/label': {
        const analysis = this.uri && this.deps.controller.analysis(this.uri);
        if (!this.uri || !analysis) return;
        const steps = analysis.segmentation.steps.map((s) => s.text);
        await this.deps.labels.set(this.uri.toString(), analysis.document.problem, steps, msg.step, msg.label);
        return;
      }
      case 'inspector/openReport':
        if (!this.uri) return;
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(markdownUri(this.uri, this.deps.controller.analysis(this.uri))), { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return;
      case 'inspector/exportLabels':
        await vscode.commands.executeCommand('prmLens.exportStepLabels');
        return;
    }
  }

  /** Selects the step in an editor showing the document (opening one if needed), keeping focus in the panel. */
  private async reveal(step: number): Promise<void> {
    const uri = this.uri;
    const analysis = uri && this.deps.controller.analysis(uri);
    const span = analysis?.segmentation.steps[step];
    if (!uri || !span) return;
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const column = visible?.viewColumn ?? (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: column, preserveFocus: true, preview: false, selection: range });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async rescore(criticId: string | undefined): Promise<void> {
    if (!this.uri) return;
    const doc = await vscode.workspace.openTextDocument(this.uri);
    this.post({ type: 'inspector/running', running: true });
    try {
      if (criticId) await this.deps.controller.rescoreCritic(doc, criticId);
      else await this.deps.controller.score(doc);
    } finally {
      this.post({ type: 'inspector/running', running: false });
      this.push();
    }
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.deps.log.error(`inspector: ${message}`);
    void vscode.window.showErrorMessage(`PRM Lens: ${message}`);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (InspectorPanel.current === this) InspectorPanel.current = undefined;
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.panel.dispose();
  }
}
