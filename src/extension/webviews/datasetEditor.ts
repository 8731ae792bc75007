import * as vscode from 'vscode';
import { writeResultsAtomic } from '../../core/datasets/results';
import { itemResults } from '../../views/datasetList';
import { sampleIndices } from '../../views/sample';
import { isDatasetToHost, type DatasetToHost, type HostToDataset, type RunScope } from '../../protocol/messages';
import type { CriticProvider, SettingsSource } from '../ports';
import { editorCriticIdentity } from '../criticPool';
import type { DatasetSession, RunCritic, SessionEvent } from '../../views/datasetSession';
import type { DatasetSessions } from './datasets';
import { WebviewHost } from './webviewHost';

export interface DatasetDeps {
  extensionUri: vscode.Uri;
  settings: SettingsSource;
  critics: CriticProvider;
  sessions: DatasetSessions;
  log: vscode.LogOutputChannel;
  /** Opens item `i` of the dataset beside the list (`column` is the list's). */
  openItem(dataset: vscode.Uri, i: number, column: vscode.ViewColumn): Promise<void>;
  showMetrics(dataset: vscode.Uri): void;
}

/** Items sent per message when a view (re)connects: large enough to be quick, small enough to keep it responsive. */
const ITEM_CHUNK = 2000;
/** Critics run on this many items at once (as the CLI's default). */
const RUN_CONCURRENCY = 4;

/** A dataset file as a read-only document of the custom editor (the session holds the items). */
class DatasetDocument implements vscode.CustomDocument {
  constructor(
    readonly uri: vscode.Uri,
    readonly session: DatasetSession,
    private readonly release: () => void,
  ) {}

  dispose(): void {
    this.release();
  }
}

/** The dataset custom editor: "Open With… → PRM Lens Dataset" on a .jsonl/.json file, or PRM Lens: Open Dataset. */
export class DatasetEditorProvider implements vscode.CustomReadonlyEditorProvider<DatasetDocument> {
  static readonly viewType = 'prmLens.dataset';

  constructor(private readonly deps: DatasetDeps) {}

  openCustomDocument(uri: vscode.Uri): DatasetDocument {
    const session = this.deps.sessions.acquire(uri);
    return new DatasetDocument(uri, session, () => this.deps.sessions.release(uri));
  }

  resolveCustomEditor(document: DatasetDocument, panel: vscode.WebviewPanel): void {
    new DatasetView(panel, document.uri, document.session, this.deps);
  }
}

/** One webview showing a dataset: streams the item list to it, answers searches, runs critics, opens items. */
class DatasetView {
  private readonly host: WebviewHost<DatasetToHost, HostToDataset>;
  /** The subscription to the session, renewed whenever the webview (re)connects. */
  private following: { dispose(): void } | undefined;

  constructor(
    private readonly panel: vscode.WebviewPanel,
    private readonly uri: vscode.Uri,
    private readonly session: DatasetSession,
    private readonly deps: DatasetDeps,
  ) {
    this.host = new WebviewHost(panel, {
      entry: 'dataset',
      title: `Dataset: ${session.name}`,
      extensionUri: deps.extensionUri,
      log: deps.log,
      accepts: isDatasetToHost,
      onMessage: (msg) => this.onMessage(msg),
      onDispose: () => this.following?.dispose(),
    });
  }

  private post(message: HostToDataset): void {
    this.host.post(message);
  }

  /** The configured critics with the hash of their configuration (what cached results are matched against). */
  private criticKeys(): { id: string; config: string }[] {
    return this.deps.settings.current.critics.map((c) => ({ id: c.id, config: editorCriticIdentity(c) }));
  }

  /** Sends everything known so far (a view connects, or reconnects after being hidden), then follows the session. */
  private connect(): void {
    this.begin();
    const summaries = this.session.summaries;
    for (let at = 0; at < summaries.length; at += ITEM_CHUNK)
      this.post({ type: 'dataset/items', items: summaries.slice(at, at + ITEM_CHUNK) });
    if (this.session.issueCount)
      this.post({
        type: 'dataset/issues',
        issues: this.session.issues,
        total: this.session.issueCount,
        skipped: this.session.skippedCount,
      });
    if (this.session.isLoaded) this.onSession({ type: 'loaded' });
    if (this.session.progress) this.post({ type: 'dataset/progress', progress: this.session.progress });
    this.following?.dispose();
    this.following = this.session.on((e) => this.onSession(e));
  }

  /** Tells the view to start over: a (re)connection, or the file was read again after a change on disk. */
  private begin(): void {
    const settings = this.deps.settings.current;
    this.post({
      type: 'dataset/begin',
      name: this.session.name,
      format: this.session.formatName,
      critics: settings.critics.map((c) => ({ id: c.id, label: c.label ?? c.id })),
      activeCritics: [...settings.activeCritics],
      reloads: this.session.reloads,
    });
  }

