import { clip } from '../core/util/text';
import type { BonProblemView } from '../protocol/messages';

/** What the problem view shows of a dataset item: its texts (a solution without an item cannot be opened). */
export interface SolutionText {
  problem: string;
  steps: readonly string[];
}

const PREVIEW_CHARS = 160;

/**
 * The problem view with the dataset's texts: the problem's own text, and per solution whether it is an item of the
 * dataset (it opens in the editor) and its last step as the preview. Solutions without an item keep their answer.
 */
export function withSolutionTexts(
  view: BonProblemView,
  text: (id: string) => SolutionText | undefined,
): BonProblemView {
  let problem: string | undefined;
  const solutions = view.solutions.map((s) => {
    const item = text(s.id);
    if (!item) return s;
    problem ??= item.problem;
    const last = item.steps[item.steps.length - 1];
    return { ...s, openable: true, preview: clip(last ?? s.preview, PREVIEW_CHARS) };
  });
  return { ...view, problem: problem ?? view.problem, solutions };
}
