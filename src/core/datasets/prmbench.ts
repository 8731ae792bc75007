import { readRawRecords, type ReadOptions } from './read';
import type { InputIssue } from './types';
import { describe, isObject, type Source } from './validate';

/** PRMBench's per-step ground truth of one solution. */
export interface PrmbenchLabels {
  id: string;
  /** `classification` (the error category), or "correct" for the unmodified solutions the evaluator adds. */
  category: string;
  /** Per step: true when the step is not among the 1-based `error_steps`. */
  correct: boolean[];
  /** Error steps past the last step: they mark no step, as in PRMBench's evaluator (the released files have some). */
  errorsPastEnd: number;
}

/**
 * The labelled solutions of one PRMBench record, in either layout:
 * - released: `{idx, classification, modified_process, error_steps (1-based), original_process, ...}`. As PRMBench's
 *   loader does, a "redundency" record also gives its unmodified solution (`original_process`, no error step) as a
 *   "correct" item, id "correct_" + the idx without its category prefix.
 * - ProcessBench-style conversion: `{id, classification, steps, error_steps_1based}`.
 * An error step past the last step marks no step, as in PRMBench's evaluator; `errorsPastEnd` counts them.
 */
export function prmbenchRecordLabels(raw: unknown, source: Source): { items: PrmbenchLabels[]; issues: InputIssue[] } {
  const issues: InputIssue[] = [];
  const note = (field: string | undefined, message: string): void => {
    issues.push({
      file: source.file,
      ...(source.line === undefined ? {} : { line: source.line }),
      ...(source.index === undefined ? {} : { index: source.index }),
      ...(field === undefined ? {} : { field }),
      message,
    });
  };
  const skip = (field: string | undefined, message: string) => {
    note(field, `${message}; record skipped`);
    return { items: [], issues };
  };
  if (!isObject(raw)) return skip(undefined, `expected a JSON object, got ${describe(raw)}`);
  const released = 'modified_process' in raw;
  const [idField, stepsField, errorsField] = released
    ? ['idx', 'modified_process', 'error_steps']
    : ['id', 'steps', 'error_steps_1based'];
  const { classification } = raw;
  const id = raw[idField];
  const steps = raw[stepsField];
  const errors = raw[errorsField];
  if (typeof classification !== 'string' || classification === '') {
    return skip('classification', `expected the PRMBench error category, got ${describe(classification)}`);
  }
  if (typeof id !== 'string' || id === '') return skip(idField, `expected a non-empty string, got ${describe(id)}`);
  if (!Array.isArray(steps) || steps.length === 0) {
    return skip(stepsField, `expected a non-empty array, got ${describe(steps)}`);
  }
  if (!Array.isArray(errors) || errors.some((e) => !Number.isInteger(e) || (e as number) < 1)) {
    return skip(errorsField, `expected an array of 1-based step numbers, got ${describe(errors)}`);
  }
  const errorsPastEnd = (errors as number[]).filter((e) => e > steps.length).length;
  const wrong = new Set((errors as number[]).map((e) => e - 1));
  const correct = steps.map((_, i) => !wrong.has(i));
  const items: PrmbenchLabels[] = [{ id, category: classification, correct, errorsPastEnd }];
  const original = raw.original_process;
  if (released && classification === 'redundency') {
    if (!Array.isArray(original) || original.length === 0) {
      note('original_process', `expected a non-empty array, got ${describe(original)}; no "correct" item from it`);
    } else {
      const bare = id.startsWith(`${classification}_`) ? id.slice(classification.length + 1) : id;
      items.push({ id: `correct_${bare}`, category: 'correct', correct: original.map(() => true), errorsPastEnd: 0 });
    }
  }
  return { items, issues };
}

/**
 * The per-step labels of a PRMBench file by id (the first record of an id wins: PRMBench's loader drops repeats
 * silently, and the released files repeat some). Malformed records are reported and skipped.
 */
export async function readPrmbenchLabels(file: string, opts: ReadOptions): Promise<Map<string, PrmbenchLabels>> {
  const labels = new Map<string, PrmbenchLabels>();
  for await (const { raw, source } of readRawRecords(file, opts)) {
    const { items, issues } = prmbenchRecordLabels(raw, source);
    issues.forEach(opts.onIssue);
    for (const item of items) if (!labels.has(item.id)) labels.set(item.id, item);
  }
  return labels;
}
