import * as vscode from 'vscode';
import { SEGMENT_STRATEGIES, SegmentOptions, SegmentStrategy } from '../core/segment/types';
import { ScoreController } from './controller';
import { isDerivedDocument } from './report';
import { showInspector } from './webviews';

const SCORABLE_LANGUAGES = new Set(['markdown', 'plaintext']);

const STRATEGY_DESCRIPTIONS: Record<SegmentStrategy, string> = {
  auto: 'pick from the text (tags, numbered steps, paragraphs, else lines)',
  paragraphs: 'blank-line separated paragraphs (ProcessBench)',
  lines: 'one step per non-empty line (PRM800K)',
  numbered: '"Step 1:", "1.", "**Step 1**", "## Step 1" markers',
  tags: 'steps end at a tag such as Math-Shepherd\'s " ки"',
  regex: 'each match of your regular expression starts a step',
};

/** The document a command acts on: an explicit URI argument (explorer, tests) or the active editor's. */
async function targetDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
  if (arg instanceof vscode.Uri) return (await vscode.window.showTextDocument(arg, { preview: false })).document;
  const doc = vscode.window.activeTextEditor?.document;
  if (!doc) {
    void vscode.window.showInformationMessage('PRM Lens: open a markdown or text file with a solution first.');
    return undefined;
  }
  if (isDerivedDocument(doc.uri)) {
    void vscode.window.showInformationMessage('PRM Lens: this is a report of a scored file; run the command on the solution itself.');
    return undefined;
  }
  if (!SCORABLE_LANGUAGES.has(doc.languageId)) {
    void vscode.window.showWarningMessage(`PRM Lens scores markdown and plain-text solutions; this file is ${doc.languageId}.`);
    return undefined;
  }
  return doc;
}

async function scoreOrReport(controller: ScoreController, doc: vscode.TextDocument) {
  try {
    return await controller.score(doc);
  } catch (err) {
    void vscode.window.showErrorMessage(`PRM Lens: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

export function registerCommands(controller: ScoreController): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('prmLens.scoreCurrentFile', async (arg?: unknown) => {
      const doc = await targetDocument(arg);
      return doc && (await scoreOrReport(controller, doc)) !== undefined;
    }),
    vscode.commands.registerCommand('prmLens.clearMarks', async (arg?: unknown) => {
      const doc = await targetDocument(arg);
      if (doc) controller.clear(doc.uri);
    }),
    vscode.commands.registerCommand('prmLens.chooseSegmentation', async (strategy?: unknown, regex?: unknown) => {
      const doc = await targetDocument(undefined);
      if (!doc) return;
      const options = await pickSegmentation(controller.segmentationFor(doc.uri), strategy, regex);
      if (!options) return;
      await controller.setSegmentation(doc.uri, options);
      await scoreOrReport(controller, doc);
    }),
    vscode.commands.registerCommand('prmLens.showDetails', async (arg?: unknown) => {
      const doc = await targetDocument(arg);
      if (!doc) return;
      if (!controller.analysis(doc.uri) && !(await scoreOrReport(controller, doc))) return;
      showInspector(doc.uri);
    }),
  ];
}

/** Strategy from the argument (for keybindings and tests) or a quick pick; `regex` asks for the pattern. */
async function pickSegmentation(current: SegmentOptions, strategyArg: unknown, regexArg: unknown): Promise<SegmentOptions | undefined> {
  let strategy: SegmentStrategy | undefined;
  if (typeof strategyArg === 'string' && (SEGMENT_STRATEGIES as readonly string[]).includes(strategyArg)) {
    strategy = strategyArg as SegmentStrategy;
  } else {
    const picked = await vscode.window.showQuickPick(
      SEGMENT_STRATEGIES.map((s) => ({ label: s, description: STRATEGY_DESCRIPTIONS[s], picked: s === current.strategy })),
      { title: 'PRM Lens: how should this file be split into steps?', placeHolder: `current: ${current.strategy ?? 'auto'}` },
    );
    strategy = picked?.label as SegmentStrategy | undefined;
  }
  if (!strategy) return undefined;
  if (strategy !== 'regex') return { ...current, strategy };
  const regex =
    typeof regexArg === 'string'
      ? regexArg
      : await vscode.window.showInputBox({
          title: 'PRM Lens: each match of this regular expression starts a step',
          value: current.regex ?? '^Step \\d+',
          validateInput: (value) => {
            try {
              new RegExp(value, 'm');
              return undefined;
            } catch (err) {
              return `Not a valid regular expression: ${(err as Error).message}`;
            }
          },
        });
  return regex ? { ...current, strategy, regex } : undefined;
}
