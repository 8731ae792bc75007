import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyzeText } from '../src/core/analysis/analyze';
import { DEFAULT_COLOUR_BANDS } from '../src/core/analysis/marks';
import { CheckerCritic } from '../src/core/critics/checker';
import type { InspectorModel } from '../src/protocol/messages';
import { buildInspectorModel } from '../src/views/inspector';
import { sectionRows } from '../webview/shared/sectionRows';
import { longTrace } from './long-trace';

/**
 * The step inspector on long traces (2,000 and 10,000 paragraphs, scored by the built-in checker): building its view
 * model and flattening its sections into rows (medians), the model's size as posted to the webview, and, in headless
 * Chromium, the inspector bundle's first render, opening every section, and scrolling through the whole list. (The
 * global `performance`, not node:perf_hooks': the page functions are serialized and run in the browser.)
 */
export async function inspectorBenchmarks(root: string): Promise<void> {
  console.log('Step inspector on long traces:');
  const bundle = path.join(root, 'dist', 'webview', 'inspector.js');
  const chromium = existsSync(process.env.PRM_LENS_CHROMIUM || '/usr/bin/chromium') && existsSync(bundle);
  for (const paragraphs of [2000, 10_000]) {
    const analysis = await analyzeText(longTrace(paragraphs), { strategy: 'auto' }, [new CheckerCritic()]);
    const input = {
      uri: 'file:///bench/long-trace.md',
      title: 'long-trace.md',
      analysis,
      thresholds: DEFAULT_COLOUR_BANDS,
      labels: [{ id: 'checker' }],
      humanLabels: [],
    };
    const model = buildInspectorModel(input);
    const trace = model.trace!;
    const all = new Set(trace.sections.map((s) => s.index));
    const buildMs = median(() => buildInspectorModel(input));
    const openMs = median(() => sectionRows(model.steps.length, trace.sections, new Set(), trace.answerFrom));
    const closedMs = median(() => sectionRows(model.steps.length, trace.sections, all, trace.answerFrom));
    console.log(
      `  ${model.steps.length} steps, ${trace.sections.length} sections: view model ${buildMs.toFixed(1)} ms ` +
        `(${(JSON.stringify(model).length / 2 ** 20).toFixed(1)} MiB as JSON), rows ${openMs.toFixed(2)} ms all open, ` +
        `${closedMs.toFixed(2)} ms all collapsed`,
    );
    if (chromium) {
      const page = await renderInChromium(root, model);
      console.log(
        `    webview: first render ${page.firstMs.toFixed(0)} ms (sections collapsed, ${page.firstRows} rows in the DOM), ` +
          `expand all ${page.expandMs.toFixed(0)} ms; scrolling through ${page.totalRows} rows in ${page.frames.length} ` +
          `jumps: median ${page.frameMedianMs.toFixed(1)} ms, worst ${page.frameWorstMs.toFixed(1)} ms a jump ` +
          `(two frames each, 33 ms at 60 Hz when nothing blocks), ` +
          `at most ${page.mostRows} rows in the DOM`,
      );
      console.log(
        `    wheel-like scrolling (150 × 120 px from the middle): median ${page.wheelMedianMs.toFixed(1)} ms, ` +
          `worst ${page.wheelWorstMs.toFixed(1)} ms a frame (16.7 ms at 60 Hz)`,
      );
    }
  }
  if (!chromium) console.log('  (no Chromium or no built bundle: the webview part is skipped; run `npm run build`)');
}

function median(fn: () => void, runs = 9): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)];
}

interface PageResult {
  firstMs: number;
  firstRows: number;
  expandMs: number;
  totalRows: number;
  frames: number[];
  frameMedianMs: number;
  frameWorstMs: number;
  mostRows: number;
  wheelMedianMs: number;
  wheelWorstMs: number;
}

/** Loads the inspector bundle in headless Chromium (a 600 × 800 panel) with a stand-in VS Code API. */
async function renderInChromium(root: string, model: InspectorModel): Promise<PageResult> {
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(path.join(tmpdir(), 'prm-lens-bench-inspector-'));
  const browser = await chromium.launch({
    executablePath: process.env.PRM_LENS_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 600, height: 800 } })).newPage();
    const html = path.join(dir, 'inspector.html');
    const asset = (p: string) => pathToFileURL(path.join(root, p)).href;
    await writeFile(
      html,
      `<!DOCTYPE html><html><head><meta charset="utf-8"><link rel="stylesheet" href="${asset('media/webview.css')}"><link rel="stylesheet" href="${asset('dist/webview/inspector.css')}">
<script>window.acquireVsCodeApi = () => ({ postMessage: (m) => { window.__sent = (window.__sent || []).concat([m]); }, getState: () => undefined, setState: () => {} });</script>
</head><body class="prm-inspector"><div id="app"></div><script src="${asset('dist/webview/inspector.js')}"></script></body></html>`,
    );
    await page.goto(pathToFileURL(html).href);
    await page.waitForFunction(() =>
      (window as unknown as { __sent?: { type: string }[] }).__sent?.some((m) => m.type === 'ready'),
    );
    return await page.evaluate(async (m) => {
      const frame = () => new Promise<void>((r) => requestAnimationFrame(() => r()));
      const rows = () => document.querySelectorAll('.steps > .row:not(.head)').length;
      const t0 = performance.now();
      window.postMessage({ type: 'inspector/model', model: m }, '*');
      await new Promise((r) => setTimeout(r, 0));
      await frame();
      const firstMs = performance.now() - t0;
      const firstRows = rows();
      const expand = [...document.querySelectorAll('.groups vscode-button')].find(
        (b) => b.textContent === 'Expand all',
      );
      const e0 = performance.now();
      (expand as HTMLElement).click();
      await frame();
      const expandMs = performance.now() - e0;
      const totalRows = Number(document.querySelector('.steps')?.getAttribute('aria-rowcount')) - 1;
      const frames: number[] = [];
      let mostRows = 0;
      const scroller = document.scrollingElement!;
      for (let k = 1; k <= 40; k++) {
        const s0 = performance.now();
        scroller.scrollTop = (k / 40) * (scroller.scrollHeight - innerHeight);
        await frame();
        await frame();
        frames.push(performance.now() - s0);
        mostRows = Math.max(mostRows, rows());
      }
      const sorted = [...frames].sort((a, b) => a - b);
      // Wheel-like scrolling from the middle: 120 px a step, as a mouse wheel notch, one frame each.
      scroller.scrollTop = scroller.scrollHeight / 2;
      await frame();
      await frame();
      const wheel: number[] = [];
      for (let k = 0; k < 150; k++) {
        const s0 = performance.now();
        scroller.scrollTop += 120;
        await frame();
        wheel.push(performance.now() - s0);
      }
      wheel.sort((a, b) => a - b);
      return {
        wheelMedianMs: wheel[Math.floor(wheel.length / 2)],
        wheelWorstMs: wheel[wheel.length - 1],
        firstMs,
        firstRows,
        expandMs,
        totalRows,
        frames,
        frameMedianMs: sorted[Math.floor(sorted.length / 2)],
        frameWorstMs: sorted[sorted.length - 1],
        mostRows,
      };
    }, model);
  } finally {
    await browser.close();
    await rm(dir, { recursive: true, force: true });
  }
}
