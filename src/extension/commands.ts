import * as vscode from 'vscode';
import { SEGMENT_STRATEGIES, SegmentOptions, SegmentStrategy } from '../core/segment/types';
import { errorMessage } from '../core/util/errors';
import type { AnalysisSource, Scorer, ShowInspector } from './ports';
import { isDerivedDocument } from './report';
import type { Segmentations } from './segmentations';

export interface CommandDeps {
  scorer: Scorer;
  analyses: AnalysisSource;
  segmentations: Segmentations;
  showInspector: ShowInspector;
}

const SCORABLE_LANGUAGES = new Set(['markdown', 'plaintext']);

const STRATEGY_DESCRIPTIONS: Record<SegmentStrategy, string> = {
  auto: 'pick from the text (tags, numbered steps, paragraphs, else lines)',
  paragraphs: 'blank-line separated paragraphs (ProcessBench)',
  lines: 'one step per non-empty line (PRM800K)',
  numbered: '"Step 1:", "1.", "**Step 1**", "## Step 1" markers',
  tags: 'steps end at a tag such as Math-Shepherd\'s " ки"',
  regex: 'each match of your regular expression starts a step',
  'newline-split': 'Python\'s split("\\n"): every line a step, empty ones too (Skywork PRM)',
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
    void vscode.window.showInformationMessage(
      'PRM Lens: this is a report of a scored file; run the command on the solution itself.',
    );
    return undefined;
  }
  if (!SCORABLE_LANGUAGES.has(doc.languageId)) {
    void vscode.window.showWarningMessage(
      `PRM Lens scores markdown and plain-text solutions; this file is ${doc.languageId}.`,
    );
    return undefined;
  }
  return doc;
}

async function scoreOrReport(scorer: Scorer, doc: vscode.TextDocument) {
  try {
    return await scorer.score(doc);
  } catch (err) {
    void vscode.window.showErrorMessage(`PRM Lens: ${errorMessage(err)}`);
    return undefined;
  }
}

export function registerCommands({ scorer, analyses, segmentations, showInspector }: CommandDeps): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('prmLens.scoreCurrentFile', async (arg?: unknown) => {
      const doc = await targetDocument(arg);
      return doc && (await scoreOrReport(scorer, doc)) !== undefined;
    }),
    vscode.commands.registerCommand('prmLens.clearMarks', async (arg?: unknown) => {
      const doc = await targetDocument(arg);
      if (doc) scorer.clear(doc.uri);
    }),
    vscode.commands.registerCommand('prmLens.chooseSegmentation', async (strategy?: unknown, regex?: unknown) => {
      const doc = await targetDocument(undefined);
      if (!doc) return;
      if (!segmentations.canChoose(doc.uri)) {
        const why = 'PRM Lens: a dataset item is split into the steps of its dataset; that cannot be changed.';
        void vscode.window.showInformationMessage(why);
        return;
      }
      const options = await pickSegmentation(segmentations.for(doc.uri), strategy, regex);
      if (!options) return;
      await segmentations.set(doc.uri, options);
      await scoreOrReport(scorer, doc);
    }),
    vscode.commands.registerCommand('prmLens.showDetails', async (arg?: unknown) => {
      const doc = await targetDocument(arg);
      if (!doc) return;
      if (!analyses.analysis(doc.uri) && !(await scoreOrReport(scorer, doc))) return;
      showInspector(doc.uri);
    }),
  ];
}

/** Strategy from the argument (for keybindings and tests) or a quick pick; `regex` asks for the pattern. */
async function pickSegmentation(
  current: SegmentOptions,
  strategyArg: unknown,
  regexArg: unknown,
): Promise<SegmentOptions | undefined> {
  let strategy: SegmentStrategy | undefined;
  if (typeof strategyArg === 'string' && (SEGMENT_STRATEGIES as readonly string[]).includes(strategyArg)) {
    strategy = strategyArg as SegmentStrategy;
  } else {
    const picked = await vscode.window.showQuickPick(
      SEGMENT_STRATEGIES.map((s) => ({
        label: s,
        description: STRATEGY_DESCRIPTIONS[s],
        picked: s === current.strategy,
      })),
      {
        title: 'PRM Lens: how should this file be split into steps?',
        placeHolder: `current: ${current.strategy ?? 'auto'}`,
      },
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
              return `Not a valid regular expression: ${errorMessage(err)}`;
            }
          },
        });
  return regex ? { ...current, strategy, regex } : undefined;
}
