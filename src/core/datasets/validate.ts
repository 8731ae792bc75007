import { basename } from 'node:path';
import { RawNumber } from './rawNumbers';
import type { DatasetItem, InputIssue } from './types';

export type Source = DatasetItem['source'];

/** The outcome of checking one record: the item when it is usable, and every problem found (each names its field). */
export interface Checked<T> {
  value?: T;
  issues: InputIssue[];
}

/** Subset name from a file name: the base name without its extension(s), "gsm8k.test.jsonl" → "gsm8k". */
export function subsetFromFileName(file: string): string {
  const name = basename(file);
  const dot = name.indexOf('.', 1);
  return dot === -1 ? name : name.slice(0, dot);
}

/**
 * Checks a ProcessBench-layout record `{id, generator, problem, steps, final_answer_correct, label}` (extra keys
 * allowed). `problem`, `steps` and `label` are required: a problem with any of them skips the record. A missing id
 * becomes "<file name>:<line or index>"; a wrongly typed optional field (`generator`, `final_answer_correct`,
 * `subset`) is reported and ignored, keeping the record.
 */
export function checkDatasetRecord(raw: unknown, source: Source): Checked<DatasetItem> {
  const issues: InputIssue[] = [];
  const issue = (field: string | undefined, message: string): void => {
    issues.push({ ...where(source), ...(field === undefined ? {} : { field }), message });
  };
  if (!isObject(raw)) {
    issue(undefined, `expected a JSON object, got ${describe(raw)}; record skipped`);
    return { issues };
  }
  let blocked = false;
  const block = (field: string, message: string): void => {
    blocked = true;
    issue(field, `${message}; record skipped`);
  };

  const id = checkId(raw.id);
  if (id === undefined) block('id', `expected a string or a number, got ${describe(raw.id)}`);

  if (raw.problem === undefined) block('problem', 'missing');
  else if (typeof raw.problem !== 'string') block('problem', `expected a string, got ${describe(raw.problem)}`);

  let stepCount: number | undefined;
  if (!Array.isArray(raw.steps) || raw.steps.length === 0) {
    block('steps', `expected a non-empty array of strings, got ${describe(raw.steps)}`);
  } else {
    const bad = raw.steps.findIndex((s) => typeof s !== 'string');
    if (bad !== -1) block(`steps[${bad}]`, `expected a string, got ${describe(raw.steps[bad])}`);
    else stepCount = raw.steps.length;
  }

  const range =
    stepCount === undefined ? 'an integer ≥ -1' : `an integer in [-1, ${stepCount - 1}] (${stepCount} steps)`;
  if (raw.label === undefined) block('label', `missing; expected ${range}`);
  else if (!Number.isInteger(raw.label) || (raw.label as number) < -1)
    block('label', `${describe(raw.label)} is not ${range}`);
  else if (stepCount !== undefined && (raw.label as number) > stepCount - 1)
    block('label', `${raw.label as number} is out of range: expected ${range}`);

  let subset = subsetFromFileName(source.file);
  if (typeof raw.subset === 'string' && raw.subset !== '') subset = raw.subset;
  else if (raw.subset !== undefined && raw.subset !== '')
    issue('subset', `expected a string, got ${describe(raw.subset)}; using "${subset}" from the file name`);

  const item: Partial<DatasetItem> = {};
  if (raw.generator !== undefined && raw.generator !== null) {
    if (typeof raw.generator === 'string') item.generator = raw.generator;
    else issue('generator', `expected a string, got ${describe(raw.generator)}; ignored`);
  }
  if (raw.final_answer_correct !== undefined) {
    if (typeof raw.final_answer_correct === 'boolean' || raw.final_answer_correct === null)
      item.finalAnswerCorrect = raw.final_answer_correct;
    else
      issue('final_answer_correct', `expected true, false or null, got ${describe(raw.final_answer_correct)}; ignored`);
  }

  if (blocked) return { issues };
  return {
    value: {
      id: id ?? `${basename(source.file)}:${source.line ?? source.index}`,
      subset,
      problem: raw.problem as string,
      steps: raw.steps as string[],
      label: raw.label as number,
      ...item,
      source,
    },
    issues,
  };
}

/** undefined when the id has a wrong type; null when it is absent (the caller derives one). */
function checkId(id: unknown): string | null | undefined {
  if (id === undefined || id === null || id === '') return null;
  if (typeof id === 'string') return id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  return undefined;
}

function where(source: Source): Omit<InputIssue, 'message'> {
  return {
    file: source.file,
    ...(source.line === undefined ? {} : { line: source.line }),
    ...(source.index === undefined ? {} : { index: source.index }),
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof RawNumber);
}

/**
 * A short rendering of a bad value for messages: its JSON (cut to 40 characters), a number out of range as written,
 * or "an array"/"nothing".
 */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'an empty array' : 'an array';
  if (value instanceof RawNumber) return `${cut(value.text)} (out of range)`;
  return isObject(value) ? 'an object' : cut(JSON.stringify(value));
}

function cut(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
