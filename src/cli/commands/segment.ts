import { segmentFile } from '../../core/analysis/analyze';
import { SegmentOptions } from '../../core/segment/types';
import { readInputText } from '../../core/datasets/files';
import { emptySolution, oneLine, table, writeJson } from '../io';

export async function segmentCommand(file: string, options: SegmentOptions, json: boolean): Promise<number> {
  const text = await readInputText(file, 'Input file');
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
  console.log(`${file}: ${segmentation.steps.length} steps, strategy ${segmentation.strategy} (${segmentation.reason})`);
  if (document.problem) console.log(`problem: ${oneLine(document.problem, 100)}`);
  console.log(table(['idx', 'start', 'end', 'text'], segmentation.steps.map((s) => [String(s.index), String(s.start), String(s.end), oneLine(s.text, 70)])));
  return 0;
}
