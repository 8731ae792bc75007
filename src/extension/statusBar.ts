import * as vscode from 'vscode';
import { Analysis } from '../core/analysis/analyze';
import { firstErrorLabel } from '../core/analysis/describe';

/** "N steps · first error: step k (critic)" for the active editor; opens the details. */
export class StepStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('prmLens.status', vscode.StatusBarAlignment.Right, 100);

  constructor() {
    this.item.name = 'PRM Lens';
    this.item.command = 'prmLens.showDetails';
  }

  busy(): void {
    this.item.text = '$(sync~spin) PRM Lens: scoring…';
    this.item.tooltip = 'PRM Lens is scoring the steps of this file';
    this.item.backgroundColor = undefined;
    this.item.show();
  }

  show(analysis: Analysis): void {
    const n = analysis.segmentation.steps.length;
    const primary = analysis.results[0];
    const verdict = primary ? ` · ${firstErrorLabel(primary)} (${primary.criticId})` : ' · no critic result';
    const failed = analysis.failures.length > 0;
    this.item.text = `$(${failed ? 'warning' : 'checklist'}) ${n} step${n === 1 ? '' : 's'}${verdict}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**PRM Lens** · segmentation \`${analysis.segmentation.strategy}\`\n\n`);
    for (const r of analysis.results) tooltip.appendMarkdown(`- ${r.criticId}: ${firstErrorLabel(r)}\n`);
    for (const f of analysis.failures)
      tooltip.appendMarkdown(`- ${f.criticId}: ${f.cancelled ? 'cancelled' : 'failed'}\n`);
    tooltip.appendMarkdown('\nClick for the step details.');
    this.item.tooltip = tooltip;
    this.item.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  hide(): void {
    this.item.hide();
  }

  dispose(): void {
    this.item.dispose();
  }
}
