import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { answersEquivalent } from '../answers/equivalent';
import { extractAnswer } from '../answers/extract';
import type { BonSample } from '../bon/types';
import { aggregatedScores, lowestStep } from '../bon/aggregate';
import { describeInvalidUtf8 } from './encoding';
import { detectLayout, InputFileError, openInput } from './files';
import { JsonSyntaxError, streamJsonArray } from './jsonArray';
import { parseJsonLines } from './jsonLines';
import type { InputIssue } from './types';
import { describe, isObject, subsetFromFileName, type Source } from './validate';

/** One sampled solution read from a file, with the problem it belongs to. */
export interface BonRecord {
  /** The problem: `problem_id`, else `unique_id`, else the problem text. */
  problem: string;
  subset: string;
  /** The solution's own `id` (joins it with a results file), else "<file name>:<line or index>[#k]". */
  id: string;
  sample: BonSample;
}

/**
 * Streams the samples of a best-of-N file (JSON lines or a JSON array), one record per solution or per problem:
 * - per solution (PRM800K's scored samples and any step-segmented layout): `problem` (required), the sample's answer
 *   from `given_answer` (a string, or null: none), else extracted from `steps`/`solution`/`response`/`completion`
 *   text (extract.ts), else — a record with no solution text — `answer`; correctness from `is_correct` or
 *   `final_answer_correct`, else graded against the gold `answer` (equivalent.ts); every numeric `prm_score`,
 *   `orm_score`, `score` or other `*_score` field is a per-solution score; an integer `label` (ProcessBench: first
 *   wrong step, -1 none) marks a wrong process.
 * - per problem (search-and-learn's output): `problem`, gold `answer`, `completions` (strings) and `scores` (per
 *   completion, its step scores): each completion is a sample scored `prm/<aggregation>`.
 * Bad records are reported with file, line (or array index) and field, and skipped.
 */
export async function* readBonSamples(
  file: string,
  opts: { onIssue: (issue: InputIssue) => void; signal?: AbortSignal },
): AsyncGenerator<BonRecord> {
  for await (const { raw, source } of rawRecords(file, opts.onIssue)) {
    if (opts.signal?.aborted) return;
    const issues: InputIssue[] = [];
    const records = checkRecord(raw, source, (field, message) => {
      issues.push({ ...where(source), ...(field === undefined ? {} : { field }), message });
    });
    issues.forEach(opts.onIssue);
    yield* records;
  }
}

type Issue = (field: string | undefined, message: string) => void;

function checkRecord(raw: unknown, source: Source, issue: Issue): BonRecord[] {
  const skip = (field: string | undefined, message: string): BonRecord[] => {
    issue(field, `${message}; record skipped`);
    return [];
  };
  if (!isObject(raw)) return skip(undefined, `expected a JSON object, got ${describe(raw)}`);
  if (typeof raw.problem !== 'string' || raw.problem === '') {
    return skip('problem', `expected a non-empty string, got ${describe(raw.problem)}`);
  }
  const group = problemId(raw, issue) ?? raw.problem;
  let subset = subsetFromFileName(source.file);
  if (typeof raw.subset === 'string' && raw.subset !== '') subset = raw.subset;
  else if (raw.subset !== undefined) {
    issue('subset', `expected a non-empty string, got ${describe(raw.subset)}; ignored`);
  }
  const here = `${basename(source.file)}:${source.line ?? source.index}`;
  if (Array.isArray(raw.completions) && 'scores' in raw) {
    const samples = searchAndLearn(raw, issue, skip);
    return samples.map((sample, k) => ({ problem: group, subset, id: `${here}#${k}`, sample }));
  }
  const sample = perSolution(raw, issue, skip);
  if (!sample) return [];
  const id = typeof raw.id === 'string' || typeof raw.id === 'number' ? String(raw.id) : here;
  return [{ problem: group, subset, id, sample }];
}

function problemId(raw: Record<string, unknown>, issue: Issue): string | undefined {
  for (const key of ['problem_id', 'unique_id']) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v))) return String(v);
    issue(key, `expected a string or a number, got ${describe(v)}; grouping by the problem text`);
  }
  return undefined;
}

const SOLUTION_FIELDS = ['steps', 'solution', 'response', 'completion'] as const;

function perSolution(raw: Record<string, unknown>, issue: Issue, skip: Issue): BonSample | undefined {
  const text = solutionText(raw, issue);
  if (text === undefined) return void skip('steps', 'a bad solution text');
  let answer: string | null;
  let gold: unknown = raw.answer;
  if ('given_answer' in raw) {
    if (raw.given_answer !== null && typeof raw.given_answer !== 'string') {
      return void skip('given_answer', `expected a string or null, got ${describe(raw.given_answer)}`);
    }
    answer = raw.given_answer === null || raw.given_answer.trim() === '' ? null : raw.given_answer;
  } else if (text !== null) answer = extractAnswer(text);
  else {
    if (typeof raw.answer !== 'string') {
      return void skip('answer', `expected the sample's answer, got ${describe(raw.answer)}`);
    }
    answer = raw.answer;
    gold = undefined;
  }
  const correct = correctness(raw, answer, gold, skip);
  if (correct === undefined) return undefined;
  const sample: BonSample = { answer, correct, scores: scoreFields(raw, issue) };
  if (raw.label !== undefined) {
    if (Number.isInteger(raw.label) && (raw.label as number) >= -1) sample.processError = { label: raw.label !== -1 };
    else issue('label', `expected an integer ≥ -1 (first wrong step), got ${describe(raw.label)}; ignored`);
  }
  return sample;
}

