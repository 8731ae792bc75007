import * as vscode from 'vscode';
import type { HumanLabel } from '../../protocol/messages';
import type { LabeledSolution } from '../../views/stepLabels';

const KEY = 'prmLens.humanStepLabels';

interface Stored {
  problem: string;
  steps: { text: string; label: HumanLabel | null }[];
}

/**
 * Step labels a person sets in the inspector, kept in the workspace state per document. Each label is stored with
 * its step's text, so an edited step loses its label instead of silently labelling different text.
 */
export class HumanLabelStore implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string>();
  readonly onDidChange = this.changed.event;

  constructor(private readonly memento: vscode.Memento) {}

  private all(): Record<string, Stored> {
    return this.memento.get<Record<string, Stored>>(KEY, {});
  }

  /** Labels for the document's current steps (null where unlabelled or the step's text changed). */
  labels(key: string, steps: readonly string[]): (HumanLabel | null)[] {
    const stored = this.all()[key];
    return steps.map((text, i) => (stored?.steps[i]?.text === text ? stored.steps[i].label : null));
  }

  async set(
    key: string,
    problem: string,
    steps: readonly string[],
    index: number,
    label: HumanLabel | null,
  ): Promise<void> {
    if (index < 0 || index >= steps.length) return;
    const current = this.labels(key, steps);
    current[index] = label;
    const all = { ...this.all() };
    if (current.every((l) => l === null)) delete all[key];
    else all[key] = { problem, steps: steps.map((text, i) => ({ text, label: current[i] })) };
    await this.memento.update(KEY, all);
    this.changed.fire(key);
  }

  solutions(): LabeledSolution[] {
    return Object.values(this.all()).map((s) => ({
      problem: s.problem,
      steps: s.steps.map((x) => x.text),
      labels: s.steps.map((x) => x.label),
    }));
  }

  dispose(): void {
    this.changed.dispose();
  }
}
