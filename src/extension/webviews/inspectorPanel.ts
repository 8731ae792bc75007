import * as vscode from 'vscode';
import { stepAt } from '../../core/analysis/marks';
import { buildInspectorModel } from '../../views/inspector';
import {
  isInspectorState,
  isInspectorToHost,
  type HostToInspector,
  type InspectorToHost,
  type ItemContext,
} from '../../protocol/messages';
import { severityName } from '../liveSettings';
import { inspectorIcon, inspectorIconState } from '../markStyle';
import type { AnalysisSource, Scorer, SettingsSource } from '../ports';
import { displayName, isDerivedDocument, markdownUri } from '../report';
import { webviewOptions } from './html';
import type { HumanLabelStore } from './humanLabels';
import { WebviewHost } from './webviewHost';

export interface InspectorDeps {
  extensionUri: vscode.Uri;
  analyses: AnalysisSource;
  scorer: Scorer;
  settings: SettingsSource;
  labels: HumanLabelStore;
  /** The dataset item a read-only item document shows, if it is one. */
  itemContext(uri: vscode.Uri): ItemContext | undefined;
  log: vscode.LogOutputChannel;
}

/** What tests and other extensions can read about the open step inspector. */
export interface InspectorSnapshot {
  uri: string | undefined;
  title: string;
  /** The tab's icon, a file of media/: the first error's icon only when a critic found an error. */
  icon: string;
}

const FOLLOWED_LANGUAGES = new Set(['markdown', 'plaintext']);

/** The step inspector: at most one panel, opened on a document or brought back after a window reload. */
export class Inspector implements vscode.Disposable {
  static readonly viewType = 'prmLens.inspector';
  private current: InspectorPanel | undefined;

  constructor(private readonly deps: InspectorDeps) {}

  /** Opens the inspector (or brings it forward) on `uri`. */
  show(uri: vscode.Uri | undefined, column: vscode.ViewColumn = vscode.ViewColumn.Beside): void {
    if (this.current) {
      this.current.panel.reveal(undefined, true);
      if (uri) this.current.follow(uri);
      return;
    }
    const where = { viewColumn: column, preserveFocus: true };
    const options = webviewOptions(this.deps.extensionUri);
    const panel = vscode.window.createWebviewPanel(Inspector.viewType, 'Step Inspector', where, options);
    this.open(panel, uri);
  }

  /** The serializer's entry point after a window reload. */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    this.current?.dispose();
    this.open(panel, isInspectorState(state) && state.uri ? vscode.Uri.parse(state.uri) : undefined);
  }

  snapshot(): InspectorSnapshot | undefined {
    return this.current?.snapshot();
  }

  private open(panel: vscode.WebviewPanel, uri: vscode.Uri | undefined): void {
    const opened: InspectorPanel = new InspectorPanel(panel, this.deps, uri, () => {
      if (this.current === opened) this.current = undefined;
    });
    this.current = opened;
  }

  dispose(): void {
    this.current?.dispose();
  }
}

/**
 * The inspector's panel: shows the analysis of the current solution file (or dataset item), follows the active
 * editor, and stays in sync with it both ways (click a step → the editor selects it; move the cursor → the panel
 * highlights the step).
 */