  private onSession(e: SessionEvent): void {
    switch (e.type) {
      case 'reset':
        this.begin();
        return;
      case 'items':
        this.post({ type: 'dataset/items', items: e.items });
        return;
      case 'format':
        this.post({ type: 'dataset/format', format: e.format });
        return;
      case 'issues':
        this.post({ type: 'dataset/issues', issues: e.issues, total: e.total, skipped: e.skipped });
        return;
      case 'loaded':
        this.post({
          type: 'dataset/loaded',
          count: this.session.items.length,
          issueCount: this.session.issueCount,
          ms: this.session.loadMs,
          ...(this.session.loadError ? { error: this.session.loadError } : {}),
        });
        this.post({
          type: 'dataset/results',
          results: itemResults(this.session.predictions(this.criticKeys())),
          replace: true,
        });
        return;
      case 'results': {
        const results = itemResults(this.session.predictions(this.criticKeys(), e.indices ?? undefined));
        this.post({ type: 'dataset/results', results, replace: e.indices === null });
        return;
      }
      case 'progress':
        this.post({ type: 'dataset/progress', progress: e.progress });
        return;
    }
  }

  private async onMessage(msg: DatasetToHost): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.connect();
        return;
      case 'dataset/open':
        return this.deps.openItem(this.uri, msg.i, this.panel.viewColumn ?? vscode.ViewColumn.One);
      case 'dataset/search':
        await this.session.loaded;
        this.post({
          type: 'dataset/search',
          query: msg.query,
          hits: msg.query.trim() ? this.session.search(msg.query) : null,
        });
        return;
      case 'dataset/run':
        return this.run(msg.criticIds, msg.scope, msg.indices, msg.sample);
      case 'dataset/cancel':
        this.session.cancel();
        return;
      case 'dataset/metrics':
        this.deps.showMetrics(this.uri);
        return;
      case 'dataset/exportResults':
        await exportResults(this.session, this.criticKeys());
        return;
    }
  }

  private async run(
    criticIds: string[],
    scope: RunScope,
    indices: number[] | undefined,
    sample: number | undefined,
  ): Promise<void> {
    const settings = this.deps.settings.current;
    const unknown = criticIds.filter((id) => !settings.critics.some((c) => c.id === id));
    if (unknown.length || criticIds.length === 0) {
      void vscode.window.showWarningMessage(
        unknown.length
          ? `PRM Lens: unknown critic ${unknown.join(', ')}.`
          : 'PRM Lens: choose at least one critic to run.',
      );
      return;
    }
    await this.session.loaded;
    const n = this.session.items.length;
    const chosen =
      scope === 'all' ? [...Array(n).keys()] : scope === 'filtered' ? (indices ?? []) : sampleIndices(n, sample ?? 100);
    const critics = await this.deps.critics.getCritics(criticIds);
    const run: RunCritic[] = critics.map((critic) => {
      const config = editorCriticIdentity(settings.critics.find((c) => c.id === critic.id)!);
      return { id: critic.id, critic, config };
    });
    const started = Date.now();
    const result = await this.session.run(run, chosen, RUN_CONCURRENCY);
    this.deps.log.info(
      `${this.session.name}: ran ${criticIds.join(', ')} on ${result.done - result.cached} items (${result.cached} cached, ${result.failed} failed) in ${Date.now() - started} ms`,
    );
    if (result.failed)
      this.deps.log.warn(`${this.session.name}: ${result.message ?? `${result.failed} critic failures`}`);
  }
}

/** Writes the session's cached results in the CLI's results format to a file the user picks (or `target`). */
export async function exportResults(
  session: DatasetSession,
  critics: { id: string; config: string }[],
  target?: vscode.Uri,
): Promise<number | undefined> {
  await session.loaded;
  const records = session.records(critics);
  if (records.length === 0) {
    void vscode.window.showInformationMessage(
      `PRM Lens: no results for ${session.name} yet. Run a critic over it first.`,
    );
    return undefined;
  }
  const uri =
    target ??
    (await vscode.window.showSaveDialog({
      title: 'PRM Lens: save results (the CLI’s JSONL format)',
      defaultUri: vscode.Uri.file(session.file.replace(/(\.[^./\\]+)?$/, '.results.jsonl')),
      filters: { 'JSON Lines': ['jsonl'] },
    }));
  if (!uri) return undefined;
  const count = await writeResultsAtomic(uri.fsPath, records);
  void vscode.window.showInformationMessage(
    `PRM Lens: wrote ${count} result lines to ${vscode.workspace.asRelativePath(uri)}.`,
  );
  return count;
}
