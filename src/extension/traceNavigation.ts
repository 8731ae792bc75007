import * as vscode from 'vscode';
import { segmentFile, TraceOutline } from '../core/analysis/analyze';
import type { TracePart } from '../core/trace/types';
import type { AnalysisStore } from './analysisStore';
import type { Segmentations } from './segmentations';

const SOLUTION_LANGUAGES: vscode.DocumentSelector = [{ language: 'markdown' }, { language: 'plaintext' }];
/** Set while the active editor shows a document with a current analysis; gates the navigation keybindings. */
const HAS_ANALYSIS = 'prmLens.hasAnalysis';

/**
 * The trace outline of a document's current version: the scored analysis's when it is current, otherwise one
 * segmentation per document version (typing re-segments at most once per version, only when a provider asks).
 */
export class TraceOutlines implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; outline: TraceOutline | undefined }>();
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly store: AnalysisStore,
    private readonly segmentations: Segmentations,
  ) {
    this.subscription = vscode.workspace.onDidCloseTextDocument((doc) => this.cache.delete(doc.uri.toString()));
  }

  of(doc: vscode.TextDocument): TraceOutline | undefined {
    const current = this.store.current(doc.uri);
    if (current && current.version === doc.version) return current.analysis.trace;
    const key = doc.uri.toString();
    const cached = this.cache.get(key);
    if (cached?.version === doc.version) return cached.outline;
    const outline = segmentFile(doc.getText(), this.segmentations.for(doc.uri)).trace;
    this.cache.set(key, { version: doc.version, outline });
    return outline;
  }

  dispose(): void {
    this.subscription.dispose();
    this.cache.clear();
  }
}

/** The line to fold a part from: the line of its opening tag (the last non-blank character before it). */
function headLine(doc: vscode.TextDocument, part: TracePart): number {
  const text = doc.getText();
  let at = part.start - 1;
  while (at >= 0 && /\s/.test(text[at])) at--;
  return doc.positionAt(at >= 0 ? at : part.start).line;
}

/** The last line of a span whose end is exclusive. */
function lastLine(doc: vscode.TextDocument, start: number, end: number): number {
  return doc.positionAt(Math.max(start, end - 1)).line;
}

const sectionName = (index: number, kind: string) => `${index + 1}. ${kind}`;

/** Folds the whole thinking block (from its opening tag) and each of its sections. */
export class TraceFoldingProvider implements vscode.FoldingRangeProvider {
  constructor(private readonly outlines: TraceOutlines) {}

  provideFoldingRanges(doc: vscode.TextDocument): vscode.FoldingRange[] {
    const outline = this.outlines.of(doc);
    if (!outline) return [];
    const ranges: vscode.FoldingRange[] = [];
    for (const part of outline.parts) {
      if (part.kind !== 'thinking') continue;
      const from = headLine(doc, part);
      const to = lastLine(doc, part.start, part.end);
      if (to > from) ranges.push(new vscode.FoldingRange(from, to, vscode.FoldingRangeKind.Region));
    }
    for (const s of outline.sections) {
      const from = doc.positionAt(s.start).line;
      const to = lastLine(doc, s.start, s.end);
      if (to > from) ranges.push(new vscode.FoldingRange(from, to, vscode.FoldingRangeKind.Region));
    }
    return ranges;
  }
}

/** Outline and breadcrumbs: the thinking block with its sections as children (nothing finer), and the answer. */
export class TraceSymbolProvider implements vscode.DocumentSymbolProvider {
  constructor(private readonly outlines: TraceOutlines) {}

  provideDocumentSymbols(doc: vscode.TextDocument): vscode.DocumentSymbol[] {
    const outline = this.outlines.of(doc);
    if (!outline) return [];
    const range = (start: number, end: number) => new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    return outline.parts.map((part) => {
      const name = part.kind === 'thinking' ? 'Thinking' : 'Answer';
      const detail = part.kind === 'thinking' ? `${outline.sections.length} sections` : '';
      const kind = part.kind === 'thinking' ? vscode.SymbolKind.Namespace : vscode.SymbolKind.Object;
      const symbol = new vscode.DocumentSymbol(
        name,
        detail,
        kind,
        range(part.start, part.end),
        range(part.start, part.start),
      );
      if (part.kind === 'thinking') {
        symbol.children = outline.sections.map((s) => {
          const steps =
            s.firstStep === s.lastStep ? `step ${s.firstStep + 1}` : `steps ${s.firstStep + 1}–${s.lastStep + 1}`;
          const r = range(s.start, s.end);
          return new vscode.DocumentSymbol(
            sectionName(s.index, s.kind),
            steps,
            vscode.SymbolKind.Module,
            r,
            r.with(r.start, r.start),
          );
        });
      }
      return symbol;
    });
  }
}

type Direction = 1 | -1;

/** The next (or previous) offset after (before) `at` among `starts` (ascending), or undefined. */
export function nextStart(starts: readonly number[], at: number, direction: Direction): number | undefined {
  if (direction === 1) return starts.find((s) => s > at);
  for (let i = starts.length - 1; i >= 0; i--) if (starts[i] < at) return starts[i];
  return undefined;
}

function reveal(editor: vscode.TextEditor, offset: number): void {
  const pos = editor.document.positionAt(offset);
  editor.selection = new vscode.Selection(pos, pos);
  editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}

/**
 * Moves the cursor to the next/previous step the first critic judged incorrect, or section head. Acts on the
 * active editor's current analysis; returns whether the cursor moved (for tests).
 */
function navigate(
  store: AnalysisStore,
  outlines: TraceOutlines,
  what: 'low' | 'section',
  direction: Direction,
): boolean {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return false;
  const current = store.current(editor.document.uri);
  if (!current || current.version !== editor.document.version) return false;
  const { analysis } = current;
  let starts: number[];
  if (what === 'section') {
    starts = (outlines.of(editor.document)?.sections ?? []).map((s) => s.start);
  } else {
    const judged = analysis.results[0]?.steps ?? [];
    starts = analysis.segmentation.steps.filter((s) => judged[s.index]?.verdict === 'incorrect').map((s) => s.start);
  }
  const at = editor.document.offsetAt(editor.selection.active);
  const target = nextStart(starts, at, direction);
  if (target === undefined) return false;
  reveal(editor, target);
  return true;
}

/** Providers, navigation commands and the context key that enables their keybindings. */
export function registerTraceNavigation(store: AnalysisStore, segmentations: Segmentations): vscode.Disposable[] {
  const outlines = new TraceOutlines(store, segmentations);
  const updateContext = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const current = doc && store.current(doc.uri);
    void vscode.commands.executeCommand('setContext', HAS_ANALYSIS, current?.version === doc?.version && !!current);
  };
  updateContext();
  const command = (id: string, what: 'low' | 'section', direction: Direction) =>
    vscode.commands.registerCommand(id, () => navigate(store, outlines, what, direction));
  return [
    outlines,
    vscode.languages.registerFoldingRangeProvider(SOLUTION_LANGUAGES, new TraceFoldingProvider(outlines)),
    vscode.languages.registerDocumentSymbolProvider(SOLUTION_LANGUAGES, new TraceSymbolProvider(outlines), {
      label: 'PRM Lens trace',
    }),
    command('prmLens.nextLowScoringStep', 'low', 1),
    command('prmLens.previousLowScoringStep', 'low', -1),
    command('prmLens.nextSection', 'section', 1),
    command('prmLens.previousSection', 'section', -1),
    store.onDidChangeAnalysis(updateContext),
    vscode.window.onDidChangeActiveTextEditor(updateContext),
  ];
}
