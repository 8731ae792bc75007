import { basename } from 'node:path';
import type { DatasetItem, InputIssue } from './types';
import type { SectionRange } from '../critics/types';
import { deltaBenchRecord } from '../trace/deltabench';
import { traceItemSteps } from '../trace/items';
import { checkDatasetRecord, describe, isObject, subsetFromFileName, type Checked, type Source } from './validate';

/**
 * Step-labelled dataset layouts that readDataset understands, each normalised to a ProcessBench-style item (problem,
 * steps, label = 0-based earliest erroneous step or -1):
 * - processbench: `{id, generator, problem, steps, final_answer_correct, label}`.
 * - prm800k: OpenAI's PRM800K lines `{question: {problem}, label: {steps: [{completions: [{text, rating}],
 *   human_completion, chosen_completion}], finish_reason}}`. The solution is the labelled path: each step's chosen
 *   completion (or the labeller's own), and at the last step the completion rated -1 when the labeller found an
 *   error. label = first step rated -1; a neutral rating (0) is not an error. Records the labeller did not finish
 *   (finish_reason other than "solution"/"found_error") have no first-error label and are skipped.
 * - math-shepherd: `{input, label, task}` where `input` ends every step with the tag "ки" and `label` is the same
 *   text with each tag replaced by "+" or "-"; the problem is the text before "Step 1:". label = first "-".
 * - trl-stepwise: TRL's stepwise supervision `{prompt, completions: [str], labels: [bool]}`; label = first false.
 * - big-bench-mistake: `{input, steps, answer, target, mistake_index}`; label = mistake_index (0-based) or -1 for
 *   null; final_answer_correct = answer equals target.
 * - prmbench: PRMBench's released records `{idx, classification, modified_question, modified_process, error_steps}`
 *   (1-based error steps); id = idx, subset = classification, label = min(error_steps) - 1. The per-step labels and
 *   the "correct" items PRMBench's loader adds are read by prmbench.ts for the PRMScore.
 * - deltabench: DeltaBench's released records `{question, sections_content, reason_error_section_numbers,
 *   reason_unuseful_section_numbers}` (read by src/core/trace/deltabench.ts). The item keeps the sections (step
 *   ranges) and the gold set (error ∪ unuseful sections). label is DERIVED: the first step of the first gold section,
 *   or -1 when there is none (DeltaBench labels sections, not a first error; section-level metrics use the gold set).
 * In every layout but DeltaBench (whose traces are all thinking), an item whose steps hold a thinking block
 * (`<think>…</think>` and the other forms of src/core/trace/parts.ts) is split as a trace file is
 * (src/core/trace/items.ts): tags removed, thinking steps first with their sections, the label moved with its step.
 * An `id` or `subset` key is used when present in any layout; otherwise the id is "<file name>:<line or index>" and
 * the subset the file name (Math-Shepherd: its `task`), or the id prefix in a file that mixes them (subsets.ts).
 */
export type DatasetFormat =
  'processbench' | 'prm800k' | 'math-shepherd' | 'trl-stepwise' | 'big-bench-mistake' | 'prmbench' | 'deltabench';

export const FORMAT_NAMES: Record<DatasetFormat, string> = {
  processbench: 'ProcessBench',
  prm800k: 'PRM800K',
  'math-shepherd': 'Math-Shepherd',
  'trl-stepwise': 'TRL stepwise',
  'big-bench-mistake': 'BIG-Bench Mistake',
  prmbench: 'PRMBench',
  deltabench: 'DeltaBench',
};

/** The layout of a record, told by its keys (a non-object has none). Anything unrecognised is checked as ProcessBench. */
export function detectFormat(raw: unknown): DatasetFormat | undefined {
  if (!isObject(raw)) return undefined;
  if ('question' in raw && isObject(raw.label)) return 'prm800k';
  if ('prompt' in raw && 'completions' in raw && 'labels' in raw) return 'trl-stepwise';
  if ('mistake_index' in raw && 'steps' in raw) return 'big-bench-mistake';
  if ('modified_process' in raw && 'error_steps' in raw) return 'prmbench';
  if ('question' in raw && ('sections_content' in raw || 'section_content' in raw)) return 'deltabench';
  if (typeof raw.input === 'string' && typeof raw.label === 'string') return 'math-shepherd';
  return 'processbench';
}

/** Checks a record of the given layout and converts it to a dataset item; problems name the layout's own fields. */
export function normalizeRecord(format: DatasetFormat, raw: unknown, source: Source): Checked<DatasetItem> {
  const checked = format === 'processbench' ? checkDatasetRecord(raw, source) : normalizeLayout(format, raw, source);
  return format === 'deltabench' ? checked : withTraceParts(checked, source);
}

