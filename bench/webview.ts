import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { ResultRecord } from '../src/core/datasets/types';
import { buildMetricsModel } from '../src/views/metricsView';
import { ResultCache } from '../src/core/run/resultCache';
import { DatasetSession } from '../src/views/datasetSession';
import type { HostToDataset, ItemSummary } from '../src/protocol/messages';

/**
 * Webview benchmarks (`npm run bench`): reading 3,400-, 10,000-item and 50 MB datasets in the extension host (with
 * the longest event-loop stall while reading), the dataset list's first render and memory in headless Chromium,
 * and recomputing the metrics and threshold sweep over 10,000 items.
 */

const SUBSETS = ['gsm8k', 'math', 'olympiadbench', 'omnimath'];

/** A ProcessBench-like record: ~`stepChars` characters per step, math and prose mixed. */
function syntheticRecord(i: number, stepChars: number): string {
  const steps = Array.from({ length: 4 + (i % 9) }, (_, k) => {
    const base = `Step ${k + 1}: we have $x_{${k}} = ${i % 97} \\cdot ${k + 2} = ${(i % 97) * (k + 2)}$, so ${i + k} + ${k} = ${i + 2 * k}. `;
    return base.repeat(Math.max(1, Math.round(stepChars / base.length)));
  });
  const label = i % 3 === 0 ? -1 : i % steps.length;
  return JSON.stringify({
    id: `syn-${i}`,
    subset: SUBSETS[i % 4],
    generator: 'bench',
    problem: `Problem ${i}: compute the value of $\\sum_{k=1}^{${(i % 50) + 2}} k^2$ and explain each step.`,
    steps,
    final_answer_correct: label === -1,
    label,
  });
}

async function writeDataset(file: string, count: number, stepChars: number): Promise<number> {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(syntheticRecord(i, stepChars));
  await writeFile(file, `${lines.join('\n')}\n`);
  return (await stat(file)).size;
}

interface HostRead {
  firstBatchMs: number;
  allMs: number;
  maxStallMs: number;
  summaries: ItemSummary[];
}

/** Reads a dataset the way the dataset view does, timing the first batch and measuring event-loop stalls meanwhile. */
async function hostRead(file: string, dir: string): Promise<HostRead> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const started = performance.now();
  let firstBatchMs = 0;
  const session = new DatasetSession(file, new ResultCache(path.join(dir, `${path.basename(file)}.cache.jsonl`)));
  const sub = session.on((e) => {
    if (e.type === 'items' && firstBatchMs === 0) firstBatchMs = performance.now() - started;
  });
  await session.loaded;
  const allMs = performance.now() - started;
  histogram.disable();
  sub.dispose();
  return { firstBatchMs, allMs, maxStallMs: histogram.max / 1e6, summaries: session.summaries };
}

interface PageResult {
  /** From navigation start to the bundle's "ready" message (script load, parse, custom elements). */
  readyMs: number;
  firstRowsMs: number;
  allRowsMs: number;
  heapMB: number;
  domNodes: number;
  scrollMs: number;
}

/** Loads the dataset webview bundle in headless Chromium with a stand-in VS Code API and feeds it the summaries. */
async function renderInChromium(root: string, dir: string, summaries: ItemSummary[]): Promise<PageResult> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: process.env.PRM_LENS_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 800 } })).newPage();
    const html = path.join(dir, 'dataset.html');
    const asset = (p: string) => pathToFileURL(path.join(root, p)).href;
    await writeFile(
      html,
      `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${asset('media/webview.css')}"><link rel="stylesheet" href="${asset('dist/webview/dataset.css')}">
<script>window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__readyAt ??= performance.now(); window.__sent = (window.__sent || []).concat([m]); }, getState: () => undefined, setState: () => {} });</script>
</head><body class="prm-dataset"><div id="app"></div><script src="${asset('dist/webview/dataset.js')}"></script></body></html>`,
    );
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() =>
      (window as unknown as { __sent?: { type: string }[] }).__sent?.some((m) => m.type === 'ready'),
    );
    const chunks: HostToDataset[] = [
      {
        type: 'dataset/begin',
        name: 'bench.jsonl',
        format: 'ProcessBench',
        critics: [{ id: 'checker', label: 'checker' }],
        activeCritics: ['checker'],
        reloads: 0,
      },
    ];
    for (let at = 0; at < summaries.length; at += 2000)
      chunks.push({ type: 'dataset/items', items: summaries.slice(at, at + 2000) });
    chunks.push({ type: 'dataset/loaded', count: summaries.length, issueCount: 0, ms: 0 });
    const timing = await page.evaluate(async (messages) => {
      const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
      const t0 = performance.now();
      let firstRowsMs = 0;
      for (const m of messages) {
        window.postMessage(m, '*');
        await new Promise((r) => setTimeout(r, 0));
        if (!firstRowsMs && document.querySelector('.rows .row')) firstRowsMs = performance.now() - t0;
        if (!firstRowsMs) {
          await frame();
          if (document.querySelector('.rows .row')) firstRowsMs = performance.now() - t0;
        }
      }
      await frame();
      await frame();
      const allRowsMs = performance.now() - t0;
      const viewport = document.querySelector('.viewport') as HTMLElement;
      const s0 = performance.now();
      viewport.scrollTop = viewport.scrollHeight / 2;
      await frame();
      await frame();
      const scrollMs = performance.now() - s0;
      const readyMs = (window as unknown as { __readyAt: number }).__readyAt;
      return { readyMs, firstRowsMs, allRowsMs, scrollMs, domNodes: document.getElementsByTagName('*').length };
    }, chunks);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('Performance.enable');
    const { metrics } = await cdp.send('Performance.getMetrics');
    const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
    return { ...timing, heapMB: heap / 2 ** 20 };
  } finally {
    await browser.close();
  }
}

