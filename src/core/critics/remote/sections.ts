import { CancelledError, type CriticInput, type CriticResult, type SectionRange, type StepJudgement } from '../types';

/**
 * The section-level mode of LLM critics (`mode: "sections"`), following DeltaBench's protocol (arXiv 2502.19361):
 * the critic sees the problem and the numbered sections (`section1:` …) and answers "Conclusion: yes" (errors) or
 * "Conclusion: no error", then per erroneous section "Error Section Number: k" and "Explanation: …". Parsing is the
 * benchmark scorer's: the first integer of each entry. The verdicts map onto the sections' steps.
 */

/** PRM Lens's own words for DeltaBench's instructions; `promptTemplate` replaces it ({{paragraphs}} = the sections). */
export const DEFAULT_SECTIONS_TEMPLATE = `Below is a problem and a long reasoning trace that tries to solve it. The trace is split into {{count}} sections, numbered from 1; each section starts on a line "sectionN:".

[Problem]
{{problem}}

[Reasoning]
{{paragraphs}}

Judge each section on its own: does it contain a wrong calculation, a wrong fact or an invalid step of reasoning? A correction made in a later section does not excuse an error in an earlier one. An error that only follows from an error in an earlier section is not a new error: report the section where it began.

Answer in exactly this layout. If no section contains an error, write:
Conclusion: no error

Otherwise write "Conclusion: yes" and then, for each erroneous section:
Error Section Number: <the section's number>
Explanation: <what is wrong, in one or two sentences>`;

/**
 * Without sections from the trace, each step is its own section. A trace's sections cover its thinking only: the
 * answer steps after them are one more section, so the critic sees every step.
 */
export function sectionsOrSteps(sections: readonly SectionRange[] | undefined, stepCount: number): SectionRange[] {
  if (!sections || sections.length === 0) {
    return Array.from({ length: stepCount }, (_, i) => ({ firstStep: i, lastStep: i }));
  }
  const covered = sections[sections.length - 1].lastStep + 1;
  return covered < stepCount ? [...sections, { firstStep: covered, lastStep: stepCount - 1 }] : [...sections];
}

/** Sections in DeltaBench's layout: `sectionN:` lines (numbered from `from` + 1), each followed by its steps. */
export function numberedSections(steps: readonly string[], sections: readonly SectionRange[], from = 0): string {
  return sections
    .map((s, i) => `section${from + i + 1}:\n${steps.slice(s.firstStep, s.lastStep + 1).join('\n\n')}`)
    .join('\n\n');
}

export interface SectionEntry {
  /** 1-based, as the critic wrote it. */
  section: number;
  explanation: string;
}

/** A parsed critique: `errors` false for "Conclusion: no error". */
export interface SectionCritique {
  errors: boolean;
  entries: SectionEntry[];
}

const CONCLUSION = /conclusion\s*:\s*\**\s*(yes|no)\b/i;
const ENTRY = /error\s+section\s+numbers?\s*:/gi;

/**
 * Reads a critique as DeltaBench's scorer does: the first "Conclusion:" says yes or no; with yes, the text after
 * each "Error Section Number:" is one entry whose first integer is the section (entries without one are skipped)
 * and whose "Explanation:" the reason. Undefined when there is no conclusion, or "yes" names no section.
 */
export function parseSectionCritique(text: string): SectionCritique | undefined {
  const conclusion = CONCLUSION.exec(text);
  if (!conclusion) return undefined;
  if (conclusion[1].toLowerCase() === 'no') return { errors: false, entries: [] };
  const rest = text.slice(conclusion.index + conclusion[0].length);
  const starts = [...rest.matchAll(ENTRY)];
  const entries: SectionEntry[] = [];
  for (const [i, m] of starts.entries()) {
    const chunk = rest.slice(m.index + m[0].length, starts[i + 1]?.index ?? rest.length);
    const n = /\d+/.exec(chunk);
    if (!n) continue;
    const explained = /explanation\s*:\s*([\s\S]*)/i.exec(chunk);
    entries.push({ section: Number(n[0]), explanation: (explained?.[1] ?? '').trim() });
  }
  return entries.length > 0 ? { errors: true, entries } : undefined;
}

export type SectionsJudged = Pick<CriticResult, 'steps' | 'firstError' | 'rationale' | 'sections'>;

/**
 * A critique → step verdicts: the steps of the named sections incorrect (the explanation their reason), the others
 * correct; firstError = first step of the first erroneous section, -1 for no error, null when unparseable (every
 * step unknown). Numbers outside 1..sections.length are recorded in `sections` (the scorer sees them) but mark no step.
 */
export function sectionsJudgement(
  text: string,
  stepCount: number,
  sections: readonly SectionRange[],
  note = '',
): SectionsJudged {
  const parsed = parseSectionCritique(text);
  if (!parsed) {
    const reason = `no prediction: no "Conclusion: yes" with "Error Section Number:" or "Conclusion: no error"${note}`;
    return {
      steps: Array.from({ length: stepCount }, () => ({ score: null, verdict: 'unknown', reason })),
      firstError: null,
      rationale: text,
    };
  }
  const steps: StepJudgement[] = Array.from({ length: stepCount }, () => ({ score: null, verdict: 'correct' }));
  const named = [...new Set(parsed.entries.map((e) => e.section))].sort((a, b) => a - b);
  let firstError = -1;
  for (const entry of parsed.entries) {
    const range = sections[entry.section - 1];
    if (!range) continue;
    const reason = `section ${entry.section}: ${shorten(entry.explanation || 'named as erroneous')}${note}`;
    for (let i = range.firstStep; i <= range.lastStep && i < stepCount; i++) {
      if (steps[i].verdict !== 'incorrect') steps[i] = { score: null, verdict: 'incorrect', reason };
    }
    if (firstError === -1 || range.firstStep < firstError) firstError = range.firstStep;
  }
  return { steps, firstError, rationale: text, sections: parsed.errors ? named : [] };
}

