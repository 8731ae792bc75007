// UI test of best-of-N in the metrics panel, as a researcher uses it: a dataset with several solutions per problem
// (written here: problem ids, a per-solution prm_score, final-answer correctness, step labels) is opened, the
// checker runs over it, and the metrics panel shows the best-of-n curves with their legend and table, the
// ProcessBench table with 95% interval error bars, and a problem view whose solutions open in the editor with the
// step inspector. Screenshots: test-results/screenshots/webview-bon-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { screenshotWebview, until, webviewFrame } from './webview-frames.mjs';

const DATASET = 'bon-samples.jsonl';
const SOLUTIONS = 6;

/**
 * Eight problems × six solutions. Usually the highest prm_score is a right solution; in p3 a wrong one scores
 * highest although two are right; p8 has no right solution. Wrong solutions go wrong at step 2, by an arithmetic
 * slip the checker finds or (the fifth solution) a claim without arithmetic that it misses.
 */
function bonDataset() {
  const records = [];
  for (let k = 1; k <= 8; k++) {
    const gold = 10 + k;
    const correct = k === 8 ? [0, 0, 0, 0, 0, 0] : [1, 0, 1, 0, 0, 1];
    const scores = k === 3 ? [0.4, 0.95, 0.7, 0.5, 0.2, 0.6] : [0.9, 0.3, 0.7, 0.5, 0.2, 0.6];
    for (let j = 0; j < SOLUTIONS; j++) {
      const right = correct[j] === 1;
      const answer = right ? gold : gold + (j % 2 ? 1 : 2);
      records.push({
        id: `p${k}-s${j}`,
        problem_id: `p${k}`,
        subset: k <= 4 ? 'math' : 'gsm8k',
        problem: `Problem ${k}: Ann has ${k} apples and buys 10 more. How many apples does she have?`,
        steps: [
          `Ann starts with ${k} apples.`,
          right
            ? `She buys 10 more: ${k} + 10 = ${gold}.`
            : j === 4
              ? `She buys 10 more, so she has ${answer} apples.` // no arithmetic: the checker misses it
              : `She buys 10 more: ${k} + 10 = ${answer}.`,
          `The answer is $\\boxed{${answer}}$.`,
        ],
        label: right ? -1 : 1,
        final_answer_correct: right,
        prm_score: scores[j] + k / 1000,
      });
    }
  }
  return records;
}

