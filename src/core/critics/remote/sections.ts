import type { CriticResult, SectionRange, StepJudgement } from '../types';

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

/** Without sections from the trace, each step is its own section. */
export function sectionsOrSteps(sections: readonly SectionRange[] | undefined, stepCount: number): SectionRange[] {
  if (sections && sections.length > 0) return [...sections];
  return Array.from({ length: stepCount }, (_, i) => ({ firstStep: i, lastStep: i }));
}

/** The sections in DeltaBench's layout: `sectionN:` lines, each followed by its steps. */
export function numberedSections(steps: readonly string[], sections: readonly SectionRange[]): string {
  return sections
    .map((s, i) => `section${i + 1}:\n${steps.slice(s.firstStep, s.lastStep + 1).join('\n\n')}`)
    .join('\n\n');
}

/** Fills a template (the placeholders of prompt.ts) with the sections in place of {{paragraphs}}. */
export function renderSectionsPrompt(
  template: string,
  problem: string,
  steps: readonly string[],
  sections: readonly SectionRange[],
): string {
  const values: Record<string, string> = {
    problem,
    paragraphs: numberedSections(steps, sections),
    count: String(sections.length),
    last: String(sections.length),
  };
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => values[name] ?? whole);
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
