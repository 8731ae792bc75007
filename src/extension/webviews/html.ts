import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { contentSecurityPolicy } from '../../views/csp';

/** The webview bundles (built by scripts/build.mjs into dist/webview/NAME.js and NAME.css). */
export type WebviewEntry = 'inspector' | 'dataset' | 'metrics';

/** Webviews may read only their bundle and the extension's media: nothing else of the extension or workspace. */
export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [
      vscode.Uri.joinPath(extensionUri, 'dist', 'webview'),
      vscode.Uri.joinPath(extensionUri, 'media'),
    ],
    retainContextWhenHidden: false,
  };
}

/** A fresh random nonce: a new one for every render of a webview's HTML. */
export function makeNonce(): string {
  return randomBytes(18).toString('base64');
}

/** The HTML shell of a webview: CSP, theme-aware base styles, the bundle's styles and script (all via asWebviewUri). */
export function webviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  entry: WebviewEntry,
  title: string,
): string {
  const nonce = makeNonce();
  const asset = (...segments: string[]) =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...segments)).toString();
  const attr = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(webview.cspSource, nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>${attr(title)}</title>
<link rel="stylesheet" href="${attr(asset('media', 'webview.css'))}">
<link rel="stylesheet" href="${attr(asset('dist', 'webview', `${entry}.css`))}">
</head>
<body class="prm-${entry}">
<div id="app" role="main"><p class="loading">Loading…</p></div>
<script nonce="${attr(nonce)}" src="${attr(asset('dist', 'webview', `${entry}.js`))}"></script>
</body>
</html>`;
}
