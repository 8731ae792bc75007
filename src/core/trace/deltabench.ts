import type { InputIssue } from '../datasets/types';
import { segment } from '../segment/segment';
import { sectionsAt } from './sections';
import type { SectionKind, SectionLabels, TraceSegmentation, TraceStep } from './types';
import { errorMessage } from '../util/errors';

/**
 * DeltaBench (arXiv 2502.19361) records, read natively from its released JSONL: `question`, the sectioned trace in
 * `sections_content` (or `section_content`), where each line `sectionN:` (N = 1, 2, … in order) introduces a
 * section, and the label lists `reason_error_section_numbers` and `reason_unuseful_section_numbers` (1-based).
 * Steps are each section's blank-line paragraphs; offsets are into the record's trace text, the `sectionN:`
 * headers in no step. The sections are the dataset's own, with their labels; where the record gives DeltaBench's
 * annotations of strategy shifts (`stragegy_shift_section_numbers`, the release's spelling, or
 * `strategy_shift_section_numbers`) and reflections (`reflection_section_numbers`), a shift section's kind is
 * "strategy-shift" and a reflection section's "verification" (a section with both is a shift, its reflection kept in
 * its labels); every other section is an "attempt". Label lists are JSON lists of section numbers, or a string
 * holding one ("[2, 5]"), as some copies of the release store them.
 */
export interface DeltaBenchRecord {
  id: string;
  /** 1-based line in the JSONL file. */
  line: number;
  question: string;
  /** The `sections_content` text the offsets refer to. */
  text: string;
  trace: TraceSegmentation;
  /** DeltaBench's gold set: the union of the error and unuseful section numbers (1-based, ascending). */
  goldSections: number[];
}

const HEADER = /^[ \t]*section(\d+)[ \t]*:/gim;

/** Parses DeltaBench JSONL; a bad record is reported with its line and field and skipped. */
export function parseDeltaBench(jsonl: string, file: string): { records: DeltaBenchRecord[]; issues: InputIssue[] } {
  const records: DeltaBenchRecord[] = [];
  const issues: InputIssue[] = [];
  jsonl.split('\n').forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      issues.push({ file, line, message: `not valid JSON (${errorMessage(e)})` });
      return;
    }
    const result = deltaBenchRecord(value, line);
    if ('field' in result) issues.push({ file, line, field: result.field, message: result.message });
    else records.push(result);
  });
  return { records, issues };
}

type Problem = { field: string; message: string };

/** One parsed JSONL value → a record, or the field that is wrong and why. */
export function deltaBenchRecord(value: unknown, line: number): DeltaBenchRecord | Problem {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { field: '', message: 'not a JSON object' };
  }
  const r = value as Record<string, unknown>;
  if (typeof r.question !== 'string') return { field: 'question', message: 'missing or not a string' };
  const field = 'sections_content' in r ? 'sections_content' : 'section_content';
  const text = r[field];
  if (typeof text !== 'string') return { field: 'sections_content', message: 'missing or not a string' };
  const headers = [...text.matchAll(HEADER)];
  if (headers.length === 0) return { field, message: 'no "sectionN:" line' };
  const wrong = headers.findIndex((h, i) => Number(h[1]) !== i + 1);
  if (wrong !== -1) return { field, message: `"section${headers[wrong][1]}:" where section${wrong + 1} was expected` };
  // The release spells it "stragegy"; a corrected copy may not.
  const shiftField =
    r.stragegy_shift_section_numbers !== undefined
      ? 'stragegy_shift_section_numbers'
      : 'strategy_shift_section_numbers';
  const lists: number[][] = [];
  for (const name of [
    'reason_error_section_numbers',
    'reason_unuseful_section_numbers',
    shiftField,
    'reflection_section_numbers',
  ]) {
    const list = sectionNumbers(r[name], headers.length);
    if (typeof list === 'string') return { field: name, message: list };
    lists.push(list);
  }
  const [errors, unuseful, shifts, reflections] = lists;

  const steps: TraceStep[] = [];
  const starts: { at: number; kind: SectionKind; labels: SectionLabels }[] = [];
  for (const [i, h] of headers.entries()) {
    const from = h.index + h[0].length;
    const to = headers[i + 1]?.index ?? text.length;
    const before = steps.length;
    for (const s of segment(text.slice(from, to), { strategy: 'paragraphs' }, from).steps) {
      steps.push({ ...s, index: steps.length, part: 'thinking', section: null });
    }
    if (steps.length === before) return { field, message: `section${i + 1} is empty` };
    const n = i + 1;
    const labels = {
      error: errors.includes(n),
      unuseful: unuseful.includes(n),
      strategyShift: shifts.includes(n),
      reflection: reflections.includes(n),
    };
    const kind = labels.strategyShift ? 'strategy-shift' : labels.reflection ? 'verification' : 'attempt';
    starts.push({ at: before, kind, labels });
  }
  const sections = sectionsAt(steps, starts);
  return {
    id: typeof r.id === 'string' || typeof r.id === 'number' ? String(r.id) : `line ${line}`,
    line,
    question: r.question,
    text,
    trace: {
      strategy: 'paragraphs',
      requested: 'paragraphs',
      reason: `${headers.length} DeltaBench sections`,
      parts: [{ kind: 'thinking', start: steps[0].start, end: steps[steps.length - 1].end }],
      sections,
      steps,
    },
    goldSections: [...new Set([...errors, ...unuseful])].sort((a, b) => a - b),
  };
}

/** A label list: absent means none; otherwise integers from 1 to `count`, or a string holding such a JSON list. */
function sectionNumbers(value: unknown, count: number): number[] | string {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      return `${JSON.stringify(value)} is not a list of section numbers`;
    }
    return Array.isArray(parsed) ? sectionNumbers(parsed, count) : `${JSON.stringify(value)} is not a list`;
  }
  if (!Array.isArray(value)) return 'not a list';
  const bad = value.find((n) => !Number.isInteger(n) || (n as number) < 1 || (n as number) > count);
  if (bad !== undefined) return `${JSON.stringify(bad)} is not a section number from 1 to ${count}`;
  return value as number[];
}
