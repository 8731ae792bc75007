import {
  compileStepRegex,
  DEFAULT_TAG,
  findMarkers,
  lineCuts,
  markerCuts,
  paragraphCuts,
  regexCuts,
  tagCuts,
  type Cut,
} from './boundaries';
import { tighten } from './lines';
import { newlineSplit } from './newlineSplit';
import { findProtectedRegions, type Region } from './regions';
import { SEGMENT_STRATEGIES, type ConcreteStrategy, type Segmentation, type SegmentOptions, type Step } from './types';

/**
 * Splits a solution into steps. Offsets are UTF-16 indices into the original text plus `baseOffset`, and every
 * step satisfies `text === original.slice(start - baseOffset, end - baseOffset)`; spans are trimmed of surrounding
 * whitespace and empty steps are dropped. No strategy splits inside fenced code or display math, except
 * `newline-split` (Skywork's Python `split("\n")`: every segment exact, empty ones kept; `auto` never picks it).
 *
 * `auto` picks, in this order:
 *  1. `tags` when the text contains the step tag (Math-Shepherd's " ки", or `options.tag`);
 *  2. `numbered` when there are at least 2 "Step N" markers ("Step 1:", "**Step 1**", "## Step 1", …);
 *  3. `paragraphs` when blank lines give at least 2 paragraphs (ProcessBench's layout);
 *  4. `numbered` when there are at least 2 "N." / "N)" list markers (a list with no blank lines between items;
 *     with blank lines, paragraphs already won, so a list inside a paragraph does not split it);
 *  5. otherwise `lines`.
 */
export function segment(text: string, options: SegmentOptions = {}, baseOffset = 0): Segmentation {
  const requested = options.strategy ?? 'auto';
  if (!SEGMENT_STRATEGIES.includes(requested)) {
    throw new Error(
      `Unknown segmentation strategy "${String(requested)}"; expected one of ${SEGMENT_STRATEGIES.join(', ')}.`,
    );
  }
  if (requested === 'newline-split') {
    return { strategy: requested, requested, reason: `${requested} requested`, steps: newlineSplit(text, baseOffset) };
  }
  const regions = findProtectedRegions(text);
  if (requested !== 'auto') {
    const cuts = cutsFor(requested, text, regions, options);
    return { strategy: requested, requested, reason: `${requested} requested`, steps: toSteps(text, cuts, baseOffset) };
  }
  const { strategy, reason, cuts } = chooseStrategy(text, regions, options);
  return { strategy, requested, reason, steps: toSteps(text, cuts, baseOffset) };
}

function cutsFor(
  strategy: Exclude<ConcreteStrategy, 'newline-split'>,
  text: string,
  regions: readonly Region[],
  options: SegmentOptions,
): Cut[] {
  switch (strategy) {
    case 'paragraphs':
      return paragraphCuts(text, regions);
    case 'lines':
      return lineCuts(text, regions);
    case 'numbered':
      return markerCuts(findMarkers(text, regions));
    case 'tags':
      return tagCuts(text, regions, options.tag);
    case 'regex':
      return regexCuts(text, regions, compileStepRegex(options.regex));
  }
}

interface Choice {
  strategy: ConcreteStrategy;
  reason: string;
  cuts: Cut[];
}

function chooseStrategy(text: string, regions: readonly Region[], options: SegmentOptions): Choice {
  const tags = tagCuts(text, regions, options.tag);
  if (tags.length > 0) {
    const tag = JSON.stringify(options.tag ?? DEFAULT_TAG);
    return { strategy: 'tags', reason: `found ${plural(tags.length, 'step tag')} ${tag}`, cuts: tags };
  }
  const markers = findMarkers(text, regions);
  if (markers.kind === 'step' && markers.starts.length >= 2) {
    return {
      strategy: 'numbered',
      reason: `found ${plural(markers.starts.length, '"Step N" marker')}`,
      cuts: markerCuts(markers),
    };
  }
  const paragraphs = paragraphCuts(text, regions);
  const paragraphCount = toSteps(text, paragraphs, 0).length;
  if (paragraphCount >= 2) {
    return {
      strategy: 'paragraphs',
      reason: `found ${paragraphCount} blank-line separated paragraphs`,
      cuts: paragraphs,
    };
  }
  if (markers.kind === 'list' && markers.starts.length >= 2) {
    return {
      strategy: 'numbered',
      reason: `found ${plural(markers.starts.length, 'numbered-list marker')} and no blank lines`,
      cuts: markerCuts(markers),
    };
  }
  return {
    strategy: 'lines',
    reason: 'no step tags, step markers or blank lines: one step per line',
    cuts: lineCuts(text, regions),
  };
}

function toSteps(text: string, cuts: readonly Cut[], baseOffset: number): Step[] {
  const steps: Step[] = [];
  let from = 0;
  const push = (rawStart: number, rawEnd: number): void => {
    const [start, end] = tighten(text, rawStart, rawEnd);
    if (end > start)
      steps.push({
        index: steps.length,
        text: text.slice(start, end),
        start: start + baseOffset,
        end: end + baseOffset,
      });
  };
  for (const cut of cuts) {
    push(from, cut.end);
    from = cut.next;
  }
  push(from, text.length);
  return steps;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