/**
 * An item whose solution holds a thinking block, split into the trace's parts as a file is (traceItemSteps): the
 * steps without the tags, the thinking's first, its sections, the label moved with its step.
 */
function withTraceParts(checked: Checked<DatasetItem>, source: Source): Checked<DatasetItem> {
  const item = checked.value;
  if (item === undefined) return checked;
  const trace = traceItemSteps(item.steps, item.label);
  if (trace === undefined) return checked;
  if (typeof trace === 'string') {
    const r = new RecordCheck(source);
    r.block('label', trace);
    return { issues: [...checked.issues, ...r.issues] };
  }
  const { steps, label, thinkingSteps, sections } = trace;
  const value = { ...item, steps, label, thinkingSteps, ...(sections.length > 0 ? { sections } : {}) };
  return { value, issues: checked.issues };
}

function normalizeLayout(
  format: Exclude<DatasetFormat, 'processbench'>,
  raw: unknown,
  source: Source,
): Checked<DatasetItem> {
  const r = new RecordCheck(source);
  if (!isObject(raw)) {
    r.block(undefined, `expected a JSON object, got ${describe(raw)}`);
    return { issues: r.issues };
  }
  const parsed = PARSERS[format](raw, r);
  const id = r.id(raw.id ?? parsed?.id);
  const subset = r.subset(raw.subset, parsed?.subset);
  if (r.blocked || !parsed || id === undefined) return { issues: r.issues };
  return {
    value: {
      id,
      subset,
      problem: parsed.problem,
      steps: parsed.steps,
      label: parsed.label,
      ...(parsed.finalAnswerCorrect !== undefined ? { finalAnswerCorrect: parsed.finalAnswerCorrect } : {}),
      ...(parsed.sections ? { sections: parsed.sections, goldSections: parsed.goldSections ?? [] } : {}),
      ...(parsed.thinkingSteps !== undefined ? { thinkingSteps: parsed.thinkingSteps } : {}),
      source,
    },
    issues: r.issues,
  };
}

interface Parsed {
  problem: string;
  steps: string[];
  label: number;
  finalAnswerCorrect?: boolean | null;
  subset?: string;
  id?: string;
  sections?: SectionRange[];
  goldSections?: number[];
  thinkingSteps?: number;
}

/** Collects a record's problems; `block` marks the record unusable (it is skipped). */
class RecordCheck {
  readonly issues: InputIssue[] = [];
  blocked = false;

  constructor(private readonly source: Source) {}

  note(field: string | undefined, message: string): void {
    const s = this.source;
    this.issues.push({
      file: s.file,
      ...(s.line === undefined ? {} : { line: s.line }),
      ...(s.index === undefined ? {} : { index: s.index }),
      ...(field === undefined ? {} : { field }),
      message,
    });
  }

  block(field: string | undefined, message: string): undefined {
    this.blocked = true;
    this.note(field, `${message}; record skipped`);
    return undefined;
  }

  string(value: unknown, field: string): string | undefined {
    if (typeof value === 'string') return value;
    return this.block(field, value === undefined ? 'missing' : `expected a string, got ${describe(value)}`);
  }

  strings(value: unknown, field: string): string[] | undefined {
    if (!Array.isArray(value) || value.length === 0)
      return this.block(field, `expected a non-empty array of strings, got ${describe(value)}`);
    const bad = value.findIndex((s) => typeof s !== 'string');
    if (bad !== -1) return this.block(`${field}[${bad}]`, `expected a string, got ${describe(value[bad])}`);
    return value as string[];
  }

  /** A given id (string or number), else "<file name>:<line or index>"; undefined when it has a wrong type. */
  id(value: unknown): string | undefined {
    if (value === undefined || value === null || value === '')
      return `${basename(this.source.file)}:${this.source.line ?? this.source.index}`;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return this.block('id', `expected a string or a number, got ${describe(value)}`);
  }

  subset(value: unknown, fromRecord: string | undefined): string {
    const fallback = fromRecord ?? subsetFromFileName(this.source.file);
    if (typeof value === 'string' && value !== '') return value;
    if (value !== undefined && value !== '')
      this.note('subset', `expected a string, got ${describe(value)}; using "${fallback}"`);
    return fallback;
  }
}

const PARSERS: Record<
  Exclude<DatasetFormat, 'processbench'>,
  (raw: Record<string, unknown>, r: RecordCheck) => Parsed | undefined
