import * as vscode from 'vscode';
import { toStepwise } from '../../views/stepLabels';
import type { HumanLabelStore } from './humanLabels';

/**
 * `prmLens.exportStepLabels [target] [neutralAsCorrect]`: writes the step labels set in the inspector as JSONL in
 * TRL's stepwise layout ({prompt, completions, labels}). Without arguments it asks how neutral steps count and
 * where to save.
 */
export async function exportStepLabels(
  labels: HumanLabelStore,
  target?: unknown,
  neutralArg?: unknown,
): Promise<number | undefined> {
  const solutions = labels.solutions();
  if (solutions.length === 0) {
    void vscode.window.showInformationMessage(
      'PRM Lens: no step labels yet. Mark steps correct, incorrect or neutral in the Step Inspector first.',
    );
    return undefined;
  }
  let neutralAs: boolean | undefined = typeof neutralArg === 'boolean' ? neutralArg : undefined;
  if (neutralAs === undefined) {
    const picked = await vscode.window.showQuickPick(
      [
        {
          label: 'Neutral steps → false',
          description: 'as TRL’s PRM800K conversion (only a positive rating is true)',
          value: false,
        },
        { label: 'Neutral steps → true', description: 'a neutral step is not an error', value: true },
      ],
      { title: 'PRM Lens: export step labels (TRL stepwise)', placeHolder: 'How should neutral steps be labelled?' },
    );
    if (!picked) return undefined;
    neutralAs = picked.value;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const uri =
    target instanceof vscode.Uri
      ? target
      : await vscode.window.showSaveDialog({
          title: 'PRM Lens: save step labels',
          defaultUri: folder && vscode.Uri.joinPath(folder, 'step-labels.jsonl'),
          filters: { 'JSON Lines': ['jsonl'] },
        });
  if (!uri) return undefined;
  const lines: string[] = [];
  const skipped: string[] = [];
  for (const solution of solutions) {
    const out = toStepwise(solution, neutralAs);
    if ('record' in out) lines.push(JSON.stringify(out.record));
    else skipped.push(out.skipped);
  }
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')));
  const note = skipped.length ? ` (${skipped.length} skipped: ${[...new Set(skipped)].join('; ')})` : '';
  void vscode.window.showInformationMessage(
    `PRM Lens: wrote ${lines.length} labelled solution${lines.length === 1 ? '' : 's'} to ${vscode.workspace.asRelativePath(uri)}${note}.`,
  );
  return lines.length;
}