const REASON_CHARS = 400;

function shorten(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= REASON_CHARS ? flat : `${flat.slice(0, REASON_CHARS - 1)}…`;
}

/** A window of whole sections, 0-based indices into the sections, inclusive. */
export interface SectionWindow {
  first: number;
  last: number;
}

/** Prompt tokens estimated as characters / 4 (no tokenizer for an arbitrary remote model). */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

const SUMMARY_LINE_CHARS = 100;

/**
 * The prompt of one window (the placeholders of prompt.ts, {{paragraphs}} = the sections): the problem, a summary
 * of the sections before it (each one's number and first line, so the critic knows what came before without another
 * model call), then its sections under their own numbers.
 */
export function windowPrompt(
  template: string,
  problem: string,
  steps: readonly string[],
  sections: readonly SectionRange[],
  w: SectionWindow,
): string {
  const before = sections.slice(0, w.first).map((s, i) => {
    const line = (steps[s.firstStep] ?? '').split('\n').find((l) => l.trim() !== '') ?? '';
    const flat = line.trim();
    const cut = flat.length <= SUMMARY_LINE_CHARS ? flat : `${flat.slice(0, SUMMARY_LINE_CHARS - 1)}…`;
    return `section${i + 1} (earlier, first line): ${cut}`;
  });
  const summary =
    before.length === 0
      ? ''
      : `[Sections 1 to ${w.first} were judged separately; judge only the sections below. Summary of the earlier ` +
        `sections:]\n${before.join('\n')}\n\n`;
  const values: Record<string, string> = {
    problem,
    paragraphs: summary + numberedSections(steps, sections.slice(w.first, w.last + 1), w.first),
    count: String(sections.length),
    last: String(sections.length),
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
}

/**
 * Splits the sections into windows whose prompts fit `promptTokens` (one window when it is undefined or the whole
 * trace fits): greedy, whole sections only; a section too long on its own is a window by itself.
 */
export function sectionWindows(
  template: string,
  problem: string,
  steps: readonly string[],
  sections: readonly SectionRange[],
  promptTokens: number | undefined,
): SectionWindow[] {
  const all = { first: 0, last: sections.length - 1 };
  const fits = (w: SectionWindow) =>
    promptTokens === undefined || estimateTokens(windowPrompt(template, problem, steps, sections, w)) <= promptTokens;
  if (sections.length === 0 || fits(all)) return [all];
  const windows: SectionWindow[] = [];
  let first = 0;
  while (first < sections.length) {
    let last = first;
    while (last + 1 < sections.length && fits({ first, last: last + 1 })) last += 1;
    windows.push({ first, last });
    first = last + 1;
  }
  return windows;
}

/**
 * The windows' critiques merged: each window's named sections and verdicts on its own steps (a section named
 * outside its window is recorded for the scorer and marks no step), its reasons saying "window k of n". Steps of an
 * unparsed window stay unknown; `sections` is recorded only when every window parsed. firstError is the first
 * incorrect step when no unknown step precedes it, -1 when every window said no error, else null.
 */
export function mergeWindows(
  texts: readonly string[],
  stepCount: number,
  sections: readonly SectionRange[],
  windows: readonly SectionWindow[],
): SectionsJudged {
  if (windows.length === 1) return sectionsJudgement(texts[0], stepCount, sections);
  const steps: StepJudgement[] = Array.from({ length: stepCount }, () => ({ score: null, verdict: 'unknown' }));
  const named = new Set<number>();
  let complete = true;
  windows.forEach((w, k) => {
    const note = ` (window ${k + 1} of ${windows.length})`;
    // The window's own sections only: one named outside it is recorded but judged by its own window.
    const own = sections.map((s, i) => (i >= w.first && i <= w.last ? s : { firstStep: 1, lastStep: 0 }));
    const judged = sectionsJudgement(texts[k], stepCount, own, note);
    if (judged.sections === undefined) complete = false;
    for (const n of judged.sections ?? []) named.add(n);
    for (let i = sections[w.first].firstStep; i <= sections[w.last].lastStep && i < stepCount; i++) {
      const own = judged.steps[i];
      steps[i] = own.verdict === 'correct' ? { score: null, verdict: 'correct', reason: `no error${note}` } : own;
    }
  });
  const decided = steps.findIndex((s) => s.verdict !== 'correct');
  const firstError = decided === -1 ? -1 : steps[decided].verdict === 'incorrect' ? decided : null;
  const rationale = texts.map((t, k) => `----- window ${k + 1} of ${windows.length} -----\n${t}`).join('\n\n');
  return { steps, firstError, rationale, ...(complete ? { sections: [...named].sort((a, b) => a - b) } : {}) };
}

/**
 * A trace judged in windows that fit `promptTokens` (undefined: one prompt), asked one after the other; `ask`
 * returns the critique of one prompt. Without sections each step is its own section.
 */
export async function judgeSections(
  input: CriticInput,
  template: string,
  promptTokens: number | undefined,
  ask: (prompt: string) => Promise<string>,
): Promise<SectionsJudged> {
  const sections = sectionsOrSteps(input.sections, input.steps.length);
  const windows = sectionWindows(template, input.problem, input.steps, sections, promptTokens);
  const texts: string[] = [];
  for (const w of windows) {
    if (input.signal?.aborted) throw new CancelledError();
    texts.push(await ask(windowPrompt(template, input.problem, input.steps, sections, w)));
  }
  return mergeWindows(texts, input.steps.length, sections, windows);
}