/** The solution's text (steps joined), null when the record has none, undefined when it is malformed. */
function solutionText(raw: Record<string, unknown>, issue: Issue): string | null | undefined {
  for (const key of SOLUTION_FIELDS) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'string') return v;
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return v.join('\n');
    issue(key, `expected a string or an array of strings, got ${describe(v)}`);
    return undefined;
  }
  return null;
}

/** The record's own correctness field, else the answer graded against the gold one; undefined: neither usable. */
function correctness(
  raw: Record<string, unknown>,
  answer: string | null,
  gold: unknown,
  skip: Issue,
): boolean | undefined {
  for (const key of ['is_correct', 'final_answer_correct']) {
    const v = raw[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'boolean') return v;
    return void skip(key, `expected true or false, got ${describe(v)}`);
  }
  if (typeof gold !== 'string') {
    return void skip('answer', `no is_correct, final_answer_correct or gold answer string (got ${describe(gold)})`);
  }
  return answer !== null && answersEquivalent(answer, gold);
}

/** Numeric `score` and `*_score` fields; a non-finite or non-numeric one is reported and ignored. */
function scoreFields(raw: Record<string, unknown>, issue: Issue): Record<string, number> {
  const scores: Record<string, number> = {};
  for (const [key, v] of Object.entries(raw)) {
    if (key !== 'score' && !key.endsWith('_score')) continue;
    if (typeof v === 'number' && Number.isFinite(v)) scores[key] = v;
    else if (v !== null) issue(key, `expected a finite number, got ${describe(v)}; ignored`);
  }
  return scores;
}

/** search-and-learn: completion k is a sample; scores[k] its step scores (aggregated as critic "prm"). */
function searchAndLearn(raw: Record<string, unknown>, issue: Issue, skip: Issue): BonSample[] {
  const { completions, scores, answer: gold } = raw as { completions: unknown[]; scores: unknown; answer: unknown };
  if (typeof gold !== 'string') {
    skip('answer', `expected the gold answer string, got ${describe(gold)}`);
    return [];
  }
  if (!Array.isArray(scores) || scores.length !== completions.length) {
    const lists = `${Array.isArray(scores) ? scores.length : 0} lists for ${completions.length} completions`;
    const got = Array.isArray(scores) ? lists : describe(scores);
    skip('scores', `expected one list of step scores per completion, got ${got}`);
    return [];
  }
  const samples: BonSample[] = [];
  completions.forEach((text, k) => {
    const steps = scores[k] as unknown;
    if (typeof text !== 'string') {
      return issue(`completions[${k}]`, `expected a string, got ${describe(text)}; skipped`);
    }
    const bad = Array.isArray(steps) ? steps.findIndex((s) => typeof s !== 'number' || !Number.isFinite(s)) : 0;
    if (!Array.isArray(steps) || steps.length === 0 || bad !== -1) {
      const field = Array.isArray(steps) && steps.length > 0 ? `scores[${k}][${bad}]` : `scores[${k}]`;
      const got = describe(Array.isArray(steps) ? steps[bad] : steps);
      return issue(field, `expected finite step scores, got ${got}; skipped`);
    }
    const answer = extractAnswer(text);
    const stepScores = steps as number[];
    samples.push({
      answer,
      correct: answer !== null && answersEquivalent(answer, gold),
      scores: aggregatedScores('prm', stepScores),
      lowestStep: { prm: lowestStep(stepScores) },
    });
  });
  return samples;
}

function where(source: Source): Omit<InputIssue, 'message'> {
  return {
    file: source.file,
    ...(source.line === undefined ? {} : { line: source.line }),
    ...(source.index === undefined ? {} : { index: source.index }),
  };
}

/** The file's JSON values one by one: lines of JSON lines, or elements of one JSON array (as readDataset reads). */
async function* rawRecords(
  file: string,
  onIssue: (issue: InputIssue) => void,
): AsyncGenerator<{ raw: unknown; source: Source }> {
  const fh = await openInput(file, 'Best-of-N file');
  let layout;
  try {
    layout = await detectLayout(fh);
  } catch (e) {
    await fh.close();
    throw new InputFileError(file, `Cannot read best-of-N file ${file}: ${(e as Error).message}`, { cause: e });
  }
  if (layout === 'empty') {
    await fh.close();
    return onIssue({ file, message: 'the file is empty: no records' });
  }
  if (layout === 'lines') {
    for await (const parsed of parseJsonLines(fh.createReadStream({ start: 0 }) as Readable)) {
      if ('error' in parsed) onIssue({ file, line: parsed.line, message: `${parsed.error}; record skipped` });
      else {
        if (parsed.warning !== undefined) onIssue({ file, line: parsed.line, message: parsed.warning });
        yield { raw: parsed.value, source: { file, line: parsed.line } };
      }
    }
    return;
  }
  await fh.close();
  const onInvalidUtf8 = (found: Parameters<typeof describeInvalidUtf8>[0]): void => {
    onIssue({ file, ...('line' in found ? { line: found.line } : {}), message: describeInvalidUtf8(found) });
  };
  try {
    for await (const element of streamJsonArray(file, { onInvalidUtf8 })) {
      const { index } = element;
      if ('error' in element) onIssue({ file, index, message: `${element.error}; record skipped` });
      else yield { raw: element.value, source: { file, index } };
    }
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const message = `${e.message}; stopped reading this file`;
    onIssue({ file, ...(e.line === undefined ? {} : { line: e.line }), message });
  }
}
