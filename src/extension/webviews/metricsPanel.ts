import * as path from 'node:path';
import * as vscode from 'vscode';
import { withSolutionTexts, type SolutionText } from '../../views/bonProblemText';
import { buildMetricsModel } from '../../views/metricsView';
import { metricsCsv, metricsMarkdown } from '../../views/metricsTable';
import {
  isMetricsState,
  isMetricsToHost,
  type BonCurvesView,
  type BonProblemView,
  type MetricsIntervals,
  type HostToMetrics,
  type MetricsModel,
  type MetricsToHost,
} from '../../protocol/messages';
import type { ResultRecord } from '../../core/datasets/types';
import type { SettingsSource } from '../ports';
import { exportResults } from './datasetEditor';
import { editorCriticIdentity } from '../criticPool';
import type { DatasetSession } from '../../views/datasetSession';
import type { DatasetSessions } from './datasets';
import { webviewOptions } from './html';
import { LatestOnly } from './latestOnly';
import { StatsWorker, type BonOutcome } from './statsJobs';
import { WebviewHost } from './webviewHost';

export interface MetricsDeps {
  extensionUri: vscode.Uri;
  settings: SettingsSource;
  sessions: DatasetSessions;
  log: vscode.LogOutputChannel;
  /** Opens dataset item `i` in the editor with the step inspector (as the dataset view does). */
  openItem(dataset: vscode.Uri, i: number, column: vscode.ViewColumn): Promise<void>;
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
    this.open(panel, dataset, null, null);
  }

  /** Brings a panel back after a reload; without a readable saved state it says so instead of guessing. */
  revive(panel: vscode.WebviewPanel, state: unknown): void {
    if (isMetricsState(state) && state.dataset) {
      this.open(panel, vscode.Uri.parse(state.dataset), state.calibrationSubset ?? null, state.bonScore ?? null);
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

  private open(
    panel: vscode.WebviewPanel,
    dataset: vscode.Uri,
    calibrationSubset: string | null,
    bonScore: string | null,
  ): void {
    const key = dataset.toString();
    const opened: MetricsPanel = new MetricsPanel(panel, this.deps, dataset, { calibrationSubset, bonScore }, () => {
      if (this.panels.get(key) === opened) this.panels.delete(key);
    });
    this.panels.set(key, opened);
  }

  dispose(): void {
    for (const panel of [...this.panels.values()]) panel.dispose();
  }
}

/**
 * The metrics of one dataset's results: tables (with bootstrap intervals), threshold sweeps, histograms, exports;
 * for a dataset with several solutions per problem, best-of-n curves and a problem view.
 */
class MetricsPanel {
  private readonly session: DatasetSession;
  private readonly host: WebviewHost<MetricsToHost, HostToMetrics>;
  private calibrationSubset: string | null;
  private bonScore: string | null;
  private model: MetricsModel | null = null;
  private version = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly stats: StatsWorker;
  private readonly intervals = new LatestOnly();
  private readonly curves = new LatestOnly();
  /**
   * The results the curves were last asked for: a score change asks again with this very array, so the worker keeps
   * its joined samples (new results come through push, which any change to them schedules).
   */
  private bonResults: readonly ResultRecord[] | undefined;
  /** Counts the readings of the dataset (the worker reads its best-of-N samples again when it changes). */
  private reading = 0;
  /** The problem view shown: its solutions' ids, for opening them. */
  private problem: BonProblemView | null = null;
  /** What the exports add: the intervals of the model shown, and the curves shown. */
  private lastIntervals: MetricsIntervals | null = null;
  private lastCurves: BonCurvesView | null = null;
  /** Dataset item index by id, for opening solutions (rebuilt after a reload). */
  private itemIndex: Map<string, number> | undefined;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly deps: MetricsDeps,
    private readonly dataset: vscode.Uri,
    saved: { calibrationSubset: string | null; bonScore: string | null },
    onDispose: () => void,
  ) {
    this.calibrationSubset = saved.calibrationSubset;
    this.bonScore = saved.bonScore;
    this.stats = new StatsWorker(deps.extensionUri.fsPath);
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
        this.stats.dispose();
        deps.sessions.release(dataset);
        onDispose();
      },
    });
    const events = this.session.on((e) => {
      if (e.type === 'reset') {
        this.reading += 1;
        this.itemIndex = undefined;
      }
      if (e.type === 'results' || e.type === 'loaded') this.schedule();
    });
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
    const version = ++this.version;
    if (records.length === 0) {
      this.model = null;
      const message = `No results for ${this.session.name} yet: run a critic over it from the dataset view.`;
      this.host.post({ type: 'metrics/model', model: null, message, dataset: this.dataset.toString(), version });
      this.refreshBon(records);
      return;
    }
    this.model = buildMetricsModel({
      dataset: this.session.name,
      records,
      calibrationSubset: this.calibrationSubset,
      datasetItems: this.session.items.length,
    });
    const { model, calibrationSubset } = this;
    this.host.post({ type: 'metrics/model', model, dataset: this.dataset.toString(), calibrationSubset, version });
    // The intervals follow in their own message: 1,000 resamples per critic run in the worker thread.
    this.lastIntervals = null;
    this.intervals.run(async () => {
      const intervals = await this.stats.intervals(records);
      if (version === this.version) this.lastIntervals = intervals;
      this.host.post({ type: 'metrics/intervals', intervals, version });
    }, this.failed);
    // After the intervals: the worker takes one job at a time, and a first best-of-N job reads the whole file.
    this.refreshBon(records);
  }

  /** Reports a failure of background work unless the panel has gone (its worker was stopped with it). */
  private readonly failed = (e: unknown): void => {
    if (!this.host.isDisposed) this.host.report(e);
  };

  /** Best-of-n curves with the results joined, for a dataset with several solutions per problem (in the worker). */
  private refreshBon(results: readonly ResultRecord[]): void {
    // Solutions grouped by problem come in ProcessBench's layout or as scored samples (no dataset layout at all).
    const format = this.session.format;
    if (format !== null && format !== 'processbench') return;
    this.bonResults = results;
    const job = { file: this.session.file, reading: this.reading, results, score: this.bonScore };
    const post = ({ curves, issues }: BonOutcome) => {
      if (curves) this.bonScore = curves.score;
      const message = issues > 0 ? `${issues} problem(s) reading the records as best-of-N samples` : undefined;
      this.host.post({ type: 'metrics/bon', bon: curves, ...(curves && message ? { message } : {}) });
    };
    // The curves first, then their bootstrap bands in a second message (the bootstrap takes longer than the curves
    // at 500 × 64); a newer request drops what is left of this one, so a stale reply is never shown.
    let score = job.score;
    this.curves.request(
      [
        async (current) => {
          const lines = await this.stats.bon({ ...job, bands: false });
          if (!current()) return false;
          this.lastCurves = null;
          post(lines);
          score = lines.curves?.score ?? null;
          return lines.curves !== null;
        },
        async (current) => {
          const banded = await this.stats.bon({ ...job, score, bands: true });
          if (!current()) return false;
          this.lastCurves = banded.curves;
          post(banded);
          return false;
        },
      ],
      this.failed,
    );
  }

  private solutionText(id: string): SolutionText | undefined {
    if (!this.itemIndex) {
      this.itemIndex = new Map();
      this.session.items.forEach((item, i) => {
        if (!this.itemIndex!.has(item.id)) this.itemIndex!.set(item.id, i);
      });
    }
    const i = this.itemIndex.get(id);
    return i === undefined ? undefined : this.session.items[i];
  }

  private async showProblem(problem: string, selector: string): Promise<void> {
    const view = withSolutionTexts(await this.stats.problem(problem, selector), (id) => this.solutionText(id));
    this.problem = view;
    this.host.post({ type: 'metrics/problem', problem: view });
  }

  private async openSolution(problem: string, sample: number): Promise<void> {
    const solution = this.problem?.id === problem ? this.problem.solutions.find((s) => s.sample === sample) : undefined;
    if (!solution) throw new Error(`no solution ${sample + 1} of problem "${problem}" is shown`);
    const { id } = solution;
    if (!this.solutionText(id)) {
      throw new Error(`solution "${id}" is not an item of the dataset (its record has no steps to show)`);
    }
    const column = this.panel.viewColumn ?? vscode.ViewColumn.One;
    await this.deps.openItem(this.dataset, this.itemIndex!.get(id)!, column);
  }

  private async onMessage(msg: MetricsToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        return this.push();
      case 'metrics/calibrate':
        this.calibrationSubset = msg.subset;
        return this.push();
      case 'metrics/bonScore':
        this.bonScore = msg.score;
        return this.refreshBon(this.bonResults ?? this.session.records(this.criticKeys()));
      case 'metrics/problem':
        return this.showProblem(msg.problem, msg.selector);
      case 'metrics/openSolution':
        return this.openSolution(msg.problem, msg.sample);
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
    const extras = { intervals: this.lastIntervals, bon: this.lastCurves };
    const text = what === 'csv' ? metricsCsv(this.model, extras) : metricsMarkdown(this.model, extras);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    void vscode.window.showInformationMessage(
      `PRM Lens: wrote the metrics to ${vscode.workspace.asRelativePath(uri)}.`,
    );
  }

  dispose(): void {
    this.host.dispose();
  }
}
