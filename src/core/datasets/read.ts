import type { Readable } from 'node:stream';
import { describeInvalidUtf8, type InvalidUtf8 } from './encoding';
import { detectLayout, InputFileError, openInput, type Layout } from './files';
import { detectFormat, normalizeRecord, type DatasetFormat } from './formats';
import { JsonSyntaxError, streamJsonArray } from './jsonArray';
import { parseJsonLines } from './jsonLines';
import type { DatasetItem, InputIssue } from './types';
import type { Source } from './validate';
import { SubsetAssigner, type SubsetReport } from './subsets';
import { errorMessage } from '../util/errors';

export interface ReadOptions {
  /** Called for every malformed record (which is skipped) and for a file-level problem. */
  onIssue: (issue: InputIssue) => void;
  /** When aborted, reading stops and the generator ends quietly; the caller decides what an abort means. */
  signal?: AbortSignal;
  /** Called once with the record layout, when the first record in a known layout has been read (see formats.ts). */
  onFormat?: (format: DatasetFormat) => void;
  /** Called at the end of the file with the rule that gave its subsets (see subsets.ts). */
  onSubsets?: (report: SubsetReport) => void;
  /**
   * Largest record read: bytes of a JSON line, characters of text of a JSON array element (default 64 Mi). A larger
   * one is reported and skipped, and never held whole.
   */
  maxRecordSize?: number;
}

/**
 * Streams the items of a dataset in any layout of formats.ts (ProcessBench, PRM800K, Math-Shepherd, TRL stepwise,
 * BIG-Bench Mistake), normalised to ProcessBench items. The layout is detected from the records' keys and fixed by
 * the first record that is valid in its layout; later records are checked against it. The file is a JSON array
 * (positions are 0-based array indices) or JSON lines (1-based line numbers, blank lines skipped), told apart by the
 * first non-whitespace character, not by the extension; UTF-8, or UTF-16 with a byte-order mark. The file is never
 * held whole: a record over `maxRecordSize` is reported and skipped. Malformed records are reported through
 * `onIssue` and skipped; a syntax error part-way through a JSON array is reported with its position and ends that
 * file, keeping the items before it; invalid UTF-8 is reported with its line and read with U+FFFD in its place.
 * A missing or unreadable file throws an InputFileError naming it. Subsets: a record's `subset`, else its id prefix
 * when the file mixes prefixes, else the file name (SubsetAssigner).
 */
export async function* readDataset(file: string, opts: ReadOptions): AsyncGenerator<DatasetItem> {
  const records = readRawRecords(file, opts);
  let format: DatasetFormat | undefined;
  const subsets = new SubsetAssigner(file);
  for await (const { raw, source } of records) {
    if (opts.signal?.aborted) return;
    const recordFormat = format ?? detectFormat(raw) ?? 'processbench';
    const { value, issues } = normalizeRecord(recordFormat, raw, source);
    issues.forEach(opts.onIssue);
    if (value !== undefined && format === undefined) {
      format = recordFormat;
      opts.onFormat?.(format);
    }
    if (value !== undefined) yield* subsets.push(value, raw);
  }
  const { items, report } = subsets.finish();
  yield* items;
  opts.onSubsets?.(report);
}

export interface RawRecord {
  raw: unknown;
  source: Source;
}

async function* lineRecords(file: string, input: Readable, opts: ReadOptions): AsyncGenerator<RawRecord> {
  const { onIssue, maxRecordSize } = opts;
  const options = maxRecordSize === undefined ? {} : { maxLineBytes: maxRecordSize };
  for await (const parsed of parseJsonLines(input, options)) {
    if ('error' in parsed) {
      onIssue({ file, line: parsed.line, message: `${parsed.error}; record skipped` });
      continue;
    }
    if (parsed.warning !== undefined) onIssue({ file, line: parsed.line, message: parsed.warning });
    yield { raw: parsed.value, source: { file, line: parsed.line } };
  }
}

async function* arrayRecords(file: string, opts: ReadOptions): AsyncGenerator<RawRecord> {
  const { onIssue, maxRecordSize } = opts;
  let count = 0;
  const onInvalidUtf8 = (found: InvalidUtf8): void => {
    onIssue({ file, ...('line' in found ? { line: found.line } : {}), message: describeInvalidUtf8(found) });
  };
  const options = { onInvalidUtf8, ...(maxRecordSize === undefined ? {} : { maxElementChars: maxRecordSize }) };
  try {
    for await (const element of streamJsonArray(file, options)) {
      count += 1;
      const { index } = element;
      if ('error' in element) onIssue({ file, index, message: `${element.error}; record skipped` });
      else yield { raw: element.value, source: { file, index } };
    }
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    onIssue({
      file,
      ...(e.line === undefined ? {} : { line: e.line }),
      message: `${e.message}; stopped reading this file after ${count} array element${count === 1 ? '' : 's'}`,
    });
  }
}

/**
 * The raw records of a dataset file (JSON array or JSON lines), read as readDataset reads them but not normalised:
 * for readers that need fields the ProcessBench item drops (PRMBench's per-step labels). Unreadable records are
 * reported through `onIssue` and skipped.
 */
export async function* readRawRecords(file: string, opts: ReadOptions): AsyncGenerator<RawRecord> {
  const fh = await openInput(file, 'Dataset file');
  let layout: Layout;
  try {
    layout = await detectLayout(fh);
  } catch (e) {
    await fh.close();
    throw new InputFileError(file, `Cannot read dataset file ${file}: ${errorMessage(e)}`, { cause: e });
  }
  if (layout !== 'lines') await fh.close();
  if (layout === 'empty') {
    opts.onIssue({ file, message: 'the file is empty: no records' });
    return;
  }
  yield* layout === 'array' ? arrayRecords(file, opts) : lineRecords(file, fh.createReadStream({ start: 0 }), opts);
}
