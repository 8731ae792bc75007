import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { openInput } from './files';
import { parseJsonLines } from './jsonLines';
import type { InputIssue, ResultRecord } from './types';
import { describe, isObject, type Checked } from './validate';

/**
 * Checks one results line. Required: `id` (string, or number → string), `subset` (non-empty string), `label`
 * (integer ≥ -1). Optional: `prediction` (integer or null; missing → null, a miss), `critic` (string; missing →
 * "unknown"), `scores` (one entry per step: a finite number, or null for a step the critic did not score; or null
 * as a whole; missing → null), `error` (a string: the critic failed on the item, so prediction and scores must be
 * null). Files written before unscored steps were kept (numbers only, or null) read the same as ever.
 */
function checkResultRecord(raw: unknown, file: string, line: number): Checked<ResultRecord> {
  const issues: InputIssue[] = [];
  const issue = (field: string | undefined, message: string): void => {
    issues.push({ file, line, ...(field === undefined ? {} : { field }), message });
  };
  if (!isObject(raw)) {
    issue(undefined, `expected a JSON object, got ${describe(raw)}`);
    return { issues };
  }
  const { id, subset, label, prediction = null, critic = 'unknown', scores = null, error } = raw;
  const { sections, gold_sections } = raw;
  for (const [field, list] of [
    ['sections', sections],
    ['gold_sections', gold_sections],
  ] as const) {
    if (list !== undefined && !isSectionList(list)) {
      issue(field, `expected a list of section numbers (integers ≥ 1), got ${describe(list)}`);
    }
  }
  if (!(typeof id === 'string' && id !== '') && !(typeof id === 'number' && Number.isFinite(id))) {
    issue('id', `expected a non-empty string or a number, got ${describe(id)}`);
  }
  if (typeof subset !== 'string' || subset === '')
    issue('subset', `expected a non-empty string, got ${describe(subset)}`);
  if (!Number.isInteger(label) || (label as number) < -1)
    issue('label', `expected an integer ≥ -1, got ${describe(label)}`);
  if (prediction !== null && !Number.isInteger(prediction))
    issue('prediction', `expected an integer or null, got ${describe(prediction)}`);
  if (typeof critic !== 'string') issue('critic', `expected a string, got ${describe(critic)}`);
  if (scores !== null) {
    if (!Array.isArray(scores)) issue('scores', `expected an array of step scores or null, got ${describe(scores)}`);
    else {
      const bad = scores.findIndex((s) => s !== null && (typeof s !== 'number' || !Number.isFinite(s)));
      if (bad !== -1) {
        // NaN and ±Infinity are named: JSON would write them as null, which means "not scored".
        const got = typeof scores[bad] === 'number' ? String(scores[bad]) : describe(scores[bad]);
        issue(`scores[${bad}]`, `expected a finite number or null (not scored), got ${got}`);
      }
    }
  }
  if (error !== undefined) {
    if (typeof error !== 'string' || error === '') {
      issue('error', `expected a non-empty string, got ${describe(error)}`);
    } else if (prediction !== null || scores !== null) issue('error', 'a failed item has prediction and scores null');
  }
  if (issues.length > 0) return { issues };
  return {
    value: {
      id: String(id),
      subset: subset as string,
      label: label as number,
      prediction: prediction as number | null,
      critic: critic as string,
      scores: scores as (number | null)[] | null,
      ...(error === undefined ? {} : { error: error as string }),
      ...(sections === undefined ? {} : { sections: sections as number[] }),
      ...(gold_sections === undefined ? {} : { gold_sections: gold_sections as number[] }),
    },
    issues,
  };
}

/** A list of 1-based section numbers (DeltaBench's numbering). */
export function isSectionList(v: unknown): v is number[] {
  return Array.isArray(v) && v.every((n) => Number.isInteger(n) && (n as number) >= 1);
}

/** Streams a results JSONL file; malformed lines are reported through `onIssue` and skipped. */
export async function* readResults(
  file: string,
  opts: { onIssue: (issue: InputIssue) => void; signal?: AbortSignal },
): AsyncGenerator<ResultRecord> {
  const fh = await openInput(file, 'Results file');
  for await (const parsed of parseJsonLines(fh.createReadStream())) {
    if (opts.signal?.aborted) return;
    if ('error' in parsed) {
      opts.onIssue({ file, line: parsed.line, message: `${parsed.error}; line skipped` });
      continue;
    }
    const { value, issues } = checkResultRecord(parsed.value, file, parsed.line);
    for (const i of issues) opts.onIssue({ ...i, message: `${i.message}; line skipped` });
    if (value !== undefined) yield value;
  }
}

/**
 * One JSONL line with the keys in the documented order: id, subset, label, prediction, critic, scores[, error]
 * [, sections][, gold_sections] (the last two only for section-level critics and DeltaBench items).
 */
export function formatResultLine(r: ResultRecord): string {
  const { id, subset, label, prediction, critic, scores } = r;
  const line = { id, subset, label, prediction, critic, scores };
  return JSON.stringify({
    ...line,
    ...(r.error === undefined ? {} : { error: r.error }),
    ...(r.sections === undefined ? {} : { sections: r.sections }),
    ...(r.gold_sections === undefined ? {} : { gold_sections: r.gold_sections }),
  });
}

const FLUSH_CHARS = 1 << 20;

/**
 * Writes lines to a temporary file next to `file`, fsyncs it, then renames it over `file`: the file is complete or
 * absent. On any failure (an error from `lines`, an I/O error) the temporary file is removed, `file` is left
 * untouched and the error is rethrown. Resolves to the number of lines written.
 */
export async function writeLinesAtomic(file: string, lines: AsyncIterable<string> | Iterable<string>): Promise<number> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fh = await open(temp, 'wx');
  let count = 0;
  try {
    let pending = '';
    for await (const line of lines) {
      pending += `${line}\n`;
      count += 1;
      if (pending.length >= FLUSH_CHARS) {
        await fh.write(pending);
        pending = '';
      }
    }
    await fh.write(pending);
    await fh.sync();
    await fh.close();
    await rename(temp, file);
    return count;
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}

/**
 * Writes results as JSONL, atomically (see writeLinesAtomic). An invalid record fails the whole write and leaves
 * `file` untouched. Resolves to the number of lines written.
 */
export function writeResultsAtomic(
  file: string,
  records: AsyncIterable<ResultRecord> | Iterable<ResultRecord>,
): Promise<number> {
  return writeLinesAtomic(file, checkedLines(file, records));
}

async function* checkedLines(
  file: string,
  records: AsyncIterable<ResultRecord> | Iterable<ResultRecord>,
): AsyncGenerator<string> {
  let count = 0;
  for await (const record of records) {
    const { issues } = checkResultRecord(record, file, count + 1);
    if (issues.length > 0) {
      const first = issues[0];
      throw new Error(
        `Cannot write result ${count + 1} (id ${JSON.stringify(record.id)}) to ${file}: ${first.field ?? 'record'}: ${first.message}`,
      );
    }
    count += 1;
    yield formatResultLine(record);
  }
}