describe('Best-of-n in the metrics panel', function () {
  this.timeout(120_000);
  const records = bonDataset();
  const problems = [...new Set(records.map((r) => r.problem_id))];
  const of = (p) => records.filter((r) => r.problem_id === p);
  const top = (p) => of(p).reduce((a, b) => (b.prm_score > a.prm_score ? b : a));
  let ws;
  let wb;
  let metrics;

  before(async function () {
    this.timeout(240_000);
    ws = makeWorkspace('ui-bon-ws');
    fs.writeFileSync(path.join(ws.dir, DATASET), records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    wb = await Workbench.start({ name: 'ui-webview-bon', folder: ws.dir });
  });

  after(async () => {
    if (wb) await wb.screenshot('webview-bon-zz-final').catch(() => {});
    await wb?.close();
    ws?.cleanup();
  });

  it('shows best-of-n curves with a legend, bands and a table beside the ProcessBench table', async () => {
    await wb.openFromExplorer(DATASET);
    await wb.runCommand('PRM Lens: Open Dataset');
    const ds = await webviewFrame(wb.page, 'dataset', { ready: '.rows .row' });
    await ds.click('vscode-button:has-text("Run")');
    await until(
      'the checker has run',
      async () => /^Done: (\d+) \/ \1 items/.test(await ds.$eval('.progress-text', (e) => e.textContent)),
      60_000,
    );
    await ds.click('vscode-button:has-text("Metrics")');
    metrics = await webviewFrame(wb.page, 'metrics', { ready: 'section.bon canvas', timeout: 60_000 });

    assert.deepEqual(
      await metrics.$$eval('.bon-legend button', (bs) =>
        bs.map((b) => [b.textContent, b.getAttribute('aria-pressed')]),
      ),
      ['pass', 'random', 'majority', 'best:prm_score', 'weighted:prm_score'].map((s) => [s, 'true']),
    );
    assert.match(
      await metrics.$eval('section.bon .caption', (e) => e.textContent),
      new RegExp(`^${problems.length} problems · ${SOLUTIONS} solutions per problem .*95% bootstrap over problems`),
    );
    // The curves come first, the bootstrap bands in a second message from the worker.
    await until(
      'the bands arrived',
      async () => !/being computed/.test(await metrics.$eval('section.bon .caption', (e) => e.textContent)),
    );
    const painted = await until('the curves are drawn', () =>
      metrics.$eval('section.bon canvas', (c) => {
        const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let opaque = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) opaque += 1;
        return opaque > 2000 ? opaque : 0;
      }),
    );
    assert.ok(painted > 2000, `curves and bands painted (${painted} pixels)`);
    assert.match(await metrics.$eval('section.bon canvas', (c) => c.getAttribute('aria-label')), /Best-of-n accuracy/);
    await metrics.evaluate(() => {
      const toolbar = document.querySelector('.toolbar').getBoundingClientRect().height;
      window.scrollBy(0, document.querySelector('section.bon').getBoundingClientRect().top - toolbar);
    });
    await screenshotWebview(wb.page, metrics, 'webview-bon-01-curves');

    // The table behind the chart: n = 1, 2, 4, 6; at n = N pass is the share of problems with a right solution
    // and best:prm_score the share whose top-scored solution is right.
    await metrics.click('details.bon-table summary');
    const table = await metrics.$$eval('table.bon-curves tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.firstChild?.textContent ?? '')),
    );
    assert.deepEqual(table[0], ['selector', 'n=1', 'n=2', 'n=4', 'n=6']);
    const row = (name) => table.find((r) => r[0] === name);
    const pct = (x) => ((100 * x) / problems.length).toFixed(1);
    assert.equal(row('pass')[4], pct(problems.filter((p) => of(p).some((r) => r.final_answer_correct)).length));
    assert.equal(row('best:prm_score')[4], pct(problems.filter((p) => top(p).final_answer_correct).length));
    assert.match(
      await metrics.$eval('table.bon-curves tbody tr td .ci', (e) => e.textContent),
      /^ \[\d+\.\d–\d+\.\d\]$/,
    );
    await screenshotWebview(wb.page, metrics, 'webview-bon-02-curves-table');

    // A legend button hides its selector (and says so).
    await metrics.click('.bon-legend button[data-selector="random"]');
    assert.equal(
      await metrics.$eval('.bon-legend button[data-selector="random"]', (b) => b.getAttribute('aria-pressed')),
      'false',
    );
    await metrics.click('.bon-legend button[data-selector="random"]');
  });

  it('the ProcessBench table has 95% bootstrap error bars', async () => {
    const cells = await until(
      'the intervals arrived',
      async () => {
        const found = await metrics.$$eval(
          'section.critic[data-critic="checker"] table.metrics tbody tr td.f1',
          (tds) =>
            tds.map((td) => ({
              text: td.textContent,
              ci: td.querySelector('.ci')?.getAttribute('title') ?? null,
              bar: td.querySelector('.ci-bar .ci-range') !== null,
            })),
        );
        return found.length > 0 && found.every((c) => c.ci !== null) ? found : null;
      },
      60_000,
    );
    // The checker misses the slips without arithmetic: F1 below 100 with an interval of some width.
    assert.ok(
      cells.some((c) => /±[1-9]/.test(c.text)),
      `some interval is wider than a point: ${cells.map((c) => c.text)}`,
    );
    for (const c of cells) {
      assert.match(c.text, /^\d+\.\d ±\d+\.\d$/, `F1 with its half-interval: ${c.text}`);
      assert.match(c.ci, /^95% interval \d+\.\d–\d+\.\d$/);
      assert.ok(c.bar, 'a bar of the interval');
    }
    assert.match(await metrics.$eval('.intervals-note', (e) => e.textContent), /1,000 resamples, seed 0/);
    const table = await metrics.$('section.critic[data-critic="checker"] table.metrics');
    await table.scrollIntoViewIfNeeded();
    await screenshotWebview(wb.page, metrics, 'webview-bon-03-error-bars');
  });

  it('opens a problem: solutions ranked by the selector, answers clustered, the pick and the right ones marked', async () => {
    await metrics.click('tr[data-problem="p3"] vscode-button');
    await until('the problem view', () => metrics.$('.problem-view table.solutions tbody tr'));
    const rows = await metrics.$$eval('.problem-view table.solutions tbody tr', (trs) =>
      trs.map((tr) => ({
        id: tr.querySelector('.solution-id').textContent,
        pick: tr.classList.contains('pick'),
        text: tr.textContent,
      })),
    );
    const ranked = [...of('p3')].sort((a, b) => b.prm_score - a.prm_score);
    assert.deepEqual(
      rows.map((r) => r.id),
      ranked.map((r) => r.id),
    );
    assert.deepEqual(
      rows.map((r) => r.pick),
      ranked.map((_, i) => i === 0),
    );
    rows.forEach((r, i) =>
      assert.match(r.text, ranked[i].final_answer_correct ? /✓ correct/ : /✗ wrong/, `${r.id} marked right or wrong`),
    );
    const clusters = await metrics.$$eval('.problem-view table.clusters tbody tr', (trs) =>
      trs.map((tr) => [...tr.children].map((c) => c.textContent)),
    );
    const count = (a) => of('p3').filter((r) => r.steps[2].includes(`{${a}}`)).length;
    assert.deepEqual(
      clusters.map((c) => [c[0], c[1]]).sort(),
      ['13', '14', '15'].map((a) => [a, String(count(a))]).sort(),
    );
    await screenshotWebview(wb.page, metrics, 'webview-bon-04-problem');

    // Ranked by majority vote instead: the largest cluster (the right answer, 3 of 6) is the pick.
    await metrics.click('vscode-single-select[aria-label="Rank by"]');
    await metrics
      .locator('vscode-single-select[aria-label="Rank by"] li.option', { hasText: /^\s*majority\s*$/ })
      .click();
    await until(
      'ranked by majority',
      async () =>
        (
          await metrics.$$eval('.problem-view table.clusters tbody tr.pick th', (ths) => ths.map((t) => t.textContent))
        ).join() === '13',
    );
  });

  it('a click on a solution opens it in the editor with the step inspector', async () => {
    const target = top('p3');
    await metrics.click(`.problem-view tr.solution[data-sample="${of('p3').indexOf(target)}"]`);
    await wb.page.locator(`.tabs-container .tab[aria-label*="${target.id}.md"]`).first().waitFor({ timeout: 30_000 });
    const inspector = await webviewFrame(wb.page, 'inspector', { ready: '.row.step', timeout: 30_000 });
    const steps = await inspector.$$eval('.row.step .step-text', (els) => els.map((e) => e.textContent.trim()));
    assert.equal(steps.length, target.steps.length);
    assert.match(steps[1], new RegExp(target.steps[1].slice(0, 20).replace(/[+$]/g, '\\$&')));
    assert.match(
      await inspector.$eval('.meta', (e) => e.textContent),
      /ground truth: first error at step 2/,
      'the inspector knows the dataset item',
    );
    await wb.screenshot('webview-bon-05-solution-opened');
  });
});
