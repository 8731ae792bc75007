import * as path from 'node:path';
import * as vscode from 'vscode';
import type { SegmentOptions } from '../../core/segment/types';
import { ResultCache } from '../../core/run/resultCache';
import { errorMessage } from '../../core/util/errors';
import { textHash } from '../../views/hash';
import { itemDocument } from '../../views/itemDocument';
import type { ItemContext } from '../../protocol/messages';
import type { Scorer, ShowInspector } from '../ports';
import { DatasetSession } from '../../views/datasetSession';

export const ITEM_SCHEME = 'prm-lens-item';

/** A burst of writes to a dataset (a script rewriting it) is read again once, this long after the last one. */
const RELOAD_DELAY_MS = 400;

interface OpenDataset {
  session: DatasetSession;
  refs: number;
  watcher: vscode.Disposable;
}

/**
 * Open datasets by URI, shared by the dataset editors, the metrics panel and the item documents; a dataset is read
 * once however many views show it, read again when the file changes on disk, and dropped when the last view closes.
 */
export class DatasetSessions implements vscode.Disposable {
  private readonly open = new Map<string, OpenDataset>();
  private readonly reloaded = new vscode.EventEmitter<vscode.Uri>();
  /** A dataset was read again after a change on disk. */
  readonly onDidReload = this.reloaded.event;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  acquire(uri: vscode.Uri): DatasetSession {
    if (uri.scheme !== 'file' && uri.scheme !== 'vscode-remote')
      throw new Error(`PRM Lens reads datasets from files on disk; ${uri.toString()} is not one.`);
    const key = uri.toString();
    const entry = this.open.get(key);
    if (entry) {
      entry.refs += 1;
      return entry.session;
    }
    const cacheFile = path.join(
      this.storage.fsPath,
      'dataset-results',
      `${path.basename(uri.fsPath)}-${textHash(key)}.jsonl`,
    );
    const session = new DatasetSession(uri.fsPath, new ResultCache(cacheFile, (message) => this.log.warn(message)));
    this.open.set(key, { session, refs: 1, watcher: this.watch(uri, session) });
    return session;
  }

  private watch(uri: vscode.Uri, session: DatasetSession): vscode.Disposable {
    const watcher = vscode.workspace.createFileSystemWatcher(
      new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), path.posix.basename(uri.path)),
    );
    let timer: NodeJS.Timeout | undefined;
    const changed = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.log.info(
          `${session.name} changed on disk: reading it again${session.isRunning ? ' (the run in progress is cancelled; finished results are kept)' : ''}`,
        );
        void session.reload().then(
          () => this.reloaded.fire(uri),
          (e: unknown) => this.log.error(`${session.name}: reading it again failed: ${errorMessage(e)}`),
        );
      }, RELOAD_DELAY_MS);
    };
    const subscriptions = [watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed)];
    return { dispose: () => (clearTimeout(timer), subscriptions.forEach((d) => d.dispose())) };
  }

  release(uri: vscode.Uri): void {
    const key = uri.toString();
    const entry = this.open.get(key);
    if (!entry) return;
    entry.refs -= 1;
    if (entry.refs <= 0) {
      entry.session.cancel();
      entry.watcher.dispose();
      this.open.delete(key);
    }
  }

  peek(uri: vscode.Uri): DatasetSession | undefined {
    return this.open.get(uri.toString())?.session;
  }

  dispose(): void {
    for (const { session, watcher } of this.open.values()) {
      session.cancel();
      watcher.dispose();
    }
    this.open.clear();
    this.reloaded.dispose();
  }
}

/** The read-only markdown document of dataset item `i` (what the editor decorates and the inspector shows). */
export function itemUri(dataset: vscode.Uri, i: number, id: string): vscode.Uri {
  const safe = id.replace(/[^\w.-]+/g, '_').slice(0, 80) || 'item';
  const query = new URLSearchParams({ dataset: dataset.toString(), i: String(i) }).toString();
  return vscode.Uri.from({ scheme: ITEM_SCHEME, path: `/${path.basename(dataset.path)}/${safe}.md`, query });
}

