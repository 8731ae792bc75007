import type { DatasetItem } from '../core/datasets/types';

/** Placeholder for a step with no text: an empty paragraph would vanish and shift every later step. */
export const EMPTY_STEP = '(empty step)';

/**
 * A dataset item as a markdown solution file: a title, `## Problem`, `## Solution`, then one paragraph per step, so
 * that paragraph segmentation gives back exactly the item's steps (the editor decorates them and the labels line
 * up). Blank lines inside a step are collapsed to line breaks for that reason; steps are otherwise verbatim. A trace
 * (an item with thinking steps) writes its thinking steps inside `<think>` … `</think>`, so the editor finds the
 * same parts, thinking steps and sections as the dataset reader (src/core/trace/items.ts).
 */
export function itemDocument(item: Pick<DatasetItem, 'id' | 'subset' | 'problem' | 'steps' | 'thinkingSteps'>): string {
  const paragraph = (text: string) => {
    const collapsed = text
      .replace(/\r\n?/g, '\n')
      .replace(/\n[ \t]*(?:\n[ \t]*)+/g, '\n')
      .trim();
    return collapsed === '' ? EMPTY_STEP : collapsed;
  };
  const title = `${item.id} · ${item.subset}`.replace(/\s+/g, ' ');
  const solution = (steps: readonly string[]) => steps.flatMap((s) => [paragraph(s), '']);
  const thinking = item.thinkingSteps;
  return [
    `# ${title}`,
    '',
    '## Problem',
    '',
    paragraph(item.problem),
    '',
    '## Solution',
    '',
    ...(thinking === undefined
      ? solution(item.steps)
      : [
          '<think>',
          ...solution(item.steps.slice(0, thinking)),
          '</think>',
          '',
          ...solution(item.steps.slice(thinking)),
        ]),
    '',
  ].join('\n');
}