class InspectorPanel {
  private uri: vscode.Uri | undefined;
  private readonly host: WebviewHost<InspectorToHost, HostToInspector>;
  private icon = '';

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: InspectorDeps,
    uri: vscode.Uri | undefined,
    onDispose: () => void,
  ) {
    this.uri = uri ?? this.activeSolutionUri();
    this.host = new WebviewHost(panel, {
      entry: 'inspector',
      title: 'Step Inspector',
      extensionUri: deps.extensionUri,
      log: deps.log,
      accepts: isInspectorToHost,
      onMessage: (msg) => this.onMessage(msg),
      onDispose,
    });
    this.updateTitle();
    this.updateIcon();
    this.host.own(
      deps.analyses.onDidChangeAnalysis((changed) => changed.toString() === this.uri?.toString() && this.push()),
      deps.labels.onDidChange((key) => key === this.uri?.toString() && this.push()),
      deps.settings.onDidChange(() => this.updateIcon()),
      vscode.window.onDidChangeActiveTextEditor(
        (editor) => editor && this.isSolution(editor.document) && this.follow(editor.document.uri),
      ),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        // Only the person's own cursor moves: echoing the selections that the panel's reveals make would race
        // with further keyboard moves in the panel and pull its current step back.
        const byPerson =
          e.kind === vscode.TextEditorSelectionChangeKind.Keyboard ||
          e.kind === vscode.TextEditorSelectionChangeKind.Mouse;
        if (byPerson && e.textEditor.document.uri.toString() === this.uri?.toString()) this.highlight(e.textEditor);
      }),
    );
  }

  snapshot(): InspectorSnapshot {
    return { uri: this.uri?.toString(), title: this.panel.title, icon: this.icon };
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

  /** The tab's icon says whether an error was found in the document shown (in the first error's severity). */
  private updateIcon(): void {
    const analysis = this.uri && this.deps.analyses.analysis(this.uri);
    const severity = severityName(this.deps.settings.current.severity);
    const icon = inspectorIcon(inspectorIconState(analysis || undefined), severity);
    if (icon === this.icon) return;
    this.icon = icon;
    this.panel.iconPath = vscode.Uri.joinPath(this.deps.extensionUri, 'media', icon);
  }

  /** Sends the current analysis (or why there is none) to the webview. */
  private push(): void {
    this.updateIcon();
    const uri = this.uri;
    if (!uri) {
      const message = 'Open a markdown or text file with a solution, then run “PRM Lens: Score Steps in Current File”.';
      this.host.post({ type: 'inspector/empty', title: 'Step Inspector', message });
      return;
    }
    const analysis = this.deps.analyses.analysis(uri);
    const title = displayName(uri);
    if (!analysis) {
      const message = 'This file is not scored (or it changed since). Score it to see its steps.';
      this.host.post({ type: 'inspector/empty', uri: uri.toString(), title, message });
      return;
    }
    const settings = this.deps.settings.current;
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
    this.host.post({ type: 'inspector/model', model });
    const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    if (editor) this.highlight(editor);
  }

  private highlight(editor: vscode.TextEditor): void {
    const analysis = this.deps.analyses.analysis(editor.document.uri);
    if (!analysis) return;
    const index = stepAt(analysis.segmentation.steps, editor.document.offsetAt(editor.selection.active));
    this.host.post({ type: 'inspector/highlight', step: index < 0 ? null : index });
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
        const analysis = this.uri && this.deps.analyses.analysis(this.uri);
        if (!this.uri || !analysis) return;
        const steps = analysis.segmentation.steps.map((s) => s.text);
        await this.deps.labels.set(this.uri.toString(), analysis.document.problem, steps, msg.step, msg.label);
        return;
      }
      case 'inspector/openReport': {
        if (!this.uri) return;
        const markdown = markdownUri(this.uri, this.deps.analyses.analysis(this.uri));
        const report = await vscode.workspace.openTextDocument(markdown);
        await vscode.window.showTextDocument(report, { viewColumn: vscode.ViewColumn.Beside, preview: true });
        return;
      }
      case 'inspector/exportLabels':
        await vscode.commands.executeCommand('prmLens.exportStepLabels');
        return;
    }
  }

  /** Selects the step in an editor showing the document (opening one if needed), keeping focus in the panel. */
  private async reveal(step: number): Promise<void> {
    const uri = this.uri;
    const analysis = uri && this.deps.analyses.analysis(uri);
    const span = analysis?.segmentation.steps[step];
    if (!uri || !span) return;
    const doc = await vscode.workspace.openTextDocument(uri);
    const range = new vscode.Range(doc.positionAt(span.start), doc.positionAt(span.end));
    const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
    const column =
      visible?.viewColumn ??
      (this.panel.viewColumn === vscode.ViewColumn.One ? vscode.ViewColumn.Two : vscode.ViewColumn.One);
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: column,
      preserveFocus: true,
      preview: false,
      selection: range,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  }

  private async rescore(criticId: string | undefined): Promise<void> {
    if (!this.uri) return;
    const doc = await vscode.workspace.openTextDocument(this.uri);
    this.host.post({ type: 'inspector/running', running: true });
    try {
      if (criticId) await this.deps.scorer.rescoreCritic(doc, criticId);
      else await this.deps.scorer.score(doc);
    } finally {
      this.host.post({ type: 'inspector/running', running: false });
      this.push();
    }
  }

  dispose(): void {
    this.host.dispose();
  }
}
