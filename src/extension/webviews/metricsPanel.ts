import * as path from 'node:path';
import * as vscode from 'vscode';
import { buildMetricsModel } from '../../views/metricsView';
import { metricsCsv, metricsMarkdown } from '../../views/metricsTable';
import {
  isMetricsState,
  isMetricsToHost,
  type HostToMetrics,
  type MetricsModel,
  type MetricsToHost,
} from '../../protocol/messages';
import type { SettingsSource } from '../ports';
import { exportResults } from './datasetEditor';
import { editorCriticIdentity } from '../criticPool';
import type { DatasetSession } from '../../views/datasetSession';
import type { DatasetSessions } from './datasets';
import { webviewOptions } from './html';
import { WebviewHost } from './webviewHost';

export interface MetricsDeps {
  extensionUri: vscode.Uri;
  settings: SettingsSource;
  sessions: DatasetSessions;
  log: vscode.LogOutputChannel;
}

/** While a run streams results in, the metrics are recomputed at most this often. */
const RECOMPUTE_MS = 400;

/** The metrics panels, one per dataset: opened from a dataset view or a command, or brought back after a reload. */
export class MetricsPanels implements vscode.Disposable {
  static readonly viewType = 'prmLens.metrics';
  private readonly panels = new Map<string, MetricsPanel>();

  constructor(private readonly deps: MetricsDeps) {}

  show(dataset: vscode.Uri): void {
    const existing = this.panels.get(dataset.toString());
    if (existing) {
      existing.panel.reveal(undefined, false);
      return;
    }
    const title = `Metrics: ${path.posix.basename(dataset.path)}`;
    const options = webviewOptions(this.deps.extensionUri);
    const panel = vscode.window.createWebviewPanel(MetricsPanels.viewType, title, vscode.ViewColumn.Beside, options);
    this.open(panel, dataset, null);
  }

  /** Brings a panel back after a reload; without a readable saved state it says so instead of guessing. */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    if (isMetricsState(state) && state.dataset) {
      this.open(panel, vscode.Uri.parse(state.dataset), state.calibrationSubset ?? null);
      return;
    }
    const message = 'This panel lost track of its dataset. Open the dataset and choose Metrics again.';
    const lost: HostToMetrics = { type: 'metrics/model', model: null, message };
    const host: WebviewHost<MetricsToHost, HostToMetrics> = new WebviewHost(panel, {
      entry: 'metrics',
      title: 'Metrics',
      extensionUri: this.deps.extensionUri,
      log: this.deps.log,
      accepts: isMetricsToHost,
      onMessage: () => host.post(lost),
    });
  }

  private open(panel: vscode.WebviewPanel, dataset: vscode.Uri, calibrationSubset: string | null): void {
    const key = dataset.toString();
    const opened: MetricsPanel = new MetricsPanel(panel, this.deps, dataset, calibrationSubset, () => {
      if (this.panels.get(key) === opened) this.panels.delete(key);
    });
    this.panels.set(key, opened);
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
  }
}

/** The metrics of one dataset's results: tables, threshold sweeps, histograms, exports. */
class MetricsPanel {
  private readonly session: DatasetSession;
  private readonly host: WebviewHost<MetricsToHost, HostToMetrics>;
  private calibrationSubset: string | null;
  private model: MetricsModel | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: MetricsDeps,
    private readonly dataset: vscode.Uri,
    calibrationSubset: string | null,
    onDispose: () => void,
  ) {
    this.calibrationSubset = calibrationSubset;
    this.session = deps.sessions.acquire(dataset);
    panel.title = `Metrics: ${this.session.name}`;
    this.host = new WebviewHost(panel, {
      entry: 'metrics',
      title: `Metrics: ${this.session.name}`,
      extensionUri: deps.extensionUri,
      log: deps.log,
      accepts: isMetricsToHost,
      onMessage: (msg) => this.onMessage(msg),
      onDispose: () => {
        clearTimeout(this.timer);
        deps.sessions.release(dataset);
        onDispose();
      },
    });
    const events = this.session.on((e) => (e.type === 'results' || e.type === 'loaded') && this.schedule());
    this.host.own(
      { dispose: () => events.dispose() },
      deps.settings.onDidChange(() => this.schedule()),
    );
  }

  private criticKeys(): { id: string; config: string }[] {
    return this.deps.settings.current.critics.map((c) => ({ id: c.id, config: editorCriticIdentity(c) }));
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.push().catch((e: unknown) => this.host.report(e));
    }, RECOMPUTE_MS);
  }

  private async push(): Promise<void> {
    await this.session.loaded;
    if (this.host.isDisposed) return;
    const records = this.session.records(this.criticKeys());
    if (records.length === 0) {
      this.model = null;
      const message = `No results for ${this.session.name} yet: run a critic over it from the dataset view.`;
      this.host.post({ type: 'metrics/model', model: null, message, dataset: this.dataset.toString() });
      return;
    }
    this.model = buildMetricsModel({
      dataset: this.session.name,
      records,
      calibrationSubset: this.calibrationSubset,
      datasetItems: this.session.items.length,
    });
    const { model, calibrationSubset } = this;
    this.host.post({ type: 'metrics/model', model, dataset: this.dataset.toString(), calibrationSubset });
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
    void vscode.window.showInformationMessage(
      `PRM Lens: wrote the metrics to ${vscode.workspace.asRelativePath(uri)}.`,
    );
  }

  dispose(): void {
    this.host.dispose();
  }
}
