import type { SectionKind, TraceSection, TraceStep } from './types';

/**
 * The discourse markers that open a new section when a thinking paragraph starts with them (after optional
 * Markdown emphasis or quote marks). Checked in this order; the first that matches gives the section's kind.
 * - verification: "Wait", "Hmm", "Hold on", "Let me check/verify/double-check/re-check", "Let's check/verify",
 *   "Double-check", "Checking", "But wait", "Actually";
 * - strategy shift: "Alternatively", "Another approach/way/method/idea", "Let's try", "Let me try", "Instead",
 *   "A different approach", "Maybe a different approach";
 * - conclusion: "So the (final) answer", "Therefore", "Thus", "Hence", "In conclusion", "Final answer".
 * Every other paragraph continues the current section; the first paragraph opens an attempt unless it is marked.
 */
const MARKERS: readonly { kind: SectionKind; pattern: RegExp }[] = [
  {
    kind: 'verification',
    pattern: opening([
      String.raw`wait\b`,
      String.raw`hmm+\b`,
      String.raw`hold on\b`,
      String.raw`but wait\b`,
      String.raw`actually\b`,
      String.raw`checking\b`,
      'double[- ]check',
      'let me (?:double[- ]|re-?)?(?:check|verify)',
      "let's (?:double[- ])?(?:check|verify)",
    ]),
  },
  {
    kind: 'strategy-shift',
    pattern: opening([
      String.raw`alternatively\b`,
      String.raw`another (?:approach|way|method|idea)\b`,
      String.raw`let's try\b`,
      String.raw`let me try\b`,
      String.raw`instead\b`,
      String.raw`(?:maybe )?a different (?:approach|method|way)\b`,
    ]),
  },
  {
    kind: 'conclusion',
    pattern: opening([
      String.raw`so,? the (?:final )?answer\b`,
      String.raw`therefore\b`,
      String.raw`thus\b`,
      String.raw`hence\b`,
      String.raw`in conclusion\b`,
      String.raw`final answer\b`,
    ]),
  },
];

function opening(alternatives: readonly string[]): RegExp {
  return new RegExp(`^(?:${alternatives.join('|')})`, 'i');
}

// Emphasis, quotes and list bullets before the first word ("**Wait**, …", "> Hmm", "- Alternatively").
const LEAD = /^[\s*_>"'“‘`#-]*/;

/** The kind of section a paragraph opens, or null when it continues the current one. */
export function markerKind(paragraph: string): SectionKind | null {
  const head = paragraph.slice(0, 80).replace(LEAD, '');
  for (const { kind, pattern } of MARKERS) if (pattern.test(head)) return kind;
  return null;
}

/** Groups consecutive thinking steps into sections at the discourse markers (see MARKERS). */
export function heuristicSections(thinking: readonly TraceStep[]): TraceSection[] {
  const starts: { at: number; kind: SectionKind }[] = [];
  thinking.forEach((step, i) => {
    const kind = markerKind(step.text);
    if (i === 0) starts.push({ at: 0, kind: kind ?? 'attempt' });
    else if (kind !== null) starts.push({ at: i, kind });
  });
  return sectionsAt(thinking, starts);
}

/**
 * Sections from their first steps (positions into `thinking`, increasing, the first 0): each runs to the step before
 * the next one's start. Assigns each step its section.
 */
export function sectionsAt(
  thinking: readonly TraceStep[],
  starts: readonly { at: number; kind: SectionKind; labels?: TraceSection['labels'] }[],
): TraceSection[] {
  return starts.map(({ at, kind, labels }, index) => {
    const last = (starts[index + 1]?.at ?? thinking.length) - 1;
    for (let i = at; i <= last; i++) thinking[i].section = index;
    const first = thinking[at];
    const section: TraceSection = {
      index,
      kind,
      firstStep: first.index,
      lastStep: thinking[last].index,
      start: first.start,
      end: thinking[last].end,
    };
    return labels === undefined ? section : { ...section, labels };
  });
}
