import path from 'node:path';
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { segmentFile } from '../src/core/analysis/analyze';
import { computeStepMarks, DEFAULT_COLOUR_BANDS } from '../src/core/analysis/marks';
import { CheckerCritic } from '../src/core/critics/checker';
import { activationCost } from './activation';
import { remoteBenchmark } from './remote';
import { engineBenchmark } from './engine';
import { webviewBenchmarks } from './webview';
import { onnxBenchmarks } from './onnx';
import { hfImportBenchmark } from './hf-import';
import { importVsTorchBenchmark } from './import-vs-torch';
import { checkerQuality, formatCheckerQuality } from './checker-quality';
import { checkerWorstCase, stepRegexOverhead } from './input-limits';
import { bonBenchmark } from './bon';
import { bonPanelBenchmark } from './bon-panel';
import { traceBenchmarks } from './traces';
import { inspectorBenchmarks } from './inspector';

// `npm run bench`: measurements printed side by side in one run. Timings are medians of repeated runs.
const root = path.resolve(__dirname, '..', '..');

function median(fn: () => void, runs = 15): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

/** A 5,000-step solution mixing prose, arithmetic, LaTeX and a display-math block every 50 steps. */
function bigDocument(steps: number): string {
  const parts = ['## Problem', '', 'Add up the numbers.', '', '## Solution', ''];
  for (let i = 0; i < steps; i++) {
    if (i % 50 === 49) parts.push(`$$\n\\frac{${i}}{2} + ${i} = ${(i * 3) / 2}\n$$`, '');
    else
      parts.push(`We add ${i} and ${i + 1} to get ${i} + ${i + 1} = ${2 * i + 1}, then carry on with $x_{${i}}$.`, '');
  }
  return parts.join('\n');
}

/** Line/column for every mark, as the editor adapter does through positionAt. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

async function main(): Promise<void> {
  console.log('PRM Lens benchmarks\n');

  const doc = bigDocument(5000);
  const checker = new CheckerCritic();
  const { segmentation } = segmentFile(doc, { strategy: 'paragraphs' });
  const judged = await checker.score({ problem: '', steps: segmentation.steps.map((s) => s.text) });
  const naive = median(() => doc.split(/\n\s*\n/));
  const seg = median(() => segmentFile(doc, { strategy: 'paragraphs' }));
  const auto = median(() => segmentFile(doc, { strategy: 'auto' }));
  const marks = median(() => {
    const starts = lineStarts(doc);
    for (const m of computeStepMarks(segmentation.steps, judged, DEFAULT_COLOUR_BANDS)) {
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (starts[mid] <= m.start) lo = mid;
        else hi = mid - 1;
      }
    }
  });
  console.log(`Segmentation of a ${segmentation.steps.length}-step document (${(doc.length / 1024).toFixed(0)} KiB):`);
  console.log(`  naive split on blank lines      ${naive.toFixed(2)} ms (baseline, no offsets, splits display math)`);
  console.log(`  paragraphs with exact offsets   ${seg.toFixed(2)} ms (${(seg / naive).toFixed(2)}× baseline)`);
  console.log(`  auto (detect + segment)         ${auto.toFixed(2)} ms (${(auto / naive).toFixed(2)}× baseline)`);
  console.log(`  decoration marks + positions    ${marks.toFixed(2)} ms`);
  const t0 = performance.now();
  await checker.score({ problem: '', steps: segmentation.steps.map((s) => s.text) });
  const checkMs = performance.now() - t0;
  console.log(
    `  checker on all steps            ${checkMs.toFixed(1)} ms (${Math.round((segmentation.steps.length / checkMs) * 1000)} steps/s)`,
  );
  console.log(`  total for a full re-score       ${(seg + marks + checkMs).toFixed(1)} ms`);
  console.log(stepRegexOverhead(doc));
  console.log('');
  console.log(checkerWorstCase());
  console.log('');

  const dataDir = path.resolve(root, '..', 'shared', 'data');
  console.log('Built-in checker on ../shared/data:');
  console.log(formatCheckerQuality(await checkerQuality(dataDir)));
  console.log('');

  await traceBenchmarks(root, dataDir);
  console.log('');

  await remoteBenchmark(root);
  console.log('');
  await engineBenchmark();
  console.log('');
  await webviewBenchmarks(root);
  console.log('');
  await inspectorBenchmarks(root);
  console.log('');
  await onnxBenchmarks();
  await hfImportBenchmark();
  console.log('');
  await importVsTorchBenchmark();
  console.log('');
  console.log(await bonBenchmark(root));
  console.log(await bonPanelBenchmark(root));
  console.log('');

  if (existsSync(path.join(root, 'dist', 'extension.js'))) {
    const cost = await activationCost(root);
    console.log('Extension activation (dist/extension.js with a recording stand-in for the vscode API):');
    console.log(
      `  bundle ${(cost.bundleBytes / 1024).toFixed(0)} KiB, load ${cost.loadMs.toFixed(1)} ms, activate() ${cost.activateMs.toFixed(2)} ms`,
    );
    console.log(`  modules required at load and activation: ${cost.modules.join(', ')}`);
  } else {
    console.log('Extension activation: skipped (dist/extension.js missing; run npm run build)');
  }
}

void main();
