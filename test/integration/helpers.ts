import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'prm-lens.prm-lens';

/** What `activate()` returns (the extension's public API). */
export interface AnalysisSnapshot {
  uri: string;
  version: number;
  segmentation: { strategy: string; steps: { index: number; start: number; end: number; text: string }[] };
  results: {
    criticId: string;
    steps: { score: number | null; verdict: 'correct' | 'incorrect' | 'unknown'; reason?: string }[];
    firstError: number | null;
  }[];
  primaryCriticId: string | undefined;
}
export interface MarksSnapshot {
  severity: 'error' | 'warning' | 'information';
  firstError: { step: number; line: number; gutterIcon: string } | null;
  sectionMarkers?: { line: number; text: string }[];
}
export interface PrmLensApi {
  getAnalysis(uri: string): AnalysisSnapshot | undefined;
  getMarks(uri: string): MarksSnapshot | undefined;
  getInspector(): { uri: string | undefined; title: string; icon: string } | undefined;
  getWorkspaceStateSizes(): Record<string, number>;
}

export async function activateExtension(): Promise<PrmLensApi> {
  const ext = vscode.extensions.getExtension<PrmLensApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded (extensionDevelopmentPath wrong?)`);
  const api = await ext.activate();
  assert.ok(ext.isActive, 'extension did not become active');
  assert.equal(typeof api?.getAnalysis, 'function', 'activate() must return { getAnalysis }');
  return api;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `probe` until it returns a truthy value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | null | false,
  timeoutMs = 10_000,
  stepMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(stepMs);
  }
}

/** The folder the launcher opened: a temp copy of examples/ (never the repo itself, so edits are harmless). */
export function workspaceDir(): string {
  const fromEnv = process.env.PRM_LENS_TEST_WORKSPACE;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const dir = folder ?? fromEnv;
  assert.ok(dir, 'no workspace folder is open');
  return dir;
}

export async function openExample(name: string): Promise<vscode.TextEditor> {
  const uri = vscode.Uri.file(path.join(workspaceDir(), name));
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

export async function openUntitled(content: string, language = 'markdown'): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ language, content });
  return vscode.window.showTextDocument(doc, { preview: false });
}

/** Closes every editor, dropping unsaved changes (untitled documents included). */
export async function closeAllEditors(): Promise<void> {
  for (let i = 0; i < 20 && vscode.window.visibleTextEditors.length > 0; i++) {
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    if (!vscode.window.activeTextEditor) await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * Finds the first wrong product "a × b = c" (also "x" or "*") in a text, so the tests do not depend on the exact
 * wording of the example. Returns the offset of the claim and the correct product.
 */
export function findWrongProduct(text: string): { offset: number; claim: string; correct: number } {
  const re = /(\d+(?:\.\d+)?)\s*[×x*·]\s*(\d+(?:\.\d+)?)\s*=\s*(\d+(?:\.\d+)?)/g;
  for (const m of text.matchAll(re)) {
    const correct = Number(m[1]) * Number(m[2]);
    if (Math.abs(correct - Number(m[3])) > 1e-9) return { offset: m.index ?? 0, claim: m[0], correct };
  }
  throw new Error('the text holds no wrong product a × b = c');
}

/** Blank-line separated paragraphs after the "Solution" heading (the whole text when there is none). */
export function solutionParagraphs(text: string): string[] {
  return solutionPart(text)
    .split(/\r?\n[ \t]*\r?\n/)
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
}

/** Non-empty lines after the "Solution" heading. */
export function solutionLines(text: string): string[] {
  return solutionPart(text)
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

function solutionPart(text: string): string {
  const m = /^#{1,6}\s*Solution\b.*$/im.exec(text);
  return m ? text.slice(m.index + m[0].length) : text;
}

export function prmDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'PRM Lens');
}

/** Plain text of every hover the hover providers give at a position. */
export async function hoverText(uri: vscode.Uri, position: vscode.Position): Promise<string> {
  const hovers =
    (await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)) ?? [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n');
}
