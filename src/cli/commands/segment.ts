import { segmentFile } from '../../core/analysis/analyze';
import { SegmentOptions } from '../../core/segment/types';
import { forTerminal } from '../../core/util/terminal';
import { emptySolution, formatIssue, oneLine, readTextFile, table, writeJson } from '../io';

export async function segmentCommand(file: string, options: SegmentOptions, json: boolean): Promise<number> {
  const { text, issues } = await readTextFile(file);
  for (const issue of issues) console.error(formatIssue(issue));
  const { document, segmentation } = segmentFile(text, options);
  if (segmentation.steps.length === 0) throw emptySolution(file);
  if (json) {
    writeJson({
      file,
      strategy: segmentation.strategy,
      reason: segmentation.reason,
      problem: { start: document.problemStart, end: document.problemEnd, text: document.problem },
      steps: segmentation.steps,
    });
    return 0;
  }
  const { steps, strategy, reason } = segmentation;
  console.log(forTerminal(`${file}: ${steps.length} steps, strategy ${strategy} (${reason})`));
  if (document.problem) console.log(`problem: ${oneLine(document.problem, 100)}`);
  console.log(table(['idx', 'start', 'end', 'text'], segmentation.steps.map((s) => [String(s.index), String(s.start), String(s.end), oneLine(s.text, 70)])));
  return 0;
}