> = {
  prm800k: parsePrm800k,
  'math-shepherd': parseMathShepherd,
  'trl-stepwise': parseTrlStepwise,
  'big-bench-mistake': parseBigBenchMistake,
  prmbench: parsePrmbench,
  deltabench: parseDeltaBenchItem,
};

const FINISHED = new Set(['solution', 'found_error']);

function parsePrm800k(raw: Record<string, unknown>, r: RecordCheck): Parsed | undefined {
  const question = raw.question;
  const problem = isObject(question)
    ? r.string(question.problem, 'question.problem')
    : r.block('question', `expected an object with "problem", got ${describe(question)}`);
  const label = raw.label as Record<string, unknown>;
  const finish = label.finish_reason;
  if (typeof finish !== 'string' || !FINISHED.has(finish)) {
    return r.block(
      'label.finish_reason',
      `${describe(finish)}: the labeller did not finish this solution, so it has no first-error label`,
    );
  }
  if (!Array.isArray(label.steps) || label.steps.length === 0)
    return r.block('label.steps', `expected a non-empty array, got ${describe(label.steps)}`);
  const steps: string[] = [];
  let firstError = -1;
  for (let k = 0; k < label.steps.length && firstError === -1; k++) {
    const field = `label.steps[${k}]`;
    const step = label.steps[k];
    if (!isObject(step)) return r.block(field, `expected an object, got ${describe(step)}`);
    const picked = pickPrm800kCompletion(step, field, r);
    if (picked === null) break; // no completion was chosen: the labelled path ends here
    if (picked === undefined) return undefined;
    steps.push(picked.text);
    if (picked.rating === -1) firstError = k;
  }
  if (finish === 'found_error' && firstError === -1)
    return r.block('label.steps', 'finish_reason is "found_error" but no step on the labelled path is rated -1');
  if (steps.length === 0) return r.block('label.steps', 'no step on the labelled path');
  if (problem === undefined) return undefined;
  return { problem, steps, label: firstError };
}

/** The step on the labelled path: the chosen completion, the labeller's own, or (last step) the one rated -1. */
function pickPrm800kCompletion(
  step: Record<string, unknown>,
  field: string,
  r: RecordCheck,
): { text: string; rating: number | null } | null | undefined {
  const completions = step.completions ?? [];
  if (!Array.isArray(completions))
    return r.block(`${field}.completions`, `expected an array or null, got ${describe(completions)}`);
  const chosen = step.chosen_completion;
  const completion = (i: number): { text: string; rating: number | null } | undefined => {
    const c = completions[i];
    if (!isObject(c) || typeof c.text !== 'string')
      return r.block(
        `${field}.completions[${i}]`,
        `expected {"text": string, "rating": -1, 0, 1 or null}, got ${describe(c)}`,
      );
    if (c.rating !== null && c.rating !== undefined && ![-1, 0, 1].includes(c.rating as number))
      return r.block(`${field}.completions[${i}].rating`, `expected -1, 0, 1 or null, got ${describe(c.rating)}`);
    return { text: c.text, rating: (c.rating as number | null | undefined) ?? null };
  };
  if (chosen !== null && chosen !== undefined) {
    if (!Number.isInteger(chosen) || (chosen as number) < 0 || (chosen as number) >= completions.length) {
      return r.block(
        `${field}.chosen_completion`,
        `${describe(chosen)} is not an index into its ${completions.length} completions`,
      );
    }
    return completion(chosen as number);
  }
  const human = step.human_completion;
  if (typeof human === 'string') return { text: human, rating: 1 };
  if (isObject(human) && typeof human.text === 'string') return { text: human.text, rating: 1 };
  for (let i = 0; i < completions.length; i++) {
    const c = completions[i];
    if (isObject(c) && c.rating === -1) return completion(i);
  }
  return null;
}

const STEP_TAG = 'ки';

function parseMathShepherd(raw: Record<string, unknown>, r: RecordCheck): Parsed | undefined {
  const input = raw.input as string;
  const labelled = raw.label as string;
  const parts = input.split(STEP_TAG);
  if (parts.length < 2) return r.block('input', `no step tag "${STEP_TAG}" in the text`);
  if (parts[parts.length - 1].trim() !== '')
    return r.block('input', `text after the last step tag "${STEP_TAG}" has no label`);
  const marks: string[] = [];
  let at = 0;
  for (let i = 0; i < parts.length - 1; i++) {
    if (!labelled.startsWith(parts[i], at) || !'+-'.includes(labelled[at + parts[i].length] ?? 'x')) {
      return r.block(
        'label',
        `does not match "input" at step ${i + 1}: expected the same text with "+" or "-" in place of each "${STEP_TAG}"`,
      );
    }
    at += parts[i].length;
    marks.push(labelled[at]);
    at += 1;
  }
  const start = /Step 1\s*:/.exec(parts[0]);
  if (!start) return r.block('input', 'cannot tell the problem from the first step: no "Step 1:" in the text');
  const steps = [parts[0].slice(start.index), ...parts.slice(1, -1)].map((s) => s.trim());
  const task = typeof raw.task === 'string' && raw.task !== '' ? raw.task : undefined;
  return {
    problem: parts[0].slice(0, start.index).trim(),
    steps,
    label: marks.indexOf('-'),
    ...(task ? { subset: task } : {}),
  };
}