/** 10,000 items × (a verdict critic + a scalar PRM): the input of a metrics recomputation. */
function metricsRecords(count: number): ResultRecord[] {
  const out: ResultRecord[] = [];
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  for (let i = 0; i < count; i++) {
    const steps = 4 + (i % 9);
    const label = i % 3 === 0 ? -1 : i % steps;
    const scores = Array.from({ length: steps }, (_, k) =>
      label >= 0 && k >= label ? random() * 0.6 : 0.4 + random() * 0.6,
    );
    const subset = SUBSETS[i % 4];
    out.push({
      id: `syn-${i}`,
      subset,
      label,
      prediction: random() < 0.6 ? label : -1,
      critic: 'checker',
      scores: null,
    });
    out.push({ id: `syn-${i}`, subset, label, prediction: null, critic: 'prm', scores });
  }
  return out;
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

export async function webviewBenchmarks(root: string): Promise<void> {
  console.log('Webviews (dataset view and metrics):');
  const dir = await mkdtemp(path.join(tmpdir(), 'prm-lens-bench-webview-'));
  try {
    const cases: [string, number, number][] = [
      ['3,400 items (ProcessBench size)', 3400, 300],
      ['10,000 items', 10_000, 300],
      ['50 MB JSONL', 10_000, 0],
    ];
    const bundle = path.join(root, 'dist', 'webview', 'dataset.js');
    const chromium = existsSync(process.env.PRM_LENS_CHROMIUM || '/usr/bin/chromium') && existsSync(bundle);
    for (const [name, count, chars] of cases) {
      const file = path.join(dir, `${count}-${chars}.jsonl`);
      // The 50 MB case: steps long enough that 10,000 items weigh 50 MB.
      const stepChars = chars || 600;
      const bytes = await writeDataset(file, count, stepChars);
      const host = await hostRead(file, dir);
      console.log(
        `  ${name}: ${(bytes / 2 ** 20).toFixed(1)} MiB, host read: first batch ${host.firstBatchMs.toFixed(0)} ms, all ${host.allMs.toFixed(0)} ms, longest event-loop stall ${host.maxStallMs.toFixed(0)} ms`,
      );
      if (chromium) {
        const page = await renderInChromium(root, dir, host.summaries);
        console.log(
          `    webview: bundle ready ${page.readyMs.toFixed(0)} ms after navigation; first rows ${page.firstRowsMs.toFixed(0)} ms, whole list ${page.allRowsMs.toFixed(0)} ms after the first message; scroll to the middle ${page.scrollMs.toFixed(0)} ms; ${page.domNodes} DOM elements; JS heap ${page.heapMB.toFixed(1)} MiB`,
        );
      }
    }
    if (!chromium)
      console.log(
        '  webview rendering: skipped (needs /usr/bin/chromium and dist/webview/dataset.js: run npm run build)',
      );
    const records = metricsRecords(10_000);
    buildMetricsModel({ dataset: 'bench', records, calibrationSubset: 'gsm8k' }); // warm-up
    const times = Array.from({ length: 7 }, () => {
      const t0 = performance.now();
      buildMetricsModel({ dataset: 'bench', records, calibrationSubset: 'gsm8k' });
      return performance.now() - t0;
    });
    console.log(
      `  metrics + threshold sweep + calibration + histograms, 10,000 items × 2 critics (101 thresholds): ${median(times).toFixed(1)} ms (median of 7)`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
