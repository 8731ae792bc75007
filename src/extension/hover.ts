import * as vscode from 'vscode';
import { stepAt } from '../core/analysis/marks';
import { stepHoverMarkdown } from '../core/analysis/describe';
import type { AnalysisSource } from './ports';

/** Shows every critic's score, verdict and reason for the step under the pointer. */
export class StepHoverProvider implements vscode.HoverProvider {
  constructor(private readonly analyses: AnalysisSource) {}

  provideHover(doc: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    const analysis = this.analyses.analysis(doc.uri);
    if (!analysis) return undefined;
    const steps = analysis.segmentation.steps;
    const index = stepAt(steps, doc.offsetAt(position));
    if (index < 0) return undefined;
    // Model text inside the hover is escaped by stepHoverMarkdown and HTML stays off.
    const markdown = new vscode.MarkdownString(stepHoverMarkdown(analysis, index));
    markdown.isTrusted = { enabledCommands: ['prmLens.showDetails'] };
    markdown.appendMarkdown('\n\n[Show step details](command:prmLens.showDetails)');
    const step = steps[index];
    return new vscode.Hover(markdown, new vscode.Range(doc.positionAt(step.start), doc.positionAt(step.end)));
  }
}
