import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildMetricsModel } from '../../views/metricsView';
import { metricsCsv, metricsMarkdown } from '../../views/metricsTable';
import { isMetricsState, isMetricsToHost, type HostToMetrics, type MetricsModel, type MetricsToHost } from '../../protocol/messages';
import type { ScoreController } from '../controller';
import { exportResults } from './datasetEditor';
import { criticIdentity as configKey } from '../../core/run/identity';
import type { DatasetSession } from '../../views/datasetSession';
import type { DatasetSessions } from './datasets';
import { webviewHtml, webviewOptions } from './html';

export interface MetricsDeps {
  context: vscode.ExtensionContext;
  controller: ScoreController;
  sessions: DatasetSessions;
  log: vscode.LogOutputChannel;
}

/** While a run streams results in, the metrics are recomputed at most this often. */
const RECOMPUTE_MS = 400;

/** The metrics of one dataset's results: tables, threshold sweeps, histograms, exports. One panel per dataset. */
export class MetricsPanel {
  static readonly viewType = 'prmLens.metrics';
  private static readonly panels = new Map<string, MetricsPanel>();

  private readonly session: DatasetSession;
  private readonly disposables: vscode.Disposable[] = [];
  private calibrationSubset: string | null;
  private model: MetricsModel | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  static show(deps: MetricsDeps, dataset: vscode.Uri): MetricsPanel {
    const existing = MetricsPanel.panels.get(dataset.toString());
    if (existing) {
      existing.panel.reveal(undefined, false);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(MetricsPanel.viewType, `Metrics: ${path.posix.basename(dataset.path)}`, vscode.ViewColumn.Beside, webviewOptions(deps.context.extensionUri));
    return new MetricsPanel(panel, deps, dataset, null);
  }

  /** Brings a panel back after a reload; without a readable saved state it says so instead of guessing. */
  static revive(deps: MetricsDeps, panel: vscode.WebviewPanel, state: unknown): void {
    if (isMetricsState(state) && state.dataset) {
      new MetricsPanel(panel, deps, vscode.Uri.parse(state.dataset), state.calibrationSubset ?? null);
      return;
    }
    panel.webview.options = webviewOptions(deps.context.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, deps.context.extensionUri, 'metrics', 'Metrics');
    const message: HostToMetrics = { type: 'metrics/model', model: null, message: 'This panel lost track of its dataset. Open the dataset and choose Metrics again.' };
    panel.webview.onDidReceiveMessage(() => void panel.webview.postMessage(message));
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: MetricsDeps,
    private readonly dataset: vscode.Uri,
    calibrationSubset: string | null,
  ) {
    this.calibrationSubset = calibrationSubset;
    this.session = deps.sessions.acquire(dataset);
    MetricsPanel.panels.set(dataset.toString(), this);
    panel.title = `Metrics: ${this.session.name}`;
    panel.webview.options = webviewOptions(deps.context.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, deps.context.extensionUri, 'metrics', `Metrics: ${this.session.name}`);
    const events = this.session.on((e) => (e.type === 'results' || e.type === 'loaded') && this.schedule());
    this.disposables.push(
      { dispose: () => events.dispose() },
      panel.onDidDispose(() => this.dispose()),
      panel.webview.onDidReceiveMessage((msg: unknown) => {
        if (isMetricsToHost(msg)) void this.onMessage(msg).catch((e: unknown) => this.fail(e));
        else deps.log.warn(`metrics: ignored an unexpected message ${JSON.stringify(msg)?.slice(0, 200)}`);
      }),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('prmLens.critics') && this.schedule()),
    );
  }

  private criticKeys(): { id: string; config: string }[] {
    return this.deps.controller.criticSettings().critics.map((c) => ({ id: c.id, config: configKey(c) }));
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.push().catch((e: unknown) => this.fail(e));
    }, RECOMPUTE_MS);
  }

  private async push(): Promise<void> {
    await this.session.loaded;
    if (this.disposed) return;
    const records = this.session.records(this.criticKeys());
    if (records.length === 0) {
      this.model = null;
      this.post({ type: 'metrics/model', model: null, message: `No results for ${this.session.name} yet: run a critic over it from the dataset view.`, dataset: this.dataset.toString() });
      return;
    }
    this.model = buildMetricsModel({ dataset: this.session.name, records, calibrationSubset: this.calibrationSubset, datasetItems: this.session.items.length });
    this.post({ type: 'metrics/model', model: this.model, dataset: this.dataset.toString(), calibrationSubset: this.calibrationSubset });
  }

  private post(message: HostToMetrics): void {
    void this.panel.webview.postMessage(message);
  }

  private async onMessage(msg: MetricsToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        return this.push();
      case 'metrics/calibrate':
        this.calibrationSubset = msg.subset;
        return this.push();
      case 'metrics/export':
        if (msg.what === 'results') {
          await exportResults(this.session, this.criticKeys());
          return;
        }
        return this.exportTable(msg.what);
    }
  }

  private async exportTable(what: 'csv' | 'markdown'): Promise<void> {
    if (!this.model) return;
    const ext = what === 'csv' ? 'csv' : 'md';
    const uri = await vscode.window.showSaveDialog({
      title: `PRM Lens: save the metrics as ${what === 'csv' ? 'CSV' : 'a Markdown table'}`,
      defaultUri: vscode.Uri.file(this.session.file.replace(/(\.[^./\\]+)?$/, `.metrics.${ext}`)),
      filters: what === 'csv' ? { CSV: ['csv'] } : { Markdown: ['md'] },
    });
    if (!uri) return;
    const text = what === 'csv' ? metricsCsv(this.model) : metricsMarkdown(this.model);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(`PRM Lens: wrote the metrics to ${vscode.workspace.asRelativePath(uri)}.`);
  }

  private fail(e: unknown): void {
    const message = e instanceof Error ? e.message : String(e);
    this.deps.log.error(`metrics: ${message}`);
    void vscode.window.showErrorMessage(`PRM Lens: ${message}`);
  }

  private dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    clearTimeout(this.timer);
    if (MetricsPanel.panels.get(this.dataset.toString()) === this) MetricsPanel.panels.delete(this.dataset.toString());
    for (const d of this.disposables) d.dispose();
    this.deps.sessions.release(this.dataset);
  }
}
