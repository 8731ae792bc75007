import type { Readable } from 'node:stream';
import { detectLayout, InputFileError, openInput, type Layout } from './files';
import { detectFormat, normalizeRecord } from './formats';
import { streamJsonArray } from './jsonArray';
import { parseJsonLines } from './jsonLines';
import { isObject } from './validate';

/**
 * Refuses a file that cannot be a results file as a whole: an empty one, or a dataset given where results are
 * expected. A dataset's records would otherwise pass as results without predictions (every one a miss), and the
 * metrics would be a silent row of zeros. Only the first record is read. Throws an InputFileError saying what to do.
 */
export async function checkResultsInput(file: string): Promise<void> {
  const fh = await openInput(file, 'Results file');
  let layout: Layout;
  let first: unknown;
  try {
    layout = await detectLayout(fh);
    if (layout === 'empty') throw new InputFileError(file, `${file} is empty: no results to compute metrics from`);
    // The handle is closed below, not by the stream: an array is read again by path.
    const lines = () => fh.createReadStream({ start: 0, autoClose: false });
    first = layout === 'array' ? await firstElement(file) : await firstLine(lines());
  } finally {
    await fh.close();
  }
  const format = detectFormat(first);
  // A results record never carries the solution; one that reads as a dataset item without a prediction is one.
  const isDatasetRecord =
    isObject(first) &&
    !('prediction' in first) &&
    format !== undefined &&
    normalizeRecord(format, first, { file }).value !== undefined;
  if (isDatasetRecord) {
    const name = format === 'processbench' ? 'ProcessBench' : format;
    throw new InputFileError(
      file,
      `${file} looks like a dataset (${name} records), not results: ` +
        `run \`prm-lens eval ${file} --out results.jsonl\` on it first, then \`prm-lens metrics results.jsonl\``,
    );
  }
  if (layout === 'array') {
    const expected = 'a results file has one JSON object per line, as `prm-lens eval --out` writes it';
    throw new InputFileError(file, `${file} is a JSON array; ${expected}`);
  }
}

async function firstLine(input: Readable): Promise<unknown> {
  for await (const parsed of parseJsonLines(input)) return 'value' in parsed ? parsed.value : undefined;
  return undefined;
}

async function firstElement(file: string): Promise<unknown> {
  try {
    for await (const element of streamJsonArray(file)) return 'value' in element ? element.value : undefined;
  } catch {
    // A syntax error before the first element: no dataset record to recognise; the array is refused as such.
  }
  return undefined;
}
