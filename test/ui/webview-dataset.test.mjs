// UI tests of the dataset view and the metrics panel, as a person uses them: open a dataset, read the malformed
// lines, filter and search, run the checker over the dataset, open an item (decorated editor and inspector in
// sync), see the metrics and their charts; a second run comes from the cache; a change on disk is read again.
// Screenshots: test-results/screenshots/webview-dataset-*.png.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { REPO_ROOT } from '../harness/setup.mjs';
import { Workbench } from '../harness/workbench.mjs';
import { makeWorkspace } from '../harness/workspace.mjs';
import { screenshotWebview, until, webviewFrame } from './webview-frames.mjs';

const DATASET = 'ui-dataset.jsonl';
const FIXTURE = path.join(REPO_ROOT, 'test', 'fixtures', 'webview', DATASET);

/** Facts about the fixture, read from it (so its content can change): items, malformed lines, subsets. */
function describeFixture() {
  const lines = fs.readFileSync(FIXTURE, 'utf8').split('\n');
  const items = [];
  const malformed = [];
  lines.forEach((text, k) => {
    if (!text.trim()) return;
    try {
      const r = JSON.parse(text);
      if (Array.isArray(r.steps) && r.steps.length && Number.isInteger(r.label)) items.push(r);
      else malformed.push(k + 1);
    } catch {
      malformed.push(k + 1);
    }
  });
  return { items, malformed };
}