/**
 * The segmentation an item document carries: itemDocument() writes one paragraph per dataset step, so paragraphs
 * give back exactly the item's steps (and its labels line up). Undefined for any other document.
 */
export function itemSegmentation(uri: vscode.Uri): SegmentOptions | undefined {
  return uri.scheme === ITEM_SCHEME ? { strategy: 'paragraphs' } : undefined;
}

export function parseItemUri(uri: vscode.Uri): { dataset: vscode.Uri; i: number } | undefined {
  if (uri.scheme !== ITEM_SCHEME) return undefined;
  const params = new URLSearchParams(uri.query);
  const dataset = params.get('dataset');
  const i = Number(params.get('i'));
  if (!dataset || !Number.isInteger(i) || i < 0) return undefined;
  return { dataset: vscode.Uri.parse(dataset), i };
}

export interface OpenItemDeps {
  sessions: DatasetSessions;
  scorer: Scorer;
  showInspector: ShowInspector;
}

/**
 * Shows item `i` of a dataset as a decorated read-only document beside `column` (a preview, so browsing items
 * reuses one tab), scores it, and opens the inspector on it one column further.
 */
export async function openDatasetItem(
  deps: OpenItemDeps,
  dataset: vscode.Uri,
  i: number,
  column: vscode.ViewColumn,
): Promise<void> {
  const session = deps.sessions.acquire(dataset);
  try {
    await session.loaded;
    const item = session.items[i];
    if (!item) throw new Error(`${session.name} has no item ${i + 1} (it has ${session.items.length}).`);
    const doc = await vscode.workspace.openTextDocument(itemUri(dataset, i, item.id));
    await vscode.window.showTextDocument(doc, { viewColumn: column + 1, preview: true, preserveFocus: true });
    await deps.scorer.score(doc);
    deps.showInspector(doc.uri, column + 2);
  } finally {
    deps.sessions.release(dataset);
  }
}

/**
 * Serves item documents. An item document restored after a reload loads its dataset and keeps it open until the
 * document closes; it shows the item again when its dataset changes on disk.
 */
export class ItemDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  /** Open item documents (by URI string) and the dataset each holds open. */
  private readonly held = new Map<string, { doc: vscode.Uri; dataset: vscode.Uri }>();
  private readonly subscriptions: vscode.Disposable[];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly sessions: DatasetSessions) {
    this.subscriptions = [
      this.changed,
      vscode.workspace.onDidCloseTextDocument((doc) => {
        const entry = this.held.get(doc.uri.toString());
        if (entry) {
          this.held.delete(doc.uri.toString());
          this.sessions.release(entry.dataset);
        }
      }),
      sessions.onDidReload((dataset) => {
        for (const entry of this.held.values())
          if (entry.dataset.toString() === dataset.toString()) this.changed.fire(entry.doc);
      }),
    ];
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const ref = parseItemUri(uri);
    if (!ref) throw new Error(`Not a PRM Lens item: ${uri.toString()}`);
    let session = this.sessions.peek(ref.dataset);
    if (!this.held.has(uri.toString())) {
      session = this.sessions.acquire(ref.dataset);
      this.held.set(uri.toString(), { doc: uri, dataset: ref.dataset });
    }
    await session!.loaded;
    const item = session!.items[ref.i];
    if (!item)
      throw new Error(
        `${path.basename(ref.dataset.fsPath)} has no item ${ref.i + 1} (it has ${session!.items.length}).`,
      );
    return itemDocument(item);
  }

  /** The dataset item behind an item document, for the inspector's ground truth. */
  context(uri: vscode.Uri): ItemContext | undefined {
    const ref = parseItemUri(uri);
    const session = ref && this.sessions.peek(ref.dataset);
    const item = ref && session?.items[ref.i];
    if (!item || !session) return undefined;
    return { dataset: session.name, id: item.id, subset: item.subset, label: item.label, stepCount: item.steps.length };
  }

  dispose(): void {
    this.subscriptions.forEach((d) => d.dispose());
    for (const { dataset } of this.held.values()) this.sessions.release(dataset);
    this.held.clear();
  }
}