function parseTrlStepwise(raw: Record<string, unknown>, r: RecordCheck): Parsed | undefined {
  const problem = r.string(raw.prompt, 'prompt');
  const steps = r.strings(raw.completions, 'completions');
  const labels = raw.labels;
  if (!Array.isArray(labels) || labels.length === 0)
    return r.block('labels', `expected a non-empty array of booleans, got ${describe(labels)}`);
  const bad = labels.findIndex((l) => typeof l !== 'boolean');
  if (bad !== -1) return r.block(`labels[${bad}]`, `expected true or false, got ${describe(labels[bad])}`);
  if (steps && labels.length !== steps.length)
    return r.block('labels', `has ${labels.length} entries for ${steps.length} completions`);
  if (problem === undefined || steps === undefined) return undefined;
  return { problem, steps, label: labels.indexOf(false) };
}

function parseBigBenchMistake(raw: Record<string, unknown>, r: RecordCheck): Parsed | undefined {
  const problem = r.string(raw.input, 'input');
  const steps = r.strings(raw.steps, 'steps');
  const mistake = raw.mistake_index;
  if (mistake !== null && (!Number.isInteger(mistake) || (mistake as number) < 0))
    return r.block('mistake_index', `expected a 0-based step index or null, got ${describe(mistake)}`);
  if (steps && mistake !== null && (mistake as number) >= steps.length)
    return r.block('mistake_index', `${mistake as number} is out of range for ${steps.length} steps`);
  if (problem === undefined || steps === undefined) return undefined;
  const { answer, target } = raw;
  let finalAnswerCorrect: boolean | null | undefined;
  if (answer === null) finalAnswerCorrect = null;
  else if (typeof answer === 'string' && typeof target === 'string')
    finalAnswerCorrect = answer.trim() === target.trim();
  return {
    problem,
    steps,
    label: mistake === null ? -1 : (mistake as number),
    ...(finalAnswerCorrect !== undefined ? { finalAnswerCorrect } : {}),
  };
}

function parsePrmbench(raw: Record<string, unknown>, r: RecordCheck): Parsed | undefined {
  const problem = r.string(raw.modified_question ?? raw.question, 'modified_question');
  const steps = r.strings(raw.modified_process, 'modified_process');
  const category = r.string(raw.classification, 'classification');
  const errors = raw.error_steps;
  if (!Array.isArray(errors) || errors.some((e) => !Number.isInteger(e) || (e as number) < 1)) {
    return r.block('error_steps', `expected an array of 1-based step numbers, got ${describe(errors)}`);
  }
  const first = errors.length === 0 ? 0 : Math.min(...(errors as number[]));
  if (steps && first > steps.length) {
    return r.block('error_steps', `step ${first} is past the last of ${steps.length} steps`);
  }
  if (problem === undefined || steps === undefined || category === undefined) return undefined;
  const idx = typeof raw.idx === 'string' && raw.idx !== '' ? raw.idx : undefined;
  return { problem, steps, label: first - 1, subset: category, ...(idx ? { id: idx } : {}) };
}

/** A DeltaBench record: the steps of its sections, the sections as step ranges, the gold set; label derived. */
function parseDeltaBenchItem(raw: Record<string, unknown>, r: RecordCheck): Parsed | undefined {
  // Line 0: the record's own id fallback is unused; normalizeRecord names the item by the layouts' common rule.
  const record = deltaBenchRecord(raw, 0);
  if ('field' in record) return r.block(record.field || undefined, record.message);
  const { trace, goldSections } = record;
  const first = goldSections.length > 0 ? trace.sections[goldSections[0] - 1].firstStep : -1;
  return {
    problem: record.question,
    steps: trace.steps.map((s) => s.text),
    label: first,
    sections: trace.sections.map((s) => ({ firstStep: s.firstStep, lastStep: s.lastStep })),
    goldSections,
    // DeltaBench's traces are long chains of thought: all thinking.
    thinkingSteps: trace.steps.length,
  };
}