describe('Dataset view and metrics webviews', function () {
  this.timeout(90_000);
  const fx = describeFixture();
  let ws;
  let wb;
  let ds;

  const shownIds = () => ds.$$eval('.rows .row', (rows) => rows.map((r) => r.querySelector('.cell.id')?.textContent));
  const shownText = () => ds.$eval('.shown', (e) => e.textContent);

  /** Picks an option of a vscode-single-select by its visible text, with the mouse. */
  async function choose(label, option) {
    const select = `vscode-single-select[aria-label="${label}"]`;
    await ds.click(select);
    const exact = new RegExp(`^\\s*${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
    await ds.locator(`${select} li.option`, { hasText: exact }).first().click();
    await until(`${label} = ${option}`, () =>
      ds
        .$eval(select, (s) => s.querySelectorAll('vscode-option')[s.selectedIndex]?.textContent)
        .then((t) => t === option),
    );
  }

  before(async function () {
    this.timeout(180_000);
    ws = makeWorkspace('ui-dataset-ws');
    fs.copyFileSync(FIXTURE, path.join(ws.dir, DATASET));
    wb = await Workbench.start({ name: 'ui-webview-dataset', folder: ws.dir });
  });

  after(async () => {
    if (wb) await wb.screenshot('webview-dataset-zz-final').catch(() => {});
    await wb?.close();
    ws?.cleanup();
  });

  it('opens the dataset: every good item listed, malformed lines reported with their line numbers', async () => {
    await wb.openFromExplorer(DATASET);
    await wb.runCommand('PRM Lens: Open Dataset');
    ds = await webviewFrame(wb.page, 'dataset', { ready: '.rows .row' });
    await until('all items read', async () => /read in/.test(await ds.$eval('.meta', (e) => e.textContent)));
    assert.equal(await shownText(), `${fx.items.length} of ${fx.items.length} shown`);
    assert.match(
      await ds.$eval('.meta', (e) => e.textContent),
      new RegExp(`ProcessBench · ${fx.items.length} items .* ${fx.malformed.length} records skipped`),
    );
    // Before any critic has run, the columns still sit side by side on one line (no prediction columns yet).
    const cells = await ds.$$eval('.rows .row:first-child .cell', (els) =>
      els.map((e) => e.getBoundingClientRect()).map((r) => ({ top: Math.round(r.top), left: Math.round(r.left) })),
    );
    assert.ok(cells.length >= 4, `a row has its cells: ${JSON.stringify(cells)}`);
    assert.ok(
      cells.every((c) => c.top === cells[0].top),
      `one line per row: ${JSON.stringify(cells)}`,
    );
    assert.ok(
      cells.every((c, i) => i === 0 || c.left > cells[i - 1].left),
      `cells left to right: ${JSON.stringify(cells)}`,
    );
    await ds.click('.issues summary');
    const issues = await ds.$$eval('.issues li', (lis) => lis.map((li) => li.textContent));
    for (const line of fx.malformed)
      assert.ok(
        issues.some((t) => t.startsWith(`line ${line}`)),
        `line ${line} is reported: ${JSON.stringify(issues)}`,
      );
    await screenshotWebview(wb.page, ds, 'webview-dataset-01-opened');
  });

  it('filters by subset and label, and searches the text', async () => {
    const math = fx.items.filter((i) => i.subset === 'math');
    await choose('Subset', 'math');
    await until('math items only', async () => (await shownText()) === `${math.length} of ${fx.items.length} shown`);
    assert.deepEqual(
      await shownIds(),
      math.map((i) => i.id),
    );
    await choose('Ground truth', 'Has an error');
    const mathErrors = math.filter((i) => i.label >= 0).map((i) => i.id);
    await until('erroneous math items', async () => JSON.stringify(await shownIds()) === JSON.stringify(mathErrors));
    await screenshotWebview(wb.page, ds, 'webview-dataset-02-filtered');
    await choose('Subset', 'All subsets');
    await choose('Ground truth', 'Any label');
    const word = 'marbles';
    const withWord = fx.items
      .filter((i) => [i.problem, ...i.steps].join(' ').toLowerCase().includes(word))
      .map((i) => i.id);
    assert.ok(withWord.length > 0 && withWord.length < fx.items.length);
    await ds.fill('vscode-textfield[aria-label="Search"] input', word);
    await until(`search "${word}"`, async () => JSON.stringify(await shownIds()) === JSON.stringify(withWord));
    await ds.fill('vscode-textfield[aria-label="Search"] input', '');
    await until('search cleared', async () => (await shownText()) === `${fx.items.length} of ${fx.items.length} shown`);
  });

  it('runs the checker over the dataset with progress, and filters by its outcome', async () => {
    await ds.click('vscode-button:has-text("Run")');
    await until(
      'the run is done',
      async () => /^Done: (\d+) \/ \1 items/.test(await ds.$eval('.progress-text', (e) => e.textContent)),
      30_000,
    );
    assert.match(
      await ds.$eval('.progress-text', (e) => e.textContent),
      new RegExp(`Done: ${fx.items.length} / ${fx.items.length} items · 0 from cache · 0 failed`),
    );
    const predictions = await ds.$$eval('.rows .row .cell.pred', (cells) => cells.map((c) => c.textContent));
    assert.equal(predictions.length, Math.min(fx.items.length, predictions.length));
    assert.ok(
      predictions.every((t) => /^[✓✗] /.test(t)),
      `every row shows the checker's prediction: ${predictions}`,
    );
    await choose('Critic', 'checker');
    await choose('Critic outcome', 'First error wrong');
    const missed = await shownIds();
    assert.ok(missed.length > 0, 'the checker misses some (logic errors)');
    await screenshotWebview(wb.page, ds, 'webview-dataset-03-checker-misses');
    await choose('Critic outcome', 'Any outcome');
  });

  it('opening an item shows it decorated in the editor and in the inspector, in sync', async () => {
    const target = fx.items.find(
      (i) => i.label > 0 && i.steps.join(' ').match(/\d+ [×x*] \d+ = \d+|\d+ - \d+ = \d+/) && i.subset === 'gsm8k',
    );
    await ds.fill('vscode-textfield[aria-label="Search"] input', target.id);
    await until('the target alone', async () => JSON.stringify(await shownIds()) === JSON.stringify([target.id]));
    await ds.click('.rows .row');
    // The item opens beside the list without taking the focus: focus its editor group to read the editor.
    await wb.page.locator(`.tabs-container .tab[aria-label*="${target.id}.md"]`).first().waitFor({ timeout: 20_000 });
    await wb.page.keyboard.press('Control+2');
    await wb.waitForEditorTab(`${target.id}.md`);
    await wb.waitForDecorations(target.steps.length);
    const wrongStep = target.steps[target.label];
    const decorations = await wb.lineDecorations(wrongStep.slice(0, 20));
    assert.ok(
      decorations?.some((d) => d.borderStyle === 'solid'),
      `the ground-truth step is the checker's first error in the editor: ${JSON.stringify(decorations)}`,
    );
    const inspector = await webviewFrame(wb.page, 'inspector', { ready: '.row.step' });
    assert.match(
      await inspector.$eval('.meta', (e) => e.textContent),
      new RegExp(`ground truth: first error at step ${target.label + 1}`),
    );
    assert.ok(
      await inspector.$(`.row.step.truth-error[data-step="${target.label}"]`),
      'the ground truth is marked in the inspector',
    );
    assert.ok(
      await inspector.$(`.row.step[data-step="${target.label}"] .judge.first-error`),
      "the checker's first error is marked in the inspector",
    );
    // Inspector → editor
    await inspector.click('.row.step[data-step="0"] .step-no');
    await until('the editor moved to step 1', async () => {
      await wb.page.keyboard.press('Control+2');
      return (await wb.statusBarTexts()).some((t) => /^Ln 9, Col \d+ \(\d+ selected\)/.test(t));
    });
    // Editor → inspector
    // The editor may still be scrolling to the revealed step: wait until the wrong step's text is laid out.
    const box = await until('the wrong step visible in the editor', async () => {
      await wb.page.keyboard.press('Control+2');
      return wb.textBox(wrongStep.slice(0, 15));
    });
    await wb.page.mouse.click(box.x + 3, box.y + box.height / 2);
    await until('the inspector follows the cursor', () =>
      inspector.$eval('.row.step.current', (r) => r.getAttribute('data-step')).then((s) => s === String(target.label)),
    );
    await wb.screenshot('webview-dataset-04-item-in-sync');
  });

  it('shows the metrics with the two named averages and a chart', async () => {
    await ds.click('vscode-button:has-text("Metrics")');
    const metrics = await webviewFrame(wb.page, 'metrics', { ready: 'table.metrics' });
    // A cell's value without its interval ("84.6" of "84.6 ±16.5"): the intervals arrive later, from the worker.
    const rows = await metrics.$$eval('section.critic[data-critic="checker"] table.metrics tbody tr', (trs) =>
      trs.map((tr) =>
        [...tr.children].map((c) => {
          const value = c.cloneNode(true);
          value.querySelectorAll('.ci, .ci-bar').forEach((e) => e.remove());
          return value.textContent;
        }),
      ),
    );
    const subsets = [...new Set(fx.items.map((i) => i.subset))].sort();
    assert.deepEqual(
      rows.slice(0, subsets.length).map((r) => r[0]),
      subsets,
    );
    for (const row of rows.slice(0, subsets.length)) {
      const items = fx.items.filter((i) => i.subset === row[0]);
      assert.equal(row[1], String(items.filter((i) => i.label >= 0).length), `n_error of ${row[0]}`);
      assert.equal(row[2], String(items.filter((i) => i.label < 0).length), `n_correct of ${row[0]}`);
      assert.match(row[5], /^\d+\.\d$/, 'F1 with one decimal');
    }
    assert.match(rows[subsets.length][0], /mean of subset F1 \(ProcessBench headline\)/);
    assert.match(rows[subsets.length + 1][0], /weighted by subset size/);
    const painted = await metrics.$eval('canvas', (c) => {
      const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let opaque = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) opaque += 1;
      return opaque;
    });
    assert.ok(painted > 500, `the histogram is drawn (${painted} painted pixels)`);
    await screenshotWebview(wb.page, metrics, 'webview-dataset-05-metrics');
  });

  it('a second run reuses the cached results', async () => {
    await ds.fill('vscode-textfield[aria-label="Search"] input', '');
    await until('search cleared', async () => (await shownText()) === `${fx.items.length} of ${fx.items.length} shown`);
    await ds.click('vscode-button:has-text("Run")');
    await until('the second run is done', async () =>
      new RegExp(`Done: ${fx.items.length} / ${fx.items.length} items · ${fx.items.length} from cache`).test(
        await ds.$eval('.progress-text', (e) => e.textContent),
      ),
    );
  });

  it('a change to the file on disk is read again: the new item is listed, the others keep their results', async () => {
    const n = fx.items.length;
    const added = {
      id: 'added-on-disk',
      subset: 'gsm8k',
      problem: 'Sam has 4 apples and buys 5 more.',
      steps: ['4 + 5 = 9', 'Sam has 9 apples.'],
      label: -1,
    };
    fs.appendFileSync(path.join(ws.dir, DATASET), `${JSON.stringify(added)}\n`);
    await until('the new item is listed', async () => (await shownText()) === `${n + 1} of ${n + 1} shown`, 20_000);
    await until('the header says why', async () =>
      /read again after a change on disk/.test(await ds.$eval('.meta', (e) => e.textContent)),
    );
    await until(
      'cached predictions are shown again',
      async () =>
        (await ds.$$eval(
          '.rows .row .cell.pred',
          (cells) => cells.filter((c) => /^[✓✗] /.test(c.textContent)).length,
        )) > 0,
    );
    await ds.click('vscode-button:has-text("Run")');
    await until('only the new item is run', async () =>
      new RegExp(`Done: ${n + 1} / ${n + 1} items · ${n} from cache · 0 failed`).test(
        await ds.$eval('.progress-text', (e) => e.textContent),
      ),
    );
    // The list shares the window with the item and the inspector: narrow, it drops the subset, step and problem
    // columns and keeps the id readable.
    // (Read again until it holds: the rows are re-rendered as results arrive.)
    const layout = () =>
      ds.$eval('.rows .row', (row) => ({
        list: row.closest('.list').getBoundingClientRect().width,
        id: row.querySelector('.cell.id').getBoundingClientRect().width,
        hidden: ['.subset', '.steps', '.preview'].map((c) => getComputedStyle(row.querySelector(`.cell${c}`)).display),
      }));
    await until('the narrow list layout', async () => {
      const narrow = await layout();
      if (narrow.list < 500 && narrow.id >= 40 && narrow.hidden.every((d) => d === 'none')) return narrow;
      throw new Error(`layout ${JSON.stringify(narrow)}`);
    });
    await screenshotWebview(wb.page, ds, 'webview-dataset-06-reloaded');
  });
});
