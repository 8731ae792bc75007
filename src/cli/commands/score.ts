import { judgeSteps, traceContext } from '../../core/analysis/analyze';
import { costLabel, formatScore, verdictLabel } from '../../core/analysis/describe';
import { isCachedResult } from '../../core/critics/cache';
import { CriticConfig } from '../../core/critics/types';
import { SegmentOptions } from '../../core/segment/types';
import { segmentTraceFile } from '../../core/trace/trace';
import { forTerminal } from '../../core/util/terminal';
import { emptySolution, oneLine, table, writeJson } from '../io';
import { buildCritics } from './critics';
import { readTraceInput } from './segment';

export interface ScoreCriticOptions {
  configFile?: string;
  /** null: no result cache. */
  cacheDir: string | null;
}

export async function scoreCommand(
  file: string,
  configs: CriticConfig[],
  criticIds: string[],
  options: SegmentOptions,
  json: boolean,
  signal: AbortSignal,
  build: ScoreCriticOptions,
): Promise<number> {
  const { text } = await readTraceInput(file);
  // Trace files: the critics see the steps of the thinking and answer parts, never the tags (as `segment` shows).
  const { document, trace: segmentation } = segmentTraceFile(text, options);
  if (segmentation.steps.length === 0) throw emptySolution(file);
  const { critics } = await buildCritics(configs, criticIds, build);
  try {
    const steps = segmentation.steps.map((s) => s.text);
    // A trace's sections (for section-level critics) and its thinking steps (for scoped PRMs), as the editor gives them.
    const judge = traceContext(segmentation, segmentation.steps);
    const { results, failures } = await judgeSteps(critics, document.problem, steps, signal, judge);
    if (json) {
      writeJson({
        file,
        strategy: segmentation.strategy,
        reason: segmentation.reason,
        parts: segmentation.parts,
        sections: segmentation.sections,
        steps: segmentation.steps,
        critics: results.map((r) => ({
          id: r.criticId,
          firstError: r.firstError,
          steps: r.steps,
          timing: r.timing,
          usage: r.usage,
          cached: isCachedResult(r),
          rationale: r.rationale,
        })),
        failures,
      });
    } else {
      console.log(forTerminal(`${file}: ${segmentation.steps.length} steps (${segmentation.strategy})`));
      for (const r of results) {
        const verdict =
          r.firstError === null
            ? 'no prediction'
            : r.firstError < 0
              ? 'no error found'
              : `first error at idx ${r.firstError}`;
        console.log(forTerminal(`${r.criticId}: ${verdict} (${isCachedResult(r) ? 'cached' : costLabel(r)})`));
      }
      // Verdict-only critics (the checker, LLM critics) get no score column.
      const scored = new Set(results.filter((r) => r.steps.some((j) => j.score !== null)).map((r) => r.criticId));
      const header = [
        'idx',
        'step',
        ...results.flatMap((r) => [
          ...(scored.has(r.criticId) ? [`${r.criticId} score`] : []),
          `${r.criticId} verdict`,
        ]),
        'reason',
      ];
      const rows = segmentation.steps.map((s) => [
        String(s.index),
        oneLine(s.text, 48),
        ...results.flatMap((r) => [
          ...(scored.has(r.criticId) ? [formatScore(r.steps[s.index])] : []),
          `${verdictLabel(r.steps[s.index])}${r.firstError === s.index ? ' ⚑' : ''}`,
        ]),
        results.map((r) => r.steps[s.index]?.reason).find(Boolean) ?? '',
      ]);
      console.log(table(header, rows));
    }
    for (const f of failures) console.error(forTerminal(`critic ${f.criticId} failed: ${f.message}`));
    return failures.length > 0 ? 1 : 0;
  } finally {
    for (const c of critics) c.dispose?.();
  }
}
