// The built webview bundles in headless Chromium with a stand-in for the VS Code API (no workbench): what the
// built-in checker cannot show in the workbench tests — reward bars and aggregates of a scalar critic, critics
// disagreeing, the raw critique on demand, the threshold sweep chart and the calibration control. Screenshots:
// test-results/screenshots/webview-render-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'mocha';
import { launchBrowser } from '../harness/browser.mjs';
import { REPO_ROOT } from '../harness/setup.mjs';
import { SCREENSHOT_DIR } from '../harness/workbench.mjs';

const asset = (p) => pathToFileURL(path.join(REPO_ROOT, p)).href;

/** A page holding one webview bundle, with acquireVsCodeApi recording what the webview posts. */
async function openBundle(browser, dir, entry) {
  const html = path.join(dir, `${entry}.html`);
  fs.writeFileSync(
    html,
    `<!DOCTYPE html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="${asset('media/webview.css')}"><link rel="stylesheet" href="${asset(`dist/webview/${entry}.css`)}">
<script>window.__sent = []; window.acquireVsCodeApi = () => ({ postMessage: (m) => window.__sent.push(m), getState: () => undefined, setState: (s) => (window.__state = s) });</script>
</head><body class="vscode-dark prm-${entry}"><div id="app"></div><script src="${asset(`dist/webview/${entry}.js`)}"></script></body></html>`,
  );
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction(() => window.__sent.some((m) => m.type === 'ready'));
  return {
    page,
    errors,
    send: (msg) => page.evaluate((m) => window.postMessage(m, '*'), msg),
    sent: () => page.evaluate(() => window.__sent),
  };
}

const judgement = (score, verdict, reason) => ({
  score,
  verdict,
  ...(reason ? { reason } : {}),
  kind:
    score === null
      ? verdict === 'correct'
        ? 'good'
        : verdict === 'incorrect'
          ? 'bad'
          : 'none'
      : score >= 0.7
        ? 'good'
        : score <= 0.3
          ? 'bad'
          : 'uncertain',
});

const INSPECTOR_MODEL = {
  uri: 'file:///demo.md',
  title: 'demo.md',
  problem: 'What is $\\frac{3}{4}$ of 48?',
  steps: [
    { index: 0, text: 'A quarter of 48 is $48 / 4 = 12$.' },
    { index: 1, text: 'So three quarters is $3 \\times 12 = 36$.' },
    { index: 2, text: 'The answer is $\\boxed{38}$.' },
  ],
  critics: [
    {
      id: 'prm',
      label: 'Qwen PRM',
      scalar: true,
      firstError: 2,
      steps: [judgement(0.92, 'correct'), judgement(0.81, 'correct'), judgement(0.12, 'incorrect')],
      aggregates: { min: 0.12, product: 0.0894, last: 0.12, mean: 0.6167 },
      durationMs: 120,
    },
    {
      id: 'checker',
      label: 'checker',
      scalar: false,
      firstError: -1,
      steps: [
        judgement(null, 'correct', '48 / 4 = 12 checks out'),
        judgement(null, 'correct'),
        judgement(null, 'correct'),
      ],
      raw: 'RAW CRITIQUE: step 3 reads 38 but 3 × 12 = 36.',
      durationMs: 3,
    },
  ],
  failures: [],
  disagreements: [2],
  humanLabels: [null, null, null],
  availableCritics: [
    { id: 'prm', label: 'Qwen PRM' },
    { id: 'checker', label: 'checker' },
  ],
  segmentation: 'paragraphs (test)',
};

function sweep(n) {
  const thresholds = Array.from({ length: n }, (_, i) => i / (n - 1));
  const bump = (center) => thresholds.map((t) => Math.max(0, 100 - Math.abs(t - center) * 220));
  return {
    thresholds,
    f1: bump(0.4),
    accError: thresholds.map((t) => 100 * t),
    accCorrect: thresholds.map((t) => 100 * (1 - t)),
    subsetF1: { gsm8k: bump(0.4), math: bump(0.55) },
  };
}

const row = (critic, subset, kind, m) => ({
  critic,
  subset,
  kind,
  n_error: null,
  n_correct: null,
  acc_error: null,
  acc_correct: null,
  f1: null,
  ...m,
});
const METRICS_MODEL = {
  dataset: 'demo.jsonl',
  subsets: ['gsm8k', 'math'],
  critics: ['prm'],
  scalarCritics: ['prm'],
  rows: [
    row('prm', 'gsm8k', 'subset', { n_error: 10, n_correct: 8, acc_error: 60, acc_correct: 75, f1: 66.7 }),
    row('prm', 'math', 'subset', { n_error: 12, n_correct: 6, acc_error: 50, acc_correct: 50, f1: 50 }),
    row('prm', 'mean of subset F1 (ProcessBench headline)', 'mean', { f1: 58.3 }),
    row('prm', 'mean weighted by subset size', 'weighted', { f1: 58.3 }),
  ],
  calibrationSubset: 'gsm8k',
  calibrations: [
    {
      critic: 'prm',
      calibrationSubset: 'gsm8k',
      threshold: 0.4,
      sweep: sweep(101),
      rows: [
        row('prm', 'gsm8k', 'subset', { n_error: 10, n_correct: 8, acc_error: 60, acc_correct: 75, f1: 66.7 }),
        row('prm', 'math', 'subset', { n_error: 12, n_correct: 6, acc_error: 50, acc_correct: 50, f1: 50 }),
      ],
      upperBound: [
        row('prm', 'gsm8k', 'subset', { n_error: 10, n_correct: 8, acc_error: 60, acc_correct: 75, f1: 66.7 }),
        row('prm', 'math', 'subset', { n_error: 12, n_correct: 6, acc_error: 58, acc_correct: 67, f1: 62.2 }),
      ],
      perSubsetThreshold: { gsm8k: 0.4, math: 0.55 },
    },
  ],
  calibrationErrors: [],
  charts: [
    {
      critic: 'prm',
      offset: { labels: ['≤-2', '-1', '0', '+1', '≥2'], counts: [1, 3, 10, 4, 2], missed: 2, noPrediction: 0, n: 22 },
      falseAlarms: 3,
      minPosition: { labels: ['0–10%', '10–20%'], counts: [4, 14], lastStepShare: 0.6, n: 18 },
    },
  ],
  items: 36,
  datasetItems: 50,
  computeMs: 1.2,
};

