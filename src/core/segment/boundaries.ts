import { isBlank, splitLines } from './lines';
import { isInside, type Region } from './regions';
import { matchStarts } from './stepPattern';
import { errorMessage } from '../util/errors';

/** A step boundary: the previous step ends at `end`, the next one starts at `next` (text between is dropped). */
export interface Cut {
  end: number;
  next: number;
}

/** Blank lines (whitespace only) separate paragraphs. */
export function paragraphCuts(text: string, regions: readonly Region[]): Cut[] {
  const cuts: Cut[] = [];
  for (const line of splitLines(text)) {
    if (isBlank(text, line) && !isInside(regions, line.start)) cuts.push({ end: line.start, next: line.next });
  }
  return cuts;
}

/** Every line break outside a protected block ends a step. */
export function lineCuts(text: string, regions: readonly Region[]): Cut[] {
  const cuts: Cut[] = [];
  for (const line of splitLines(text)) {
    if (line.next > line.end && !isInside(regions, line.end)) cuts.push({ end: line.end, next: line.next });
  }
  return cuts;
}

// "Step 3", "Step 3:", "**Step 3**", "**Step 3:**", "## Step 3", "### Step 3:" at a line start.
const STEP_MARKER = /^ {0,3}(?:#{1,6}[ \t]+)?(?:\*\*|__)?step[ \t]+\d+(?!\d)/i;
// "3." or "3)" followed by a space or the line end; a number like "3.5" is not a marker.
const LIST_MARKER = /^ {0,3}\d{1,4}[.)](?=[ \t]|$)/;

export type MarkerKind = 'step' | 'list';

export interface Markers {
  kind: MarkerKind;
  /** Line starts of the markers, outside protected blocks. */
  starts: number[];
}

/**
 * Step markers. "Step N" markers win when there is any, so that a numbered list inside a step does not split it;
 * otherwise "N." / "N)" list items are the markers.
 */
export function findMarkers(text: string, regions: readonly Region[]): Markers {
  const step: number[] = [];
  const list: number[] = [];
  for (const line of splitLines(text)) {
    if (isInside(regions, line.start)) continue;
    const content = text.slice(line.start, line.end);
    if (STEP_MARKER.test(content)) step.push(line.start);
    else if (LIST_MARKER.test(content)) list.push(line.start);
  }
  return step.length > 0 ? { kind: 'step', starts: step } : { kind: 'list', starts: list };
}

export function markerCuts(markers: Markers): Cut[] {
  return markers.starts.map((at) => ({ end: at, next: at }));
}

/** Math-Shepherd's step tag. */
export const DEFAULT_TAG = ' ки';
// The default tag also matches without its leading space, but never inside a Cyrillic word ("задачки").
const DEFAULT_TAG_PATTERN = / ?(?<!\p{Script=Cyrillic})ки(?!\p{Script=Cyrillic})/gu;

/** Each occurrence of the tag ends a step; the tag itself belongs to no step. */
export function tagCuts(text: string, regions: readonly Region[], tag?: string): Cut[] {
  if (tag === '') throw new Error('The tags strategy needs a non-empty tag.');
  const cuts: Cut[] = [];
  if (tag === undefined || tag === DEFAULT_TAG) {
    for (const m of text.matchAll(DEFAULT_TAG_PATTERN)) {
      const at = m.index;
      if (!isInside(regions, at)) cuts.push({ end: at, next: at + m[0].length });
    }
    return cuts;
  }
  for (let at = text.indexOf(tag); at !== -1; at = text.indexOf(tag, at + tag.length)) {
    if (!isInside(regions, at)) cuts.push({ end: at, next: at + tag.length });
  }
  return cuts;
}

/** Compiles a user pattern; an invalid one throws an Error that names the pattern and the reason. */
export function compileStepRegex(pattern: string | undefined): RegExp {
  if (pattern === undefined || pattern === '')
    throw new Error('The regex strategy needs a non-empty pattern (option "regex").');
  try {
    return new RegExp(pattern, 'gm');
  } catch (e) {
    const reason = errorMessage(e).replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new Error(`Invalid step regex "${pattern}": ${reason}`, { cause: e });
  }
}

/**
 * Each match of the pattern starts a step (the matched text belongs to the new step). The pattern comes from the
 * user: it runs with a time limit (matchStarts) and throws an Error naming it when it takes too long.
 */
export function regexCuts(text: string, regions: readonly Region[], pattern: RegExp, timeLimitMs?: number): Cut[] {
  const cuts: Cut[] = [];
  for (const at of matchStarts(pattern, text, timeLimitMs)) {
    if (!isInside(regions, at)) cuts.push({ end: at, next: at });
  }
  return cuts;
}
