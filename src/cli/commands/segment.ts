import { SegmentOptions } from '../../core/segment/types';
import { segmentTraceFile } from '../../core/trace/trace';
import { parseTranscript, renderTranscript } from '../../core/trace/transcript';
import { forTerminal } from '../../core/util/terminal';
import { emptySolution, formatIssue, oneLine, readTextFile, table, UsageError, writeJson } from '../io';

/**
 * The text to segment: a .json/.jsonl file is a chat transcript, rendered as a trace text (offsets then refer to
 * that text, which `segment --json` includes); any other file is its own text. Input issues go to stderr.
 */
export async function readTraceInput(file: string): Promise<{ text: string; transcript: boolean }> {
  const { text, issues } = await readTextFile(file);
  for (const issue of issues) console.error(formatIssue(issue));
  if (!/\.jsonl?$/i.test(file)) return { text, transcript: false };
  const transcript = parseTranscript(text);
  if (typeof transcript === 'string') throw new UsageError(`${file}: not a chat transcript: ${transcript}`);
  return { text: renderTranscript(transcript), transcript: true };
}

export async function segmentCommand(file: string, options: SegmentOptions, json: boolean): Promise<number> {
  const { text, transcript } = await readTraceInput(file);
  const { document, trace } = segmentTraceFile(text, options);
  if (trace.steps.length === 0) throw emptySolution(file);
  const { steps, strategy, reason, parts, sections } = trace;
  if (json) {
    writeJson({
      file,
      ...(transcript ? { text } : {}),
      strategy,
      reason,
      problem: { start: document.problemStart, end: document.problemEnd, text: document.problem },
      parts,
      sections,
      steps,
    });
    return 0;
  }
  console.log(forTerminal(`${file}: ${steps.length} steps, strategy ${strategy} (${reason})`));
  if (document.problem) console.log(`problem: ${oneLine(document.problem, 100)}`);
  // Parts, sections and their columns only for traces, so a plain solution prints as it always did.
  const traced = parts.some((p) => p.kind === 'thinking');
  if (traced) {
    const count = (kind: string) => steps.filter((s) => s.part === kind).length;
    console.log(`parts: ${parts.map((p) => `${p.kind} ${p.start}-${p.end} (${count(p.kind)} steps)`).join(', ')}`);
    const runs = sections.map((s) => `${s.index} ${s.kind} ${s.firstStep}-${s.lastStep}`);
    if (runs.length > 0) console.log(`sections: ${runs.join(' · ')}`);
  }
  const rows = steps.map((s) => [
    String(s.index),
    ...(traced ? [s.part, s.section === null ? '' : String(s.section)] : []),
    String(s.start),
    String(s.end),
    oneLine(s.text, traced ? 60 : 70),
  ]);
  console.log(table(['idx', ...(traced ? ['part', 'sec'] : []), 'start', 'end', 'text'], rows));
  return 0;
}