describe('Webview bundles rendered in Chromium', function () {
  this.timeout(60_000);
  let browser;
  let dir;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'prm-lens-webview-render-'));
    ({ browser } = await launchBrowser());
  });

  after(async () => {
    await browser?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('inspector: reward bars at the scores, aggregates, disagreement, raw critique on demand', async () => {
    const { page, errors, send, sent } = await openBundle(browser, dir, 'inspector');
    await send({ type: 'inspector/model', model: INSPECTOR_MODEL });
    await page.waitForSelector('.row.step');
    const widths = await page.$$eval('.row.step .judge .fill', (fills) => fills.map((f) => f.style.width));
    assert.deepEqual(widths, ['92%', '81%', '12%'], 'one bar per scalar judgement, as long as the score');
    const summary = await page.$eval('.summary tbody tr', (tr) => [...tr.children].map((c) => c.textContent));
    assert.deepEqual(summary.slice(0, 6), ['Qwen PRM', 'first error: step 3', '0.120', '0.089', '0.120', '0.617']);
    assert.ok(await page.$('.row.step.disagree[data-step="2"]'), 'the step the critics disagree on is highlighted');
    assert.equal(await page.$('.raw pre'), null, 'the raw critique is not rendered until asked for');
    await page.click('.raw summary');
    await page.waitForSelector('.raw pre'); // the details' toggle event comes after the click
    assert.match(await page.$eval('.raw pre', (p) => p.textContent), /RAW CRITIQUE/);
    await page.click('.row.step[data-step="0"] .step-no');
    await page.keyboard.press('d');
    assert.equal(await page.$eval('.row.step.current', (r) => r.dataset.step), '2', 'd jumps to the next disagreement');
    assert.equal(
      await page.evaluate(() => document.activeElement?.closest('.row')?.getAttribute('data-step')),
      '2',
      'the focus follows',
    );
    await page.keyboard.press('x');
    const messages = await sent();
    assert.deepEqual(
      messages.filter((m) => m.type === 'inspector/reveal').map((m) => m.step),
      [0, 2],
    );
    assert.deepEqual(
      messages.filter((m) => m.type === 'inspector/label'),
      [{ type: 'inspector/label', step: 2, label: 'incorrect' }],
    );
    assert.equal(await page.locator('.katex').count(), 4, 'the problem and steps are typeset');
    assert.deepEqual(errors, []);
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'webview-render-01-inspector.png'), fullPage: true });
  });

  it('metrics: the threshold sweep is drawn and the calibration subset can be changed', async () => {
    const { page, errors, send, sent } = await openBundle(browser, dir, 'metrics');
    await send({ type: 'metrics/model', model: METRICS_MODEL, dataset: 'file:///demo.jsonl' });
    await page.waitForSelector('canvas');
    await page.waitForTimeout(300);
    const painted = await page.$$eval('canvas', (canvases) =>
      canvases.map((c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]) n += 1;
        return n;
      }),
    );
    assert.equal(painted.length, 3, 'sweep, offset histogram and minimum-score chart');
    assert.ok(
      painted.every((n) => n > 1000),
      `every chart is drawn: ${painted}`,
    );
    assert.match(
      await page.$eval('header .meta', (e) => e.textContent),
      /^results for 36 of 50 items \(the metrics cover those\) · 1 critic/,
    );
    assert.match(await page.$eval('.calibrated h3', (e) => e.textContent), /Threshold 0\.4: F1-optimal on gsm8k/);
    assert.match(
      await page.$eval('.figure .caption', (e) => e.textContent),
      /10 exact, 4 flagged too early, 6 too late, 2 missed/,
    );
    await page.click('vscode-single-select[aria-label="Calibration subset"]');
    await page
      .locator('vscode-single-select[aria-label="Calibration subset"] li.option', { hasText: /^\s*math\s*$/ })
      .click();
    await page.waitForFunction(() => window.__sent.some((m) => m.type === 'metrics/calibrate'));
    assert.deepEqual(
      (await sent()).filter((m) => m.type === 'metrics/calibrate'),
      [{ type: 'metrics/calibrate', subset: 'math' }],
    );
    assert.deepEqual(await page.evaluate(() => window.__state), { view: 'metrics', dataset: 'file:///demo.jsonl' });
    assert.deepEqual(errors, []);
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'webview-render-02-metrics.png'), fullPage: true });
  });
});
