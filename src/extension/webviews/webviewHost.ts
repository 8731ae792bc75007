import * as vscode from 'vscode';
import { errorMessage } from '../../core/util/errors';
import { clip } from '../../core/util/text';
import { webviewHtml, webviewOptions, type WebviewEntry } from './html';

export interface WebviewHostOptions<In> {
  /** The webview bundle to load; also names the view in the log. */
  entry: WebviewEntry;
  /** The HTML document's title (the tab's title is the panel's). */
  title: string;
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
  /** The protocol's guard for this view's messages: anything else is logged and dropped. */
  accepts: (message: unknown) => message is In;
  onMessage: (message: In) => void | Promise<void>;
  /** Called once when the panel goes away (closed by the person, or disposed). */
  onDispose?: () => void;
}

/**
 * The host side of one PRM Lens webview, typed by its protocol (`In` from the view, `Out` to it): sets the
 * webview's options and its CSP + nonce HTML shell, accepts only messages the protocol's guard passes, reports a
 * failed handler in the log and to the person, and disposes its subscriptions with the panel.
 */
export class WebviewHost<In, Out> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;

  constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly options: WebviewHostOptions<In>,
  ) {
    panel.webview.options = webviewOptions(options.extensionUri);
    panel.webview.html = webviewHtml(panel.webview, options.extensionUri, options.entry, options.title);
    this.disposables.push(
      panel.webview.onDidReceiveMessage((message: unknown) => this.receive(message)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  post(message: Out): void {
    if (!this.disposed) void this.panel.webview.postMessage(message);
  }

  /** Ties subscriptions to the panel's lifetime. */
  own(...disposables: vscode.Disposable[]): void {
    if (this.disposed) disposables.forEach((d) => d.dispose());
    else this.disposables.push(...disposables);
  }

  /** Logs a failure of this view and shows it to the person. */
  report(err: unknown): void {
    const message = errorMessage(err);
    this.options.log.error(`${this.options.entry} view: ${message}`);
    void vscode.window.showErrorMessage(`PRM Lens: ${message}`);
  }

  private receive(message: unknown): void {
    if (!this.options.accepts(message)) {
      const shown = clip(JSON.stringify(message) ?? String(message), 200);
      this.options.log.warn(`${this.options.entry} view: ignored an unexpected message ${shown}`);
      return;
    }
    // A handler that throws at once is reported like one that rejects.
    void Promise.resolve()
      .then(() => this.options.onMessage(message))
      .catch((err: unknown) => this.report(err));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.disposables) d.dispose();
    this.disposables.length = 0;
    this.options.onDispose?.();
    this.panel.dispose();
  }
}
