import { splitProblem } from '../segment/document';
import { segment } from '../segment/segment';
import type { SegmentOptions } from '../segment/types';
import { findTraceParts } from './parts';
import { heuristicSections } from './sections';
import type { TraceFile, TraceSegmentation, TraceStep } from './types';

/**
 * Segments a trace file: the problem by the `## Problem` convention (splitProblem), then the solution's thinking
 * and answer parts (findTraceParts). Steps of the thinking part are its blank-line paragraphs (DeltaBench's
 * convention) unless a strategy other than `auto` is requested; the answer part is segmented as any solution.
 * Thinking steps are grouped into sections by discourse markers (heuristicSections). A file without thinking
 * gets exactly the steps `segmentFile` gives it, in one answer part and no sections.
 */
export function segmentTraceFile(text: string, options: SegmentOptions = {}): TraceFile {
  const document = splitProblem(text);
  return { document, trace: segmentTrace(text, options, document.solutionStart) };
}

/** Segments `text` from offset `from` on (see segmentTraceFile); offsets are into `text`. */
export function segmentTrace(text: string, options: SegmentOptions = {}, from = 0): TraceSegmentation {
  const requested = options.strategy ?? 'auto';
  const parts = findTraceParts(text, from);
  const steps: TraceStep[] = [];
  const reasons: string[] = [];
  let strategy: TraceSegmentation['strategy'] | undefined;
  for (const p of parts) {
    const paragraphs = p.kind === 'thinking' && requested === 'auto';
    const partOptions = paragraphs ? { ...options, strategy: 'paragraphs' as const } : options;
    const seg = segment(text.slice(p.start, p.end), partOptions, p.start);
    for (const s of seg.steps) steps.push({ ...s, index: steps.length, part: p.kind, section: null });
    strategy = seg.strategy;
    reasons.push(paragraphs ? 'thinking: paragraphs' : `${p.kind}: ${seg.reason}`);
  }
  const thinking = steps.filter((s) => s.part === 'thinking');
  const sections = thinking.length > 0 ? heuristicSections(thinking) : [];
  const single = parts.length === 1 && parts[0].kind === 'answer';
  return {
    strategy: strategy ?? 'paragraphs',
    requested,
    // A plain solution keeps the reason segment() gives it.
    reason: single ? reasons[0].slice('answer: '.length) : reasons.join('; '),
    parts,
    sections,
    steps,
  };
}
